import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.js';
import { OpenAiHttpError } from './openai-errors.js';

const limits = { modelName: 'brown-3gram', maxTokensLimit: 4096 };
const valid = { model: 'brown-3gram', messages: [{ role: 'user', content: 'The jury said' }] };

function refusal(body: unknown): OpenAiHttpError {
  try {
    parseChatRequest(body, limits);
  } catch (error) {
    if (error instanceof OpenAiHttpError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('parseChatRequest', () => {
  it('applies the documented defaults', () => {
    expect(parseChatRequest(valid, limits)).toEqual({
      model: 'brown-3gram',
      promptText: 'The jury said',
      maxTokens: 256,
      temperature: 1,
      topP: 1,
      stream: false,
      includeUsage: false,
      logprobs: false,
      topLogprobs: 0,
    });
  });

  it('reads the last user message and ignores the other roles', () => {
    const request = parseChatRequest(
      {
        ...valid,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first' },
          { role: 'assistant', content: null },
          { role: 'developer', content: 'x' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'second' },
              { type: 'text', text: 'part' },
            ],
          },
          { role: 'tool', content: 'result', tool_call_id: 't1' },
        ],
      },
      limits,
    );
    expect(request.promptText).toBe('second\npart');
    expect(parseChatRequest({ ...valid, messages: [{ role: 'system', content: 'only' }] }, limits).promptText).toBe('');
  });

  it('reads every supported field', () => {
    const request = parseChatRequest(
      {
        ...valid,
        max_completion_tokens: 12,
        max_tokens: 99,
        temperature: 0,
        top_p: 0.5,
        seed: -7,
        n: 1,
        stream: true,
        stream_options: { include_usage: true },
        logprobs: true,
        top_logprobs: 20,
        stop: null,
        user: 'ignored',
        frequency_penalty: 0,
        response_format: { type: 'text' },
      },
      limits,
    );
    expect(request).toMatchObject({
      maxTokens: 12,
      temperature: 0,
      topP: 0.5,
      seed: -7,
      stream: true,
      includeUsage: true,
      topLogprobs: 20,
    });
  });

  it.each([
    [[], 400, null],
    [null, 400, null],
    [{ messages: valid.messages }, 400, 'model'],
    [{ ...valid, model: 3 }, 400, 'model'],
    [{ ...valid, model: 'gpt-4o' }, 404, 'model'],
    [{ model: valid.model }, 400, 'messages'],
    [{ ...valid, messages: [] }, 400, 'messages'],
    [{ ...valid, messages: 'hi' }, 400, 'messages'],
    [{ ...valid, messages: [{ role: 'robot', content: 'x' }] }, 400, 'messages[0].role'],
    [{ ...valid, messages: [{ role: 'user', content: 5 }] }, 400, 'messages[0].content'],
    [{ ...valid, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 400, 'messages[0].content[0]'],
    [{ ...valid, max_tokens: 0 }, 400, 'max_tokens'],
    [{ ...valid, max_tokens: 1e300 }, 400, 'max_tokens'],
    [{ ...valid, max_tokens: 4097 }, 400, 'max_tokens'],
    [{ ...valid, max_tokens: 2.5 }, 400, 'max_tokens'],
    [{ ...valid, max_completion_tokens: '10' }, 400, 'max_completion_tokens'],
    [{ ...valid, temperature: 2.5 }, 400, 'temperature'],
    [{ ...valid, temperature: 'hot' }, 400, 'temperature'],
    [{ ...valid, top_p: 0 }, 400, 'top_p'],
    [{ ...valid, top_p: 1.01 }, 400, 'top_p'],
    [{ ...valid, seed: 1.5 }, 400, 'seed'],
    [{ ...valid, n: 2 }, 400, 'n'],
    [{ ...valid, stream: 'yes' }, 400, 'stream'],
    [{ ...valid, stream_options: { include_usage: true } }, 400, 'stream_options'],
    [{ ...valid, stream: true, stream_options: { include_usage: 1 } }, 400, 'stream_options.include_usage'],
    [{ ...valid, top_logprobs: 3 }, 400, 'top_logprobs'],
    [{ ...valid, logprobs: true, top_logprobs: 21 }, 400, 'top_logprobs'],
    [{ ...valid, stop: ['\n'] }, 400, 'stop'],
    [{ ...valid, tools: [{ type: 'function' }] }, 400, 'tools'],
  ])('refuses %j with %i (param %s)', (body, status, param) => {
    const error = refusal(body);
    expect(error.status).toBe(status);
    expect(error.param).toBe(param);
    expect(error.toBody().error.type).toBe('invalid_request_error');
  });

  it('throws nothing but OpenAiHttpError on arbitrary JSON', () => {
    const field = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }));
    const message = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', 'x'), fc.jsonValue()), content: fc.jsonValue() }),
    );
    const nearlyValid = fc.record(
      {
        model: fc.oneof(fc.constant('brown-3gram'), fc.jsonValue({ maxDepth: 1 })),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
        max_tokens: field,
        max_completion_tokens: field,
        temperature: fc.oneof(fc.double(), field),
        top_p: fc.oneof(fc.double(), field),
        seed: fc.oneof(fc.integer(), fc.double(), field),
        n: field,
        stream: fc.oneof(fc.boolean(), field),
        stream_options: field,
        logprobs: fc.oneof(fc.boolean(), field),
        top_logprobs: fc.oneof(fc.integer({ min: -2, max: 25 }), field),
        stop: field,
        logit_bias: field,
        response_format: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearlyValid), (body) => {
        try {
          const request = parseChatRequest(body, limits);
          expect(request.maxTokens).toBeGreaterThanOrEqual(1);
          expect(request.maxTokens).toBeLessThanOrEqual(4096);
          expect(typeof request.promptText).toBe('string');
        } catch (error) {
          if (!(error instanceof OpenAiHttpError)) throw error;
          expect([400, 404]).toContain(error.status);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
