import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignResult, CorrectedResult, IdentityResult } from '../channel-detection.js';
import { EVIDENCE_REPORT_FORMAT, EVIDENCE_REPORT_VERSION, type EvidenceReport, type TracePoint } from './evidence-report.js';
import { escapeHtml } from './markup.js';
import { formatLog10P, formatPValue, renderReportHtml } from './report-html.js';

const ALPHA = 1e-6;
const KEY = { keyId: 'k-2026-03-a1b2', commitment: 'c0ffee'.repeat(10).slice(0, 64) };

function result(
  scheme: string,
  fields: Partial<CorrectedResult> & Pick<CorrectedResult, 'scored' | 'score' | 'expected' | 'log10P'>,
): CorrectedResult {
  const pValue = 10 ** fields.log10P;
  return {
    scheme,
    channel: 'provider',
    pValue,
    verdict: pValue <= ALPHA ? 'marked' : 'not-marked',
    alpha: ALPHA,
    ...KEY,
    ...fields,
  };
}

/** A trace of `n` looks along which the green rate stays near `rate` and the evidence grows. */
function trace(n: number, rate: number, perLook: number, log10PAtEnd: number): TracePoint[] {
  return Array.from({ length: n }, (_, i) => {
    const scored = perLook * (i + 1);
    return {
      answers: 6 * (i + 1),
      scored,
      score: Math.round(scored * rate),
      expected: scored * 0.25,
      log10P: (log10PAtEnd * (i + 1) ** 2) / n ** 2,
    };
  });
}

function campaign(name: string, log10P: number): CampaignResult {
  return {
    ...result('kgw', {
      scored: 1210,
      score: 360,
      expected: 302.5,
      log10P,
      uncorrectedPValue: 10 ** log10P / 3,
      correction: 'bonferroni over 3 campaigns',
    }),
    channel: 'campaign',
    campaign: name,
  };
}

function markedReport(): EvidenceReport {
  const kgw = result('kgw', {
    scored: 4800,
    score: 1488,
    expected: 1200,
    log10P: -45.27,
    uncorrectedPValue: 2.7e-46,
    correction: 'bonferroni over 2 schemes',
  });
  const identity: IdentityResult = {
    ...result('kgw', { scored: 240, score: 150, expected: 60, log10P: -21.4 }),
    channel: 'identity',
    status: 'account',
    account: 'acct-0042',
    candidates: ['acct-0042'],
    identityPValue: 4e-22,
    presencePValue: 8e-22,
    code: '3fa09c1e',
    undecodedDigits: 0,
    decodingTuples: 960,
    registeredAccounts: 24_000,
    codeSpaceTerm: 24_000 * 16 ** -8,
  };
  return {
    format: EVIDENCE_REPORT_FORMAT,
    version: EVIDENCE_REPORT_VERSION,
    tool: { name: 'lineage', version: '0.1.0' },
    startedAt: '2026-03-02T09:15:00.000Z',
    finishedAt: '2026-03-02T09:41:27.000Z',
    status: 'stopped-early',
    suspect: { baseUrl: 'https://api.suspect.example/v1', model: 'student-7b-chat' },
    key: { ...KEY, tokenizer: 'o200k_base' },
    prompts: { count: 500, sha256: 'ab'.repeat(32) },
    settings: {
      alpha: ALPHA,
      schemes: ['kgw', 'gumbel'],
      maxTokens: 256,
      temperature: 0.7,
      concurrency: 8,
      registeredAccounts: 24_000,
      filter: { kind: 'served-windows', texts: 120_000, sha256: 'cd'.repeat(32) },
    },
    sequential: {
      looks: 10,
      lookAt: [6, 12, 18, 24, 30, 36, 42, 48, 54, 60],
      stoppedAtLook: 8,
      rule: 'stop when the provider p-value <= alpha / looks',
    },
    corrections: [
      'Provider: Bonferroni over 2 schemes (kgw, gumbel).',
      'Sequential: every p-value multiplied by 10 planned looks.',
      'Campaigns: Bonferroni over 3 campaigns & 1 scheme.',
      "Identity: code-space term 24000 x 16^-8 added to the account's p < 1e-6 claim.",
      'Canaries: none (one test).',
    ],
    provider: kgw,
    schemes: [
      kgw,
      result('gumbel', {
        scored: 4800,
        score: 4870.31,
        expected: 4800,
        log10P: -0.41,
        uncorrectedPValue: 0.19,
        correction: 'bonferroni over 2 schemes',
      }),
    ],
    campaigns: [campaign('campaign-north', -12.8), campaign('campaign-south', -1.3), campaign('campaign-east', -0.02)],
    identity: [identity],
    canaries: {
      draws: 180_000,
      excludedDraws: 12,
      shapedWindows: 5,
      hits: [
        { canary: 'Marnetta Quillbrook', account: 'acct-0042', campaign: 'campaign-north', occurrences: 3 },
        { canary: 'the Ostravel lemma', account: 'acct-1187', occurrences: 1 },
      ],
      expected: 0.0009,
      pValue: 3.1e-9,
      log10P: -8.51,
      verdict: 'marked',
      burned: ['Marnetta Quillbrook', 'the Ostravel lemma'],
    },
    queries: {
      planned: 600,
      answered: 48,
      asked: 40,
      cached: 8,
      failed: 1,
      skipped: 551,
      requests: 43,
      answerTokens: 9_120_345,
      answersSha256: 'ab'.repeat(32),
    },
    traces: [
      { scheme: 'kgw', hitProbability: 0.25, points: trace(10, 0.31, 480, -45.27) },
      { scheme: 'gumbel', points: trace(10, 0.25, 480, -0.41) },
    ],
  };
}

