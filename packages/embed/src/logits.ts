/** `@lineage/embed/logits`: token-level marking for pipelines that sample tokens themselves. */

export {
  type LogitsRows,
  type TransformersProcessorOptions,
  tokenBiasCallback,
  transformersLogitsProcessor,
} from './engine-adapters.js';
export { GreenListMarker, type GreenListMarkerOptions, type UniformSource } from './green-list-marker.js';
export { GumbelMarker, type GumbelMarkerOptions } from './gumbel-marker.js';
export { type MarkedAccountOptions, MarkingChannels } from './marking-channels.js';
export { createTokenMarker, softmax, type TokenMarker, type TokenMarkerOptions, type TokenSchemeName } from './token-marker.js';
export { TournamentMarker, type TournamentMarkerOptions } from './tournament-marker.js';
