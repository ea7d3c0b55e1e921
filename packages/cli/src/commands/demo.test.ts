/**
 * `lineage demo` end to end at a reduced size (60 accounts, an order-3 teacher, 200k student tokens; log10 p about −27 measured): the
 * student is flagged, the control is not, canaries name their harvesters, and both reports are
 * written. The full-size run is the README's first command.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';

describe('lineage demo', () => {
  it('flags the student and not the control, and writes both evidence reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lineage-demo-test-'));
    const args = ['demo', '--accounts', '60', '--rho', '1', '--tokens', '200000', '--order', '3', '--canary-rate', '0.1'];
    const { code, out: stdout, err } = await runCaptured([...args, '--seed', 't1', '--out', out, '--json']);
    expect(code, err).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.student).toMatchObject({ verdict: 'marked', scheme: 'kgw', channel: 'provider' });
    expect(result.student.log10P).toBeLessThan(-6);
    expect(result.control.verdict).toBe('not-marked');
    expect(result.control.canaries.hits).toEqual([]);
    expect(result.report).toBe(join(out, 'student-report.html'));
    for (const file of ['student-report.html', 'control-report.html', 'student-report.json', 'key.json', 'ledger.db'])
      expect(existsSync(join(out, file)), file).toBe(true);
    expect(readFileSync(result.report, 'utf8')).toContain(result.student.commitment);
    // Progress goes to stderr, step by step.
    expect(err).toMatch(/\[1\][\s\S]*\[6\]/);
  }, 120_000);

  it('rejects bad flags with exit code 2', async () => {
    const bad = await runCaptured(['demo', '--rho', '2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--rho');
    const scheme = await runCaptured(['demo', '--scheme', 'rot13']);
    expect(scheme.code).toBe(2);
    expect(scheme.err).toContain('unknown scheme');
  });
});