function emptyReport(): EvidenceReport {
  const none = result('kgw', { scored: 0, score: 0, expected: 0, log10P: 0 });
  return {
    ...markedReport(),
    status: 'failed',
    error: 'suspect answered 401 Unauthorized: check --api-key-env',
    finishedAt: '2026-03-02T09:15:04.000Z',
    settings: { ...markedReport().settings, schemes: ['kgw'], filter: null, maxTokens: null, temperature: null },
    sequential: { looks: 1, lookAt: [500], stoppedAtLook: null, rule: 'one look at the end' },
    corrections: [],
    provider: none,
    schemes: [none],
    campaigns: [],
    identity: [],
    canaries: null,
    queries: {
      planned: 500,
      answered: 0,
      asked: 1,
      cached: 0,
      failed: 0,
      skipped: 499,
      requests: 4,
      answerTokens: 0,
      answersSha256: 'cd'.repeat(32),
    },
    traces: [{ scheme: 'kgw', hitProbability: 0.25, points: [] }],
  };
}

/** Evidence far beyond a double: log10 p of -5000, and a trace of one point. */
function extremeReport(): EvidenceReport {
  const base = markedReport();
  const huge = result('kgw', { scored: 9_800_000, score: 3_100_000, expected: 2_450_000, log10P: -5012.34 });
  return {
    ...base,
    provider: huge,
    schemes: [huge],
    campaigns: [campaign('campaign-north', -1234.5), campaign('campaign-south', -3)],
    traces: [
      {
        scheme: 'kgw',
        hitProbability: 0.25,
        points: [{ answers: 20_000, scored: 9_800_000, score: 3_100_000, expected: 2_450_000, log10P: -5012.34 }],
      },
    ],
  };
}

const INJECTION = '<img src=http://127.0.0.1:1/x><script>alert(1)</script>';

