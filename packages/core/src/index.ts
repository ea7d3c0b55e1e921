/**
 * @lineage/core: keys, the keyed PRF, exact statistics and the scoring tape.
 * The tokenizer (WASM) is a separate entry point: `@lineage/core/tokenizer`.
 */
export { binomialTail, lnBinomialTail } from './binomial-tail.js';
export { fisherCombine, stoufferCombine } from './combine-p-values.js';
export { commitmentOf, keyIdOf, opensCommitment } from './commitment.js';
export { DEFAULT_ENCODING, ENCODINGS, type EncodingName, isEncodingName, ORDINARY_VOCAB_SIZE } from './encodings.js';
export { KeyFileError, LineageError, LineageInputError, TokenizerError } from './errors.js';
export { FingerprintSet } from './fingerprint-set.js';
export { gammaTail, lnGammaTail } from './gamma-tail.js';
export {
  AccountCoder,
  type ChannelSchemeName,
  channelPurposes,
  DECODING_SHARE,
  DIGIT_STRIDE,
  formatCode,
  IdentityLayout,
  type TokenSchemeName,
} from './identity-channel.js';
export { isRecord } from './is-record.js';
export { type DerivationLabel, type DerivationPurpose, derivationInfo, deriveKeyMaterial } from './key-derivation.js';
export {
  addCampaignToKeyFile,
  type CreateKeyFileOptions,
  createKeyFile,
  type GenerateKeyOptions,
  generateKey,
  ID_PATTERN,
  KEY_FILE_FORMAT,
  KEY_FILE_VERSION,
  keyFromSecret,
  loadKeyFile,
  parseKeyFile,
  rotateKeyFile,
  saveKeyFile,
  serializeKeyFile,
} from './key-file.js';
export { type KsResult, ksUniform } from './ks-test.js';
export { forEachLexicalSite, LexicalRewriter, type LexicalRewriterOptions, rewriteText } from './lexical/lexical-rewriter.js';
export { builtInLexicon, type LexicalSet, type LexicalSetEntry, Lexicon, type VariantMatch } from './lexical/lexicon.js';
export { preferredVariant } from './lexical/preference.js';
export { type LexicalSite, normalizeWord, type SiteChooser } from './lexical/site-scanner.js';
export { type Campaign, type DeriveOptions, type KeyEpoch, type KeyInfo, LineageKey } from './lineage-key.js';
export { logBinomialPmf, logPoissonPmf } from './log-pmf.js';
export { MinSelfHash } from './min-self-hash.js';
export { bonferroni, holm } from './multiple-testing.js';
export { lnNormalUpperTail, normalQuantileFromLnTail } from './normal-tail.js';
export { lnOfPValue, log1mExp, logAddExp, type PValue, pValueFromLn } from './p-value.js';
export { contextSeed, greenProbability, greenThreshold, mix32, type PrfKey, prfKeyFromBytes, prfUniform, prfWord } from './prf.js';
export { type PrivateFileFailure, readOpenFile, type WritePrivateFileOptions, writePrivateFileAtomically } from './private-file.js';
export {
  DEFAULT_SCHEME_PARAMETERS,
  type GreenListParameters,
  type GumbelParameters,
  type IdentityParameters,
  type LexicalParameters,
  resolveSchemeParameters,
  type SchemeParameters,
  type TournamentParameters,
} from './scheme-parameters.js';
export { ScoringTape, type ScoringTapeOptions } from './scoring-tape.js';
export { SeededRandom } from './seeded-random.js';
export { type SipKey, sipHash24, sipHash24Words, sipKeyFromBytes } from './siphash.js';
