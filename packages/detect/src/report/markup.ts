/**
 * HTML built by construction, not by care: `html` is a tagged template that escapes every
 * interpolated string or number and passes through only `Markup` made by itself. Everything
 * in an evidence report that came from the outside (model name, URL, account and campaign
 * ids, canaries, error text) is text, and stays text in HTML and in inline SVG alike.
 */

/** Escapes the five characters that matter in HTML text and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A fragment of markup that is already safe (made by `html` from trusted literals and escaped values). */
export class Markup {
  readonly #text: string;
  private constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
  /** @internal For `html` only: the text must already be safe markup. */
  static _trusted(text: string): Markup {
    return new Markup(text);
  }
}

export type MarkupValue = Markup | string | number | null | undefined | false | readonly MarkupValue[];

function render(value: MarkupValue): string {
  if (value instanceof Markup) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\``: the literal parts are trusted, every value is escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly MarkupValue[]): Markup {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i] as MarkupValue) + (strings[i + 1] as string);
  return Markup._trusted(out);
}
