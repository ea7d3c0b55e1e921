/**
 * Validation of an OpenAI chat-completions request body for the testbed server. Every
 * problem becomes an OpenAiHttpError naming the field (`param`), never another exception,
 * whatever JSON arrives.
 *
 * The n-gram model continues text, so only the last user message is read: system,
 * developer, assistant and tool messages are checked and then ignored. Unknown fields are
 * ignored; fields that would change the output but are not implemented (stop sequences,
 * penalties, logit bias, tools, JSON mode) are refused unless they hold their neutral value.
 */
import { invalidParam, OpenAiHttpError } from './openai-errors.js';

export interface ChatRequest {
  readonly model: string;
  /** Text of the last user message; '' when there is none (generation starts a paragraph). */
  readonly promptText: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  /** Absent: the server draws fresh randomness. */
  readonly seed?: number;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk carries `usage`. */
  readonly includeUsage: boolean;
  readonly logprobs: boolean;
  /** 0..20 alternatives per position; 0 unless `logprobs` is true. */
  readonly topLogprobs: number;
}

export interface ChatRequestLimits {
  /** The only model served; any other name is a 404 `model_not_found`. */
  readonly modelName: string;
  /** Largest `max_tokens` accepted. */
  readonly maxTokensLimit: number;
}

export const DEFAULT_MAX_TOKENS = 256;
export const MAX_TOP_LOGPROBS = 20;
const ROLES = new Set(['system', 'user', 'assistant', 'developer', 'tool']);

/** Checks a parsed JSON body; throws OpenAiHttpError (400 or 404) on any problem. */
export function parseChatRequest(body: unknown, limits: ChatRequestLimits): ChatRequest {
  if (!_isObject(body)) throw invalidParam(null, 'The request body must be a JSON object.', 'invalid_type');

  const model = body.model;
  if (model === undefined || model === null)
    throw invalidParam('model', 'You must provide a model parameter.', 'missing_required_parameter');
  if (typeof model !== 'string') throw invalidParam('model', 'model must be a string.', 'invalid_type');
  if (model !== limits.modelName) {
    throw new OpenAiHttpError(404, `The model \`${_clip(model)}\` does not exist; this server serves \`${limits.modelName}\`.`, {
      param: 'model',
      code: 'model_not_found',
    });
  }

  const promptText = _lastUserText(body.messages);

  // max_completion_tokens is OpenAI's newer name; it wins when both are sent.
  const legacyMaxTokens = _optionalInteger(body, 'max_tokens', 1, limits.maxTokensLimit);
  const maxCompletionTokens = _optionalInteger(body, 'max_completion_tokens', 1, limits.maxTokensLimit);
  const maxTokens = maxCompletionTokens ?? legacyMaxTokens ?? Math.min(DEFAULT_MAX_TOKENS, limits.maxTokensLimit);
  const temperature = _optionalNumber(body, 'temperature', 0, 2, true) ?? 1;
  const topP = _optionalNumber(body, 'top_p', 0, 1, false) ?? 1;

  const seed = body.seed;
  if (seed !== undefined && seed !== null && !(typeof seed === 'number' && Number.isInteger(seed))) {
    throw invalidParam('seed', 'seed must be an integer.', 'invalid_type');
  }

  const n = body.n;
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidParam('n', 'n must be an integer.', 'invalid_type');
    if (n !== 1) throw invalidParam('n', `This server returns one choice per request; n must be 1, got ${n}.`, 'unsupported_value');
  }

  const stream = _optionalBoolean(body, 'stream') ?? false;
  let includeUsage = false;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) throw invalidParam('stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    if (!_isObject(streamOptions)) throw invalidParam('stream_options', 'stream_options must be an object.', 'invalid_type');
    includeUsage = _optionalBoolean(streamOptions, 'include_usage', 'stream_options.include_usage') ?? false;
  }

  const logprobs = _optionalBoolean(body, 'logprobs') ?? false;
  const topLogprobs = _optionalInteger(body, 'top_logprobs', 0, MAX_TOP_LOGPROBS);
  if (topLogprobs !== undefined && !logprobs) {
    throw invalidParam('top_logprobs', 'logprobs must be set to true if top_logprobs is used.');
  }

  _refuseUnsupported(body);

  return {
    model,
    promptText,
    maxTokens,
    temperature,
    topP,
    ...(typeof seed === 'number' ? { seed } : {}),
    stream,
    includeUsage,
    logprobs,
    topLogprobs: topLogprobs ?? 0,
  };
}

