/**
 * The benchmark results as summary.ts and the README block read them: every
 * `benchmarks/results/*.json` by name, and checked accessors that fail with the file and
 * field at fault, so a section whose JSON changed shape says so instead of printing NaN.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const RESULTS_DIR = new URL('../results/', import.meta.url);

/** The parsed results, keyed by file name without `.json`. */
export type Results = ReadonlyMap<string, unknown>;

export function loadResults(dir: URL = RESULTS_DIR): Results {
  const out = new Map<string, unknown>();
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return out; // no results yet: every section says so
  }
  for (const name of names.sort()) out.set(name.slice(0, -'.json'.length), JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
  return out;
}

export class ResultShapeError extends Error {
  override readonly name = 'ResultShapeError';
}

/** The value at a dot path (`a.b.0.c`); throws when any step is missing. */
export function at(value: unknown, path: string): unknown {
  let v = value;
  for (const step of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(step in v)) throw new ResultShapeError(`no field ${path}`);
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

export function num(value: unknown, path: string): number {
  const v = at(value, path);
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ResultShapeError(`${path} is not a number`);
  return v;
}

export function str(value: unknown, path: string): string {
  const v = at(value, path);
  if (typeof v !== 'string') throw new ResultShapeError(`${path} is not a string`);
  return v;
}

export function list(value: unknown, path: string): unknown[] {
  const v = at(value, path);
  if (!Array.isArray(v)) throw new ResultShapeError(`${path} is not a list`);
  return v;
}

/** The `machine` object the benchmarks write, where the file has one. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB?: number;
  readonly node: string;
  readonly mode?: string;
  readonly date: string;
}

export function machineOf(result: unknown): Machine | undefined {
  try {
    const m = at(result, 'machine');
    const memoryGiB = (m as { memoryGiB?: unknown }).memoryGiB;
    const mode = (m as { mode?: unknown }).mode;
    return {
      cpu: str(m, 'cpu'),
      cores: num(m, 'cores'),
      node: str(m, 'node'),
      date: str(m, 'date'),
      ...(typeof memoryGiB === 'number' ? { memoryGiB } : {}),
      ...(typeof mode === 'string' ? { mode } : {}),
    };
  } catch {
    return undefined;
  }
}

/** "AMD EPYC, 2 cores, 24 GiB, Node v20.20.2" */
export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores${m.memoryGiB === undefined ? '' : `, ${m.memoryGiB} GiB`}, Node ${m.node}`;
}

export const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
/** Rates and counts: thousands separators from 100 up, two decimals below. */
export const fmt = (x: number): string => (Math.abs(x) >= 100 ? fmtInt(x) : x.toFixed(2));
export const fmtLog = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 100 ? fmtInt(x) : x.toFixed(1));
export const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
/** "5.7 M tokens/s", "99 k/s" */
export function fmtRate(x: number, unit = ''): string {
  const u = unit === '' ? '' : ` ${unit}`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M${u}/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)} k${u}/s`;
  return `${x.toFixed(0)}${u}/s`;
}
