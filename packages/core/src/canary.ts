/**
 * @lineage/core/canary: the canary space (four word lists, 2^44 canaries) and keyed draws.
 * A separate entry point so that importing @lineage/core does not load the word lists.
 */
export { type CanaryDraw, CanaryDrawer, MAX_PROMPT_LENGTH, normalizePrompt } from './canary/canary-draw.js';
export {
  CANARY_CONNECTORS,
  CANARY_PART_BITS,
  CANARY_SPACE_BITS,
  CANARY_SPACE_SIZE,
  type Canary,
  CanarySpace,
  canarySpace,
} from './canary/canary-space.js';
