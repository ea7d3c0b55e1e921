/**
 * @lineage/detect: exact tests for Lineage marks. The green-list provider channel is here;
 * the other token-level schemes, identity decoding, probing and reports arrive with their issues.
 */

export {
  type CorrectedResult,
  correctForTests,
  type DetectTokensOptions,
  detectTokens,
  TOKEN_SCHEMES,
  type TokenSchemeName,
} from './detect-tokens.js';
export type { DetectionResult } from './detection-result.js';
export { detectGreenList, type GreenListDetectOptions } from './green-list-detector.js';
export { detectGumbel, type GumbelDetectOptions } from './gumbel-detector.js';
export { detectTournament, type TournamentDetectOptions } from './tournament-detector.js';