function hostileReport(): EvidenceReport {
  const base = markedReport();
  return {
    ...base,
    status: 'failed',
    error: `upstream said <iframe src="http://127.0.0.1:1/e"></iframe> & quit`,
    suspect: { baseUrl: `http://127.0.0.1:1/v1/"'><img src=http://127.0.0.1:1/u>`, model: INJECTION },
    key: { ...base.key, tokenizer: '</style><img src=http://127.0.0.1:1/s>' },
    corrections: ['<link rel=stylesheet href=http://127.0.0.1:1/c.css>'],
    campaigns: [campaign(`"><svg onload=alert(2)><image href=http://127.0.0.1:1/i />`, -9)],
    identity: [{ ...(base.identity[0] as IdentityResult), account: `<b onmouseover=alert(3)>acct</b>` }],
    canaries: {
      ...(base.canaries as NonNullable<EvidenceReport['canaries']>),
      hits: [{ canary: `</code><img src=http://127.0.0.1:1/k>`, account: "'><script>alert(4)</script>", occurrences: 2 }],
      burned: ['<style>@import url(http://127.0.0.1:1/b.css)</style>'],
    },
    traces: [{ scheme: '<script>alert(5)</script>', hitProbability: 0.25, points: trace(4, 0.3, 100, -3) }],
  };
}

/** Markup outside text: the tags and their attributes, with text content removed. */
function tags(page: string): string[] {
  return page.match(/<[^>]*>/g) ?? [];
}

