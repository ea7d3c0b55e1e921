/**
 * The evidence report as one self-contained HTML5 page: inline CSS and inline SVG charts, no
 * script, and a Content-Security-Policy that forbids every fetch, so opening the page (even one
 * built from a hostile suspect's model name) contacts nobody. It is rendered from the JSON
 * report alone, and every string taken from the report is escaped (see markup.ts).
 */
import type { CampaignResult, CorrectedResult, IdentityResult } from '../channel-detection.js';
import type { CanaryFindings, EvidenceReport, QueryCounts, SchemeTrace } from './evidence-report.js';
import { html, type Markup, type MarkupValue } from './markup.js';
import { barChart, type LineSeries, lineChart } from './svg-chart.js';

/**
 * Charts stop at p = 1e-300: further down a linear axis would squeeze the range that matters
 * (around alpha) into a few pixels, and a double cannot hold such a p anyway. The tables give
 * the exact values.
 */
const LOG10P_FLOOR = -300;
const Z95 = 1.959963984540054;

export function renderReportHtml(report: EvidenceReport): string {
  const { provider } = report;
  const marked = provider.verdict === 'marked';
  const title = `Lineage evidence report: ${report.suspect.model} (${marked ? 'marked' : 'not marked'})`;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${verdictHeader(report)}
${testedSection(report)}
${schemesSection(report)}
${readingSection(report.reading)}
${campaignsSection(report)}
${identitySection(report.identity)}
${canarySection(report.canaries)}
${queriesSection(report.queries)}
<footer>${report.format} version ${report.version}, written by ${report.tool.name} ${report.tool.version}. This page is self-contained: it loads nothing and runs no script. Every p-value is exact (computed in log space) and already corrected as stated; the JSON report holds the same numbers.</footer>
</main>
</body>
</html>
`;
  return page.toString();
}

function verdictHeader(report: EvidenceReport): Markup {
  const { provider, settings } = report;
  const marked = provider.verdict === 'marked';
  return html`<header class="verdict ${marked ? 'verdict-marked' : 'verdict-not-marked'}">
<p class="kicker">Lineage evidence report</p>
<h1 id="verdict">${marked ? 'Marked' : 'Not marked'}: ${
    marked ? "the suspect's answers carry the provider watermark" : 'no significant evidence of the provider watermark'
  }</h1>
<p class="suspect">Suspect model <strong class="model">${report.suspect.model}</strong> at <code class="base-url">${report.suspect.baseUrl}</code></p>
<dl class="headline">
<div><dt>Provider verdict</dt><dd>${provider.verdict}</dd></div>
<div><dt>Scheme</dt><dd>${provider.scheme}</dd></div>
<div><dt>p-value</dt><dd>${formatPValue(provider.pValue, provider.log10P)}</dd></div>
<div><dt>log<sub>10</sub> p</dt><dd>${formatLog10P(provider.log10P)}</dd></div>
<div><dt>alpha</dt><dd>${formatPValue(settings.alpha)}</dd></div>
<div><dt>Run status</dt><dd class="status status-${report.status}">${report.status}</dd></div>
</dl>
<p>${statusSentence(report)}</p>
${report.error !== undefined ? html`<p class="error">Error: <span>${report.error}</span></p>` : ''}
${
  marked
    ? ''
    : html`<p class="caveat">"Not marked" means the test did not reach alpha on these answers; it is not proof that the suspect never saw marked text.</p>`
}
</header>`;
}

function statusSentence(report: EvidenceReport): string {
  switch (report.status) {
    case 'complete':
      return 'The run completed its plan: every planned query was asked or read from the cache.';
    case 'stopped-early':
      return `The run stopped early: the sequential test was decisive at look ${report.sequential.stoppedAtLook ?? '?'} of ${report.sequential.looks} (the correction for looks covers this).`;
    case 'interrupted':
      return 'The run was interrupted before its plan ended; the results cover the answers received until then.';
    case 'failed':
      return 'The run failed before its plan ended; the results cover the answers received until then.';
  }
}

function testedSection(report: EvidenceReport): Markup {
  const { key, settings, sequential, prompts } = report;
  const filter = settings.filter
    ? `served windows of ${formatCount(settings.filter.texts)} texts (SHA-256 ${settings.filter.sha256})`
    : 'none';
  return html`<section id="tested">
<h2>What was tested</h2>
<dl class="facts">
${fact('Key id', html`<code>${key.keyId}</code>`)}
${fact('Key commitment', html`<code class="hash">${key.commitment}</code>`)}
${fact('Tokenizer', key.tokenizer)}
${fact('Suspect base URL', html`<code>${report.suspect.baseUrl}</code>`)}
${fact('Suspect model', report.suspect.model)}
${fact('Prompts', `${formatCount(prompts.count)} prompts`)}
${fact('Prompt set SHA-256', html`<code class="hash">${prompts.sha256}</code>`)}
${fact('Tool', `${report.tool.name} ${report.tool.version}`)}
${fact('Started', report.startedAt)}
${fact('Finished', `${report.finishedAt}${duration(report.startedAt, report.finishedAt)}`)}
</dl>
<h3>Settings</h3>
<dl class="facts">
${fact('alpha', formatPValue(settings.alpha))}
${fact('Schemes tested', settings.schemes.join(', ') || 'none')}
${fact('Max tokens per answer', settings.maxTokens === null ? 'suspect default' : formatCount(settings.maxTokens))}
${fact('Temperature', settings.temperature === null ? 'suspect default' : String(settings.temperature))}
${fact('Concurrency', formatCount(settings.concurrency))}
${fact('Registered accounts', formatCount(settings.registeredAccounts))}
${fact('Scoring filter', filter)}
</dl>
<h3>Sequential plan</h3>
<dl class="facts">
${fact('Planned looks', formatCount(sequential.looks))}
${fact('Looks after answers', sequential.lookAt.map(formatCount).join(', ') || 'none')}
${fact('Stopped at look', sequential.stoppedAtLook === null ? 'did not stop early' : String(sequential.stoppedAtLook))}
${fact('Rule', sequential.rule)}
</dl>
<h3>Corrections</h3>
${
  report.corrections.length > 0
    ? html`<ul class="corrections">${report.corrections.map((c) => html`<li>${c}</li>`)}</ul>`
    : html`<p>No correction was applied.</p>`
}
</section>`;
}

function fact(name: string, value: MarkupValue): Markup {
  return html`<div><dt>${name}</dt><dd>${value}</dd></div>`;
}

function schemesSection(report: EvidenceReport): Markup {
  const rateTraces = report.traces.filter((t) => t.hitProbability !== undefined && t.points.some((p) => p.scored > 0));
  return html`<section id="schemes">
<h2>Provider test by scheme</h2>
${resultTable(
  ['Scheme', 'Scored', 'Score', 'Expected', 'p-value', 'log10 p', 'Verdict', 'Correction'],
  report.schemes.map((r) => [r.scheme, formatCount(r.scored), formatStat(r.score), formatStat(r.expected), ...pColumns(r), correction(r)]),
  'schemes',
)}
<figure>
${pValueChart(report)}
<figcaption>log<sub>10</sub> p of each scheme's provider test against the tuples scored as answers came in (corrected like the final result); the dashed line is log<sub>10</sub> alpha. Only the planned looks (see the sequential plan) and the final result are tests; the points between them describe the course and prove nothing on their own.</figcaption>
</figure>
${rateTraces.map(
  (t) => html`<figure>
${rateChart(t)}
<figcaption>Scheme ${t.scheme}: the observed hit rate (score / scored) with its 95% Wilson interval, against the rate expected without the mark (${formatStat(
    t.hitProbability as number,
  )}).</figcaption>
</figure>`,
)}
</section>`;
}

function pValueChart(report: EvidenceReport): Markup {
  const alphaLine = Math.log10(report.settings.alpha);
  const lines: LineSeries[] = report.traces.map((t) => ({ name: t.scheme, points: t.points.map((p) => ({ x: p.scored, y: p.log10P })) }));
  const lowest = lines.reduce((low, s) => s.points.reduce((l, p) => (Number.isFinite(p.y) ? Math.min(l, p.y) : l), low), alphaLine);
  const clamped = lowest < LOG10P_FLOOR;
  return lineChart({
    kind: 'pvalue',
    title: 'log10 p against tokens scored, per scheme',
    ...(clamped ? { note: `log10 p below ${LOG10P_FLOOR} is drawn at ${LOG10P_FLOOR}; the tables give the exact values.` } : {}),
    x: { label: 'tuples scored', min: 0 },
    y: { label: 'log10 p', max: 0, ...(clamped ? { min: LOG10P_FLOOR } : {}) },
    lines,
    references: [{ label: `alpha = ${formatPValue(report.settings.alpha)}`, value: alphaLine }],
  });
}

function rateChart(trace: SchemeTrace): Markup {
  const points = trace.points.filter((p) => p.scored > 0);
  return lineChart({
    kind: 'rate',
    title: `Hit rate against tokens scored, scheme ${trace.scheme}`,
    x: { label: 'tuples scored', min: 0 },
    y: { label: 'hit rate', bounds: [0, 1], format: (v) => String(Number(v.toPrecision(3))) },
    lines: [{ name: `${trace.scheme}: score / scored`, points: points.map((p) => ({ x: p.scored, y: p.score / p.scored })) }],
    bands: [{ name: '95% Wilson interval', points: points.map((p) => ({ x: p.scored, ...wilson(p.score, p.scored) })) }],
    references: [{ label: `null rate ${formatStat(trace.hitProbability as number)}`, value: trace.hitProbability as number }],
  });
}

/** The Wilson score interval of a binomial rate: sensible at 0, 1 and small n, unlike the Wald interval. */
function wilson(hits: number, n: number): { low: number; high: number } {
  const rate = Math.min(1, Math.max(0, hits / n));
  const z2 = Z95 * Z95;
  const centre = (rate + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function readingSection(reading: EvidenceReport['reading']): Markup | '' {
  if (!reading) return '';
  return html`<section id="reading">
<h2>Reading mode</h2>
<p>Marked texts were fed through the suspect's own next-token distributions (teacher forcing); its top-1 prediction after the true preceding tokens was scored under the key, never the true token, each window once at its first occurrence. A separate test at alpha.</p>
${resultTable(
  ['Scheme', 'Positions', 'Scored', 'Repeated windows', 'Score', 'Expected', 'p-value', 'log10 p', 'Verdict', 'Correction'],
  reading.schemes.map((r) => [
    r.scheme,
    formatCount(r.positions),
    formatCount(r.scored),
    formatCount(r.repeatedWindows),
    formatStat(r.score),
    formatStat(r.expected),
    ...pColumns(r),
    correction(r),
  ]),
  'reading',
)}
</section>`;
}

function campaignsSection(report: EvidenceReport): Markup {
  const { campaigns } = report;
  if (campaigns.length === 0) return html`<section id="campaigns"><h2>Campaigns</h2><p>No campaign key was tested.</p></section>`;
  return html`<section id="campaigns">
<h2>Campaigns</h2>
${resultTable(
  ['Campaign', 'Scheme', 'Scored', 'Score', 'Expected', 'p-value', 'log10 p', 'Verdict', 'Correction'],
  campaigns.map((r) => [
    r.campaign,
    r.scheme,
    formatCount(r.scored),
    formatStat(r.score),
    formatStat(r.expected),
    ...pColumns(r),
    correction(r),
  ]),
  'campaigns',
)}
<figure>
${campaignChart(report)}
<figcaption>−log<sub>10</sub> p of each campaign's test (corrected); bars past the dashed alpha line are significant.</figcaption>
</figure>
</section>`;
}

function campaignChart(report: EvidenceReport): Markup {
  const threshold = -Math.log10(report.settings.alpha);
  const schemes = new Set(report.campaigns.map((c) => c.scheme));
  const label = (c: CampaignResult) => (schemes.size > 1 ? `${c.campaign} (${c.scheme})` : c.campaign);
  const highest = Math.max(threshold, ...report.campaigns.map((c) => -c.log10P).filter(Number.isFinite));
  const clamped = highest > -LOG10P_FLOOR;
  return barChart({
    kind: 'campaigns',
    title: '-log10 p per campaign',
    ...(clamped ? { note: `Bars beyond ${-LOG10P_FLOOR} are cut at ${-LOG10P_FLOOR}; the table gives the exact values.` } : {}),
    x: { label: '−log10 p', min: 0, ...(clamped ? { max: -LOG10P_FLOOR } : {}) },
    bars: report.campaigns.map((c) => ({
      label: label(c),
      value: -c.log10P,
      valueLabel: `p = ${formatPValue(c.pValue, c.log10P)}`,
      highlight: c.verdict === 'marked',
    })),
    references: [{ label: `alpha = ${formatPValue(report.settings.alpha)}`, value: threshold }],
  });
}

function identitySection(identity: readonly IdentityResult[]): Markup {
  if (identity.length === 0) return html`<section id="identity"><h2>Identity</h2><p>The identity channel was not tested.</p></section>`;
  return html`<section id="identity">
<h2>Identity</h2>
${resultTable(
  [
    'Scheme',
    'Status',
    'Account',
    'Candidates',
    'Code',
    'p-value',
    'log10 p',
    'Verdict',
    'Identity p',
    'Presence p',
    'Undecoded digits',
    'Correction',
  ],
  identity.map((r) => [
    r.scheme,
    r.status,
    r.account ?? '—',
    r.candidates.join(', ') || '—',
    html`<code>${r.code}</code>`,
    ...pColumns(r),
    formatPValue(r.identityPValue),
    formatPValue(r.presencePValue),
    formatCount(r.undecodedDigits),
    correction(r),
  ]),
  'identity',
)}
<p>Status "account" names a registered account whose code was decoded; "no-single-account" means the text is marked but no single account can be named (a mixture, a campaign, an unregistered account, or too little text). Each account p-value includes the code-space term (registered accounts × radix<sup>−digits</sup>).</p>
</section>`;
}

function canarySection(canaries: CanaryFindings | null): Markup {
  if (canaries === null)
    return html`<section id="canaries"><h2>Canaries</h2><p class="no-ledger">No ledger given: canaries were not tested.</p></section>`;
  return html`<section id="canaries">
<h2>Canaries</h2>
<dl class="facts">
${fact('Verdict', canaries.verdict)}
${fact('p-value', formatPValue(canaries.pValue, canaries.log10P))}
${fact('log10 p', formatLog10P(canaries.log10P))}
${fact('Ledger draws tested', formatCount(canaries.draws))}
${fact('Draws left out (their words occur in a prompt)', formatCount(canaries.excludedDraws))}
${fact('Shaped windows', formatCount(canaries.shapedWindows))}
${fact('Hits expected by chance', formatStat(canaries.expected))}
${fact('Distinct canaries found', formatCount(canaries.hits.length))}
</dl>
${
  canaries.hits.length > 0
    ? resultTable(
        ['Canary', 'Account', 'Campaign', 'Occurrences'],
        canaries.hits.map((h) => [html`<code>${h.canary}</code>`, h.account, h.campaign ?? '—', formatCount(h.occurrences)]),
        'canary-hits',
      )
    : html`<p>No ledgered canary occurred in the answers.</p>`
}
<h3>Burned canaries</h3>
<p>This report publishes these canaries; once shown they may enter training data, so later scans should leave them out.</p>
${canaries.burned.length > 0 ? html`<ul class="burned">${canaries.burned.map((c) => html`<li><code>${c}</code></li>`)}</ul>` : html`<p>None.</p>`}
</section>`;
}

function queriesSection(q: QueryCounts): Markup {
  return html`<section id="queries">
<h2>Queries</h2>
${resultTable(
  ['Planned', 'Answered', 'Asked', 'Cached', 'Failed', 'Skipped', 'HTTP requests', 'Answer tokens'],
  [[q.planned, q.answered, q.asked, q.cached, q.failed, q.skipped, q.requests, q.answerTokens].map(formatCount)],
  'queries',
)}
<p>Answers tested, SHA-256: <code class="hash">${q.answersSha256}</code>. With the key, the prompts and the answer cache, rerunning the probe asks nothing and recomputes every number.</p>
</section>`;
}

function resultTable(head: readonly string[], rows: readonly (readonly MarkupValue[])[], name: string): Markup {
  return html`<div class="table-wrap"><table class="${name}"><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

function pColumns(r: CorrectedResult): MarkupValue[] {
  return [formatPValue(r.pValue, r.log10P), formatLog10P(r.log10P), html`<span class="v-${r.verdict}">${r.verdict}</span>`];
}

function correction(r: CorrectedResult): string {
  if (r.correction === undefined) return 'none';
  return r.uncorrectedPValue === undefined ? r.correction : `${r.correction} (uncorrected p = ${formatPValue(r.uncorrectedPValue)})`;
}

/**
 * p-values as people read them: `0.0123`, `1.2e-45`, and below 1e-300, where a double has
 * lost the value, `10^-1234.5` from its log10.
 */
export function formatPValue(pValue: number, log10P?: number): string {
  if (log10P !== undefined && log10P < LOG10P_FLOOR) return Number.isFinite(log10P) ? `10^${log10P.toFixed(1)}` : '0';
  if (!Number.isFinite(pValue)) return '—';
  if (pValue === 0) return '< 1e-308';
  if (pValue >= 0.001) return String(Number(pValue.toPrecision(3)));
  return pValue.toExponential(1).replace('.0e', 'e');
}

export function formatLog10P(log10P: number): string {
  if (!Number.isFinite(log10P)) return log10P < 0 ? '−∞' : '—';
  if (Math.abs(log10P) >= 10_000) return GROUPED_1.format(log10P);
  return log10P.toFixed(Math.abs(log10P) >= 1000 ? 1 : 2);
}

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const GROUPED_1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function formatCount(n: number): string {
  return Number.isFinite(n) ? GROUPED.format(n) : '—';
}

/** Scores and expectations: integers grouped, sums with a few significant digits. */
function formatStat(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return GROUPED_1.format(x);
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function duration(startedAt: string, finishedAt: string): string {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  const text =
    s >= 3600
      ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
      : s >= 60
        ? `${Math.floor(s / 60)} min ${s % 60} s`
        : `${s} s`;
  return ` (${text})`;
}

// A template literal through `html`: trusted as written (escaping would break CSS quotes).
const STYLE = html`
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dce3; --marked: #a3361a; --clean: #25623a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f4f5f8; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
section, header { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; }
h1 { font-size: 1.5rem; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.2rem; margin: 0 0 0.6em; }
h3 { font-size: 1rem; margin: 1.2em 0 0.4em; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem; }
.verdict { border-left: 8px solid var(--clean); }
.verdict-marked { border-left-color: var(--marked); }
.verdict-marked h1 { color: var(--marked); }
.verdict-not-marked h1 { color: var(--clean); }
.model { overflow-wrap: anywhere; }
.headline { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 12px 0; }
.headline dt { color: var(--muted); font-size: 0.8rem; }
.headline dd { margin: 0; font-size: 1.15rem; font-weight: 600; }
.facts { display: grid; grid-template-columns: minmax(180px, max-content) 1fr; gap: 4px 16px; margin: 0; }
.facts div { display: contents; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.error { color: var(--marked); font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }
.caveat { color: var(--muted); font-size: 0.9rem; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 0.9rem; min-width: 100%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td { overflow-wrap: break-word; }
td code { overflow-wrap: break-word; }
.v-marked { color: var(--marked); font-weight: 600; }
.v-not-marked { color: var(--clean); }
.v-marked, .v-not-marked { white-space: nowrap; }
figure { margin: 16px 0; }
figcaption { color: var(--muted); font-size: 0.85rem; max-width: 640px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart text.axis-label { font-size: 12px; fill: var(--ink); }
svg.chart text.note, svg.chart text.empty { fill: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 0.85rem; }
`;
