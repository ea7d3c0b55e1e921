/**
 * `@lineage/embed/canary`: canaries in served responses. The policy picks responses per
 * (account, prompt); the inserter places an invented name naturally, whole or streamed; the
 * marker ties both to a ledger (`@lineage/embed/ledger`).
 */
export { CanaryInserter, type CanaryInsertion, canaryInsertStream, insertCanary } from './canary/canary-inserter.js';
export { CanaryMarker, type CanaryMarkerOptions, type CanaryOutcome } from './canary/canary-marker.js';
export {
  type CanaryCounter,
  type CanaryDecision,
  CanaryPolicy,
  type CanaryPolicyOptions,
  type CanaryRequest,
} from './canary/canary-policy.js';
