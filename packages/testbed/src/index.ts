/**
 * @lineage/testbed: real n-gram language models trained on the Brown corpus, its loader with a
 * fixed held-out split, prompts, a local OpenAI-compatible model server and the distillation
 * simulation, for the demo, tests and benchmarks.
 */
export {
  BROWN_HELDOUT_RULE,
  type BrownDocument,
  type BrownParagraph,
  type BrownSplit,
  type BrownTaggedSentence,
  brownDocumentTexts,
  brownParagraphs,
  brownPassages,
  brownSentences,
  brownText,
  isBrownHeldOut,
  loadBrownCorpus,
} from './brown-corpus.js';
export { detokenizeBrown } from './brown-detokenizer.js';
export { type BrownTrainOptions, brownTokenDocuments, selectDocuments, trainOnBrown } from './brown-training.js';
export { type ChatServer, type ChatServerOptions, startChatServer } from './chat-server.js';
export { accountId, type CampaignAssignment, type DistillManifest, type DistillOptions, distill } from './distillation.js';
export { type FinishReason, type GenerateOptions, generateTokens } from './generation.js';
export { greenListMarking, gumbelMarking, type KeyedMarking, keyedMarkings, lexicalMarking, tournamentMarking } from './keyed-marking.js';
export type { LanguageModel, SamplingOptions, TokenLogProb, UniformSource } from './language-model.js';
export type { MarkedAccount, MarkingScheme, SamplingStep, TextMarkerHook, TokenSamplerHook } from './marking-hooks.js';
export { checkModelPathWritable, loadModelFile, ModelFileError, parseModel, saveModelFile, serializeModel } from './model-file.js';
export { NgramModel, type NgramModelInfo } from './ngram-model.js';
export { DEFAULT_ORDER, MAX_ORDER, MIN_ORDER, type TrainOptions, trainNgramModel } from './ngram-training.js';
export { type PerplexityResult, perplexity } from './perplexity.js';
export { type BuildPromptsOptions, buildPrompts, INSTRUCTION_TEMPLATES, type Prompt } from './prompts.js';
export { generateSamples, type Sample, type SampleOptions } from './sample-generation.js';
export { resolveSamplingOptions } from './sampling-options.js';
