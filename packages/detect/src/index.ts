/**
 * @lineage/detect: exact tests for Lineage marks. Token-level schemes and the lexical scheme on
 * their three channels (provider, campaigns, identity); probing and reports arrive with their issues.
 */

export { AccountDirectory } from './account-directory.js';
export type { CampaignResult, CorrectedResult, IdentityResult, IdentityStatus } from './channel-detection.js';
export { type DetectTokensOptions, decodeIdentity, detectTokens, TOKEN_SCHEMES, type TokenSchemeName } from './detect-tokens.js';
export type { DetectionResult } from './detection-result.js';
export { detectGreenList, type GreenListDetectOptions, greenListStatistic } from './green-list-detector.js';
export { detectGumbel, type GumbelDetectOptions, gumbelStatistic } from './gumbel-detector.js';
export { type DetectLexicalOptions, detectLexical, LEXICAL_STATISTIC } from './lexical-detector.js';
export {
  type ReadingModeOptions,
  type ReadingModeResult,
  type ReadingSchemeResult,
  readingModeTest,
  type TopTokenPredictor,
} from './reading-mode.js';
export type { ChannelStatistic, SchemeStatistic } from './scheme-statistic.js';
export { detectTournament, type TournamentDetectOptions, tournamentStatistic } from './tournament-detector.js';