function _lastUserText(messages: unknown): string {
  if (messages === undefined || messages === null) {
    throw invalidParam('messages', 'You must provide a messages parameter.', 'missing_required_parameter');
  }
  if (!Array.isArray(messages)) throw invalidParam('messages', 'messages must be an array.', 'invalid_type');
  if (messages.length === 0) throw invalidParam('messages', 'messages must hold at least one message.', 'empty_array');
  let last = '';
  messages.forEach((message: unknown, i) => {
    const where = `messages[${i}]`;
    if (!_isObject(message)) throw invalidParam(where, `${where} must be an object.`, 'invalid_type');
    const role = message.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw invalidParam(`${where}.role`, `${where}.role must be one of ${[...ROLES].join(', ')}.`, 'invalid_value');
    }
    const text = _contentText(message.content, role, `${where}.content`);
    if (role === 'user') last = text;
  });
  return last;
}

function _contentText(content: unknown, role: string, where: string): string {
  if (typeof content === 'string') return content;
  // An assistant turn that only called tools has no content.
  if ((content === null || content === undefined) && role === 'assistant') return '';
  if (!Array.isArray(content)) throw invalidParam(where, `${where} must be a string or an array of text parts.`, 'invalid_type');
  const texts = content.map((part: unknown, j) => {
    if (!_isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
      throw invalidParam(
        `${where}[${j}]`,
        `${where}[${j}] must be {"type": "text", "text": string}; this server reads text only.`,
        'invalid_type',
      );
    }
    return part.text;
  });
  return texts.join('\n');
}

function _optionalInteger(body: Record<string, unknown>, param: string, min: number, max: number): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParam(param, `${param} must be an integer.`, 'invalid_type');
  if (value < min) throw invalidParam(param, `${param} must be at least ${min}, got ${value}.`, 'integer_below_min_value');
  if (value > max) throw invalidParam(param, `${param} must be at most ${max}, got ${value}.`, 'integer_above_max_value');
  return value;
}

function _optionalNumber(body: Record<string, unknown>, param: string, min: number, max: number, minIncluded: boolean): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParam(param, `${param} must be a number.`, 'invalid_type');
  if (value > max || value < min || (!minIncluded && value === min)) {
    throw invalidParam(param, `${param} must be in ${minIncluded ? '[' : '('}${min}, ${max}], got ${value}.`, 'invalid_value');
  }
  return value;
}

function _optionalBoolean(body: Record<string, unknown>, field: string, param = field): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(param, `${param} must be a boolean.`, 'invalid_type');
  return value;
}

/** Fields that change the output and are not implemented: allowed only at their neutral value. */
function _refuseUnsupported(body: Record<string, unknown>): void {
  const neutral: Record<string, (value: unknown) => boolean> = {
    stop: (v) => v === '' || (Array.isArray(v) && v.length === 0),
    logit_bias: (v) => _isObject(v) && Object.keys(v).length === 0,
    frequency_penalty: (v) => v === 0,
    presence_penalty: (v) => v === 0,
    tools: (v) => Array.isArray(v) && v.length === 0,
    functions: (v) => Array.isArray(v) && v.length === 0,
    response_format: (v) => _isObject(v) && v.type === 'text',
  };
  for (const [param, isNeutral] of Object.entries(neutral)) {
    const value = body[param];
    if (value !== undefined && value !== null && !isNeutral(value)) {
      throw invalidParam(param, `${param} is not supported by the testbed model server; leave it out.`, 'unsupported_parameter');
    }
  }
}

function _isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function _clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
