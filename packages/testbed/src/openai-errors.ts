/**
 * Errors of the testbed's OpenAI-compatible server, in the shape OpenAI clients parse
 * (`{"error": {"message", "type", "param", "code"}}`) with the matching HTTP status, so the
 * `openai` npm client raises its own typed errors (BadRequestError, NotFoundError, …).
 */
import { LineageError } from '@lineage/core';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: OpenAiErrorType;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/** An error the server answers with; the message is shown to the client, so it never holds secrets. */
export class OpenAiHttpError extends LineageError {
  override readonly name: string = 'OpenAiHttpError';
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly param: string | null;
  readonly code: string | null;

  constructor(status: number, message: string, details: { type?: OpenAiErrorType; param?: string | null; code?: string | null } = {}) {
    super(message);
    this.status = status;
    this.type = details.type ?? 'invalid_request_error';
    this.param = details.param ?? null;
    this.code = details.code ?? null;
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400 for a request field: names the field in `param` as OpenAI does. */
export function invalidParam(param: string | null, message: string, code: string | null = 'invalid_value'): OpenAiHttpError {
  return new OpenAiHttpError(400, message, { param, code });
}

/** 500 without details: internal messages are not shown to clients. */
export function internalError(): OpenAiHttpError {
  return new OpenAiHttpError(500, 'The testbed server had an internal error while processing your request.', { type: 'server_error' });
}
