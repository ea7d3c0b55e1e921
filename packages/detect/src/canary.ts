/**
 * @lineage/detect/canary: finds ledgered canaries in text in one pass and tests the hits with an
 * exact binomial p-value. A separate entry point: it loads the canary word lists.
 */
export { type CanaryHit, CanaryScanner, type CanaryScanResult, CanaryScanSession, type LedgeredCanary } from './canary/canary-scanner.js';
export {
  type ReplayAnswer,
  type ReplayCandidate,
  type ReplayGroupSummary,
  type ReplayProbeOptions,
  type ReplayProbeReport,
  type ReplayPrompt,
  type ReplaySelection,
  replayProbe,
  selectReplayPrompts,
} from './canary/replay-probe.js';
