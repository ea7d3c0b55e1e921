import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, type LineageKey } from '@lineage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { markingFromOptions, markingSchemes } from './marking-schemes.js';
import { UsageError } from './usage-error.js';

describe('marking-scheme registry', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'lineage-marking-')), 'key.json');
  const key = createKeyFile({ path });
  afterEach(() => markingSchemes.delete('keyed'));

  it('keys a registered scheme with the key file and reports its public identity', () => {
    let given: LineageKey | undefined;
    markingSchemes.set('keyed', (k) => {
      given = k;
      return { name: 'keyed', samplerFor: () => ({ sampleNext: (step) => step.sampleUnmarked() }) };
    });
    const resolved = markingFromOptions('testbed serve', { key: path, scheme: 'keyed' });
    expect(resolved?.scheme.name).toBe('keyed');
    expect(resolved).toMatchObject({ keyId: key.keyId, commitment: key.commitment });
    expect(given?.keyId).toBe(key.keyId);
  });

  it('is unmarked without options and refuses half of them or an unknown scheme', () => {
    expect(markingFromOptions('x', {})).toBeUndefined();
    expect(() => markingFromOptions('x', { key: path })).toThrow(/go together/);
    expect(() => markingFromOptions('x', { scheme: 'keyed' })).toThrow(UsageError);
    expect(() => markingFromOptions('x', { key: path, scheme: 'nope' })).toThrow(/unknown marking scheme "nope"/);
    markingSchemes.set('keyed', () => ({ name: 'keyed' }));
    expect(() => markingFromOptions('x', { key: path, scheme: 'nope' })).toThrow(/available: .*keyed/);
  });
});
