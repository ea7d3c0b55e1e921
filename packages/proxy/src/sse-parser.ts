/**
 * An incremental parser for server-sent events as OpenAI streams them (`data: {json}` events
 * separated by blank lines, `data: [DONE]` at the end). Only `data` fields matter here; comments
 * and other fields are dropped. Buffering is bounded: an event longer than `maxEventBytes`
 * characters is an error rather than unbounded memory.
 */

export class SseParseError extends Error {
  override readonly name = 'SseParseError';
}

export class SseParser {
  readonly #maxEventChars: number;
  #buffer = '';
  #data: string[] = [];
  #dataChars = 0;

  constructor(maxEventChars = 16 * 1024 * 1024) {
    this.#maxEventChars = maxEventChars;
  }

  /** Feeds decoded text; returns the `data` payloads of the events it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    const events: string[] = [];
    let start = 0;
    for (;;) {
      const newline = this.#buffer.indexOf('\n', start);
      if (newline < 0) break;
      let line = this.#buffer.slice(start, newline);
      start = newline + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.#line(line, events);
    }
    this.#buffer = this.#buffer.slice(start);
    if (this.#buffer.length + this.#dataChars > this.#maxEventChars)
      throw new SseParseError('upstream sent an event stream line longer than the limit');
    return events;
  }

  /** Ends the stream: an event left without its blank line still counts. */
  end(): string[] {
    const events: string[] = [];
    if (this.#buffer.length > 0) this.#line(this.#buffer.replace(/\r$/, ''), events);
    this.#buffer = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === '') {
      if (this.#data.length > 0) events.push(this.#data.join('\n'));
      this.#data = [];
      this.#dataChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.#data.push(value);
    this.#dataChars += value.length + 1;
    if (this.#dataChars > this.#maxEventChars) throw new SseParseError('upstream sent an event longer than the limit');
  }
}
