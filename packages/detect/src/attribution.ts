/**
 * @lineage/detect/attribution: which account or campaign a leaked or published text was served
 * to, text by text, and a summary over many texts corrected for their number. Its own entry
 * point because it tokenizes (tiktoken's WASM).
 */
export { AttributionSummary, type AttributionSummaryEntry, type AttributionSummaryJson } from './attribution-summary.js';
export {
  ATTRIBUTION_SCHEMES,
  type Attribution,
  type AttributionSchemeName,
  type CanaryEvidence,
  type Presence,
  type TextAttribution,
  TextAttributor,
  type TextAttributorOptions,
} from './attribution-text.js';
