/**
 * The parts of a chat-completions request the proxy reads or changes: validation (an object
 * with a `messages` array), the canary prompt (the last user message's text), and the logprobs
 * fields it strips so a client cannot read the unmarked tokens' probabilities.
 */

export class ChatRequestError extends Error {
  override readonly name = 'ChatRequestError';
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export type ChatBody = Record<string, unknown> & { messages: unknown[] };

/** Parses and checks a request body; throws ChatRequestError with a message for the client. */
export function parseChatBody(raw: string): ChatBody {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ChatRequestError('the request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ChatRequestError('the request body must be a JSON object');
  const messages = (body as Record<string, unknown>).messages;
  if (!Array.isArray(messages)) throw new ChatRequestError("'messages' must be an array of messages", 'messages');
  const stream = (body as Record<string, unknown>).stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean')
    throw new ChatRequestError("'stream' must be a boolean", 'stream');
  return body as ChatBody;
}

/** The text of the last user message (text parts joined by newlines), or '' when there is none. */
export function lastUserPrompt(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (typeof message !== 'object' || message === null || (message as { role?: unknown }).role !== 'user') continue;
    const content = (message as { content?: unknown }).content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      return content
        .filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string')
        .map((part) => part.text)
        .join('\n');
    }
    return '';
  }
  return '';
}

/** Removes `logprobs` and `top_logprobs` from a request body (in place). */
export function stripRequestLogprobs(body: Record<string, unknown>): void {
  delete body.logprobs;
  delete body.top_logprobs;
}