describe('renderReportHtml (strings)', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escaping is reversible and leaves no markup character, for any string', () => {
    const decode = (t: string) =>
      t.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] as string);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(decode(escaped)).toBe(text);
      }),
    );
  });

  it('any string in the report changes text only, never the tags', () => {
    const shape = (page: string) => tags(page).map((t) => t.match(/^<\/?([a-zA-Z!][\w-]*)/)?.[1]);
    const reference = shape(renderReportHtml(markedReport()));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), fc.string(), (model, account) => {
        const report = markedReport();
        const hostile = {
          ...report,
          suspect: { ...report.suspect, model },
          identity: [{ ...(report.identity[0] as IdentityResult), account }],
        };
        expect(shape(renderReportHtml(hostile))).toEqual(reference);
      }),
      { numRuns: 50 },
    );
  });

  it('is a complete HTML5 document with a strict content security policy and no script', () => {
    const page = renderReportHtml(markedReport());
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(page).not.toMatch(/<script/i);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('states every fact of what was tested, and every correction', () => {
    const report = markedReport();
    const page = renderReportHtml(report);
    for (const text of [
      report.key.keyId,
      report.key.commitment,
      report.key.tokenizer,
      report.prompts.sha256,
      '500 prompts',
      'lineage 0.1.0',
      report.startedAt,
      report.finishedAt,
      '(26 min 27 s)',
      'served windows of 120,000 texts',
      report.sequential.rule,
      '6, 12, 18, 24, 30, 36, 42, 48, 54, 60',
      'stopped-early',
      'look 8 of 10',
    ])
      expect(page).toContain(escapeHtml(text));
    for (const correction of report.corrections) expect(page).toContain(`<li>${escapeHtml(correction)}</li>`);
    expect(page).toContain('bonferroni over 2 schemes (uncorrected p = 2.7e-46)');
  });

  it('shows every scheme, campaign, identity and canary result, and the query counts', () => {
    const page = renderReportHtml(markedReport());
    for (const text of [
      'gumbel',
      'campaign-north',
      'campaign-south',
      'campaign-east',
      'acct-0042',
      '3fa09c1e',
      'acct-1187',
      'Marnetta Quillbrook',
    ])
      expect(page).toContain(text);
    expect(page).toContain('5.4e-46'); // the provider p-value
    expect(page).toContain('-45.27');
    expect(page).toContain('9,120,345'); // answer tokens
    expect(page).toContain('180,000'); // canary draws
    expect(page.match(/<svg class="chart chart-(pvalue|rate|campaigns)"/g)).toHaveLength(3);
  });

  it('references no outside resource: no src/href attribute, no CSS url() or @import, and no URL but the suspect URL as text', () => {
    for (const report of [markedReport(), emptyReport(), extremeReport()]) {
      const page = renderReportHtml(report);
      for (const tag of tags(page)) expect(tag).not.toMatch(/\s(src|href|xlink:href|srcset|action|poster|data)\s*=/i);
      expect(page).not.toMatch(/url\(|@import/i);
      expect(page.split(escapeHtml(report.suspect.baseUrl)).join('')).not.toMatch(/https?:\/\/|\/\/[a-z0-9]/i);
    }
  });

  it('keeps a hostile report as text: no tag, attribute or URL comes from its strings', () => {
    const clean = renderReportHtml(markedReport());
    const page = renderReportHtml(hostileReport());
    expect(page).toContain(escapeHtml(INJECTION));
    expect(page).not.toMatch(/<(script|img|iframe|link|image|b)[\s>]/i);
    for (const tag of tags(page)) expect(tag).not.toMatch(/\son\w+\s*=|\s(src|href)\s*=/i);
    // The hostile strings change text only: the page has exactly the tags of a clean report, in kind.
    const kinds = (html: string) => new Set(tags(html).map((t) => t.match(/^<\/?([a-zA-Z!][\w-]*)/)?.[1]?.toLowerCase()));
    expect([...kinds(page)].sort()).toEqual([...kinds(clean)].sort());
  });

  it('renders an empty, failed run without a ledger', () => {
    const report = emptyReport();
    const page = renderReportHtml(report);
    expect(page).toContain('Not marked');
    expect(page).toContain('status-failed');
    expect(page).toContain(escapeHtml(report.error as string));
    expect(page).toContain('No ledger given');
    expect(page).toContain('No campaign key was tested');
    expect(page).toContain('No correction was applied');
    expect(page).toContain('No data');
    expect(page).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('formats p-values a double cannot hold, and clamps the charts and says so', () => {
    const page = renderReportHtml(extremeReport());
    expect(page).toContain('10^-5012.3');
    expect(page).toContain('10^-1234.5');
    expect(page).toContain('log10 p below -300 is drawn at -300');
    expect(page).toContain('Bars beyond 300 are cut at 300');
    expect(page).toContain('class="clamped"'); // the clamped point points off the plot
    expect(page).toContain('9,800,000');
    expect(page).not.toMatch(/NaN|Infinity|undefined/);
    expect(renderReportHtml(markedReport())).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('formats numbers readably', () => {
    expect(formatPValue(1.23e-45, -44.91)).toBe('1.2e-45');
    expect(formatPValue(0, -1234.5)).toBe('10^-1234.5');
    expect(formatPValue(1e-6)).toBe('1e-6');
    expect(formatPValue(0.04567)).toBe('0.0457');
    expect(formatPValue(1, 0)).toBe('1');
    expect(formatLog10P(-45.271)).toBe('-45.27');
    expect(formatLog10P(-602_060.04)).toBe('-602,060');
  });
});

const CHROMIUM = '/usr/bin/chromium';

interface OpenedPage {
  readonly page: Page;
  /** Every request the page made, and every console error or warning and page error. */
  readonly requests: string[];
  readonly problems: string[];
  readonly dialogs: string[];
  readonly documentUrl: string;
}

describe('renderReportHtml in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: install it (apt-get install chromium, as .ci/run does). This test does not skip.`,
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    dir = await mkdtemp(join(tmpdir(), 'lineage-report-'));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens markup as a file:// page (how a user opens a report), or with setContent. */
  async function open(markup: string, via: 'file' | 'content'): Promise<OpenedPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const file = join(dir, `report-${Math.random().toString(36).slice(2)}.html`);
    const documentUrl = via === 'file' ? pathToFileURL(file).href : 'about:blank';
    // Anything but the document that reaches the network layer is recorded and refused.
    await context.route('**/*', (route) => {
      if (route.request().url() === documentUrl) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    if (via === 'file') {
      await writeFile(file, markup);
      await page.goto(documentUrl, { waitUntil: 'load' });
    } else {
      await page.setContent(markup, { waitUntil: 'load' });
    }
    return { page, requests, problems, dialogs, documentUrl };
  }

  function outgoing(opened: OpenedPage): string[] {
    return opened.requests.filter((url) => url !== opened.documentUrl && url !== 'about:blank' && !url.startsWith('data:'));
  }

  async function expectChart(page: Page, selector: string, shapes: string): Promise<void> {
    const chart = page.locator(selector).first();
    const box = await chart.boundingBox();
    expect(box?.width, selector).toBeGreaterThan(100);
    expect(box?.height, selector).toBeGreaterThan(100);
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toBeTruthy();
    expect(await chart.locator('title').first().textContent()).toBeTruthy();
    expect(await chart.locator('.axis text').count(), `${selector} tick labels`).toBeGreaterThan(1);
    const drawn = chart.locator(shapes);
    expect(await drawn.count(), `${selector} ${shapes}`).toBeGreaterThan(0);
    const shapeBox = await drawn.first().boundingBox();
    expect((shapeBox?.width ?? 0) + (shapeBox?.height ?? 0), `${selector} ${shapes} size`).toBeGreaterThan(0);
  }

  it('the request monitor sees a request when a page makes one (control)', async () => {
    const opened = await open('<!DOCTYPE html><title>control</title><img src="http://127.0.0.1:1/control.png">', 'content');
    await opened.page.waitForTimeout(100);
    expect(opened.requests).toContain('http://127.0.0.1:1/control.png');
    await opened.page.context().close();
  });

  it('renders a marked report with its charts, no console message and no request', async () => {
    const report = markedReport();
    const opened = await open(renderReportHtml(report), 'file');
    const { page } = opened;
    expect(await page.title()).toBe('Lineage evidence report: student-7b-chat (marked)');
    const verdict = page.locator('#verdict');
    expect(await verdict.isVisible()).toBe(true);
    expect(await verdict.textContent()).toContain('Marked');
    expect(await page.locator('.model').textContent()).toBe('student-7b-chat');
    await expectChart(page, 'svg.chart-pvalue', '.series path');
    await expectChart(page, 'svg.chart-rate', 'path.band');
    await expectChart(page, 'svg.chart-campaigns', '.bar rect');
    expect(await page.locator('svg.chart-pvalue .series').count()).toBe(2);
    expect(await page.locator('svg.chart-pvalue .series circle').count()).toBe(20);
    expect(await page.locator('svg.chart-campaigns .bar').count()).toBe(3);
    expect(await page.locator('ul.corrections li').count()).toBe(report.corrections.length);
    expect(await page.locator('script, img, iframe, link, object, embed').count()).toBe(0);
    expect(opened.problems).toEqual([]);
    expect(outgoing(opened)).toEqual([]);
    await page.context().close();
  });

  it('renders an empty failed report and an extreme one cleanly', async () => {
    for (const report of [emptyReport(), extremeReport()]) {
      const opened = await open(renderReportHtml(report), 'content');
      expect(await opened.page.locator('#verdict').isVisible()).toBe(true);
      await expectChart(opened.page, 'svg.chart-pvalue', 'rect.plot');
      expect(opened.problems).toEqual([]);
      expect(outgoing(opened)).toEqual([]);
      await opened.page.context().close();
    }
  });

  it('keeps an injection attempt as text: no element, dialog, console message or request', async () => {
    const opened = await open(renderReportHtml(hostileReport()), 'content');
    const { page } = opened;
    await page.waitForTimeout(100);
    expect(await page.title()).toBe(`Lineage evidence report: ${INJECTION} (marked)`);
    expect(await page.locator('.model').textContent()).toBe(INJECTION);
    expect(await page.locator('main script, main img, main iframe, main link, main b, main image, main style').count()).toBe(0);
    expect(await page.locator('head > *').count()).toBe(6); // charset, CSP, viewport, referrer, title, style
    expect(opened.dialogs).toEqual([]);
    expect(opened.problems).toEqual([]);
    expect(outgoing(opened)).toEqual([]);
    await page.context().close();
  });
});
