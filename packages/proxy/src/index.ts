/**
 * @lineage/proxy: an OpenAI-compatible server that marks every response passing through it, per
 * account (lexical marker and canaries), in front of any chat-completions upstream.
 */
export type { AccountResolver, ResolvedAccount } from './account-resolver.js';
export {
  ACCOUNTS_FILE_FORMAT,
  ACCOUNTS_FILE_VERSION,
  type AccountRecord,
  type AccountSummary,
  type AccountsFile,
  type AddAccountOptions,
  API_KEY_PREFIX,
  addAccount,
  flagAccount,
  hashApiKey,
  type IssuedKey,
  listAccounts,
  type OpenAccountsFileOptions,
  openAccountsFile,
  parseAccountsFile,
  readAccountsFile,
  serializeAccountsFile,
} from './accounts-file.js';
export { type ProxyLogEvent, type ProxyOptions, type ProxyServer, startProxy } from './proxy-server.js';
export { type ResponseCanaries, ResponseMarker, type ResponseMarkerOptions, type TextPipeline } from './response-marker.js';
