/**
 * Which probe failures end the whole run and which fail one prompt only. A rejected key, a
 * missing endpoint or model, or a redirect fails every request the same way: stop and say so.
 * Anything else the client gave up on (retries exhausted, a prompt the suspect refuses or finds
 * too long) fails that prompt alone, and the run goes on.
 */
import { ProbeHttpError } from './chat-client.js';

/** Statuses that mean every request will fail the same way: a rejected key, or no such endpoint or model. */
const FATAL_STATUS = new Set([401, 403, 404]);

export function failsThisQueryOnly(error: unknown): error is ProbeHttpError {
  if (!(error instanceof ProbeHttpError) || error.unreachable) return false;
  const { status } = error;
  if (status !== undefined && (FATAL_STATUS.has(status) || (status >= 300 && status < 400))) return false;
  return error.retryable || status !== undefined;
}
