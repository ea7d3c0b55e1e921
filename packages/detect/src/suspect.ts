/**
 * `@lineage/detect/suspect`: probe a suspect model over its chat API and test its answers on
 * every channel, producing an evidence report (its own subpath: it loads tiktoken's WASM).
 */
export { AnswerCache, type AnswerCacheScope, type CachedAnswer } from './probe/answer-cache.js';
export type { EvidenceReport } from './report/evidence-report.js';
export {
  type ProbeProgress,
  type ProbeSuspectOptions,
  probeSuspect,
  textSetHash,
  textSetHash as promptSetHash,
} from './suspect/probe-suspect.js';
export {
  mostSignificant,
  PROBE_SCHEMES,
  type ProbeSchemeName,
  SuspectTester,
  type SuspectTesterOptions,
} from './suspect/suspect-tester.js';
