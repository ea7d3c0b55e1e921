/**
 * @lineage/embed: marks responses as they are generated. Token-level schemes live in
 * `@lineage/embed/logits`, the text-level lexical marker in `@lineage/embed/text`; canaries
 * arrive with their issue.
 */
export * from './logits.js';
export * from './text.js';
