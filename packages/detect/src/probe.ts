/**
 * `@lineage/detect/probe`: ask a suspect model over its OpenAI-compatible chat API, with
 * retries, timeouts and bounded concurrency (its own subpath: no tokenizer, no WASM).
 */
export {
  type ChatAnswer,
  ChatClient,
  type ChatClientOptions,
  type ChatMessage,
  type ChatRole,
  type CompleteOptions,
  ProbeHttpError,
} from './probe/chat-client.js';
export { type MapConcurrentOptions, mapConcurrent } from './probe/concurrency.js';
