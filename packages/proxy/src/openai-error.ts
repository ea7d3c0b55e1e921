/**
 * Errors the proxy answers itself, in the OpenAI shape (`{ "error": { message, type, param, code } }`)
 * so every OpenAI client surfaces them the same way as an upstream error.
 */
import type { ServerResponse } from 'node:http';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'api_error' | 'upstream_error';

export interface OpenAiErrorBody {
  readonly error: { readonly message: string; readonly type: OpenAiErrorType; readonly param: string | null; readonly code: string | null };
}

export function openAiError(
  message: string,
  type: OpenAiErrorType,
  code: string | null = null,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** Writes a JSON body with its length; returns the bytes written. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
  return bytes.length;
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: OpenAiErrorType,
  code: string | null = null,
  headers: Record<string, string> = {},
): number {
  return sendJson(res, status, openAiError(message, type, code), headers);
}
