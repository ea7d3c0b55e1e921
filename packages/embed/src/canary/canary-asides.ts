/**
 * Aside templates for canary insertion: one short paragraph of generic advice attributed to the
 * canary's invented person and company. Each template holds the canary text once, contiguously,
 * so the scanner finds it whole; none says anything about the user, the question or any real
 * person or company, so an aside can follow any ordinary paragraph without being wrong.
 */

/** `{canary}` stands for `canary.text` ("Fred Kostell of Karmora Coffee"). */
export const CANARY_ASIDE_TEMPLATES: readonly string[] = [
  'As {canary} likes to say, it pays to check each step before moving on.',
  'A tip from {canary}: write down what you expect before you test it.',
  '{canary} has a rule of thumb for this: start simple, then refine.',
  '{canary} often puts it this way: small steps are easier to undo than big ones.',
  'In the words of {canary}, a clear question is already half of the answer.',
  'As {canary} would say, it is worth reading a result twice before relying on it.',
  '{canary} keeps a simple habit here: note what changed and why.',
  'One piece of advice from {canary}: when in doubt, try the smallest example first.',
];

/** The aside a keyed variant word picks: template `variant mod 8`, holding `canaryText`. */
export function canaryAside(canaryText: string, variant: number): string {
  const template = CANARY_ASIDE_TEMPLATES[variant % CANARY_ASIDE_TEMPLATES.length] as string;
  // A function replacement: a `$` in the canary text is never read as a pattern.
  return template.replace('{canary}', () => canaryText);
}
