/**
 * @lineage/proxy: an OpenAI-compatible server that marks every response passing through it, per
 * account (lexical marker and canaries), in front of any chat-completions upstream.
 */
export {};
