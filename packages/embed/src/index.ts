/**
 * @lineage/embed: marks responses as they are generated. Token-level schemes live in
 * `@lineage/embed/logits`; the text-level lexical marker and canaries arrive with their issues.
 */
export * from './logits.js';
