/**
 * `@lineage/embed/ledger`: the canary ledger, which records every canary inserted into a
 * response (account, prompt or its keyed hash, canary, time, key) so that a reproduced canary
 * can be attributed. The embedded store is an SQLite file (better-sqlite3, a native module
 * loaded only by this entry point).
 */
export {
  type CanaryLedger,
  type CanaryRecord,
  exportLedgerJsonl,
  MAX_CANARY_LENGTH,
  MAX_KEY_ID_LENGTH,
  type PromptStorage,
  validateCanaryRecord,
} from './ledger/canary-ledger.js';
export { LEDGER_FORMAT, LEDGER_VERSION, openSqliteLedger, type SqliteLedgerOptions } from './ledger/sqlite-ledger.js';
