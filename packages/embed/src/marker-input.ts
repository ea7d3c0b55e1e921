/**
 * Boundary checks and plain draws shared by the token markers: vocabulary size, probability
 * vectors, context ids, and a draw proportional to a subset of the probabilities.
 */
import { LineageInputError, type LineageKey, ORDINARY_VOCAB_SIZE } from '@lineage/core';

/** A source of uniform doubles in [0, 1), such as `SeededRandom` from @lineage/core. */
export interface UniformSource {
  next(): number;
}

/** The key's ordinary vocabulary, or a model's larger one (special ids, an end token). */
export function resolveVocabSize(key: LineageKey, vocabSize: number | undefined): number {
  const ordinary = ORDINARY_VOCAB_SIZE[key.tokenizer];
  const size = vocabSize ?? ordinary;
  if (!Number.isInteger(size) || size < ordinary || size > ordinary + 4096) {
    throw new LineageInputError(`vocabSize must be an integer from ${ordinary} (${key.tokenizer}) to ${ordinary + 4096}, got ${size}`);
  }
  return size;
}

/** Validates a probability vector (finite, non-negative, positive sum); returns its total. */
export function checkProbabilities(probabilities: Float32Array, vocabSize: number): number {
  if (!(probabilities instanceof Float32Array) || probabilities.length !== vocabSize) {
    throw new LineageInputError(`probabilities must be a Float32Array of length ${vocabSize}`);
  }
  let total = 0;
  for (let t = 0; t < probabilities.length; t++) {
    const p = probabilities[t] as number;
    if (!(p >= 0 && p < Number.POSITIVE_INFINITY))
      throw new LineageInputError(`probability ${t} is ${p}; probabilities must be finite and non-negative`);
    total += p;
  }
  if (!(total > 0 && Number.isFinite(total))) throw new LineageInputError('probabilities must have a positive, finite sum');
  return total;
}

/** The window the marker reads (the last h ids) must hold vocabulary ids. */
export function checkContext(context: ArrayLike<number>, h: number, vocabSize: number): void {
  for (let i = Math.max(0, context.length - h); i < context.length; i++) {
    const t = context[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
      throw new LineageInputError(`context token ${t} at position ${i} is outside the vocabulary`);
  }
}

/** A draw proportional to p over the tokens where `include(p)` holds; `mass` is their sum. */
export function drawAmong(probabilities: Float32Array, include: (p: number) => boolean, mass: number, random: UniformSource): number {
  let u = random.next() * mass;
  let last = -1;
  for (let t = 0; t < probabilities.length; t++) {
    const p = probabilities[t] as number;
    if (p === 0 || !include(p)) continue;
    last = t;
    if (u < p) return t;
    u -= p;
  }
  return last;
}

/** At most this share of the mass is drawn plainly, below the floor of `unmarkedFloor`. */
export const UNMARKED_TAIL_MASS = 1e-4;
const NEGLIGIBLE = 1e-10;

/**
 * The probability below which the distortion-free markers draw a token plainly instead of
 * through the keyed race or tournament: the largest power of two under which the tokens carry
 * at most 1e-4 of the mass (and never below 1e-10 of it). It depends on p alone, never on the
 * key, so drawing that tail with its own mass and the rest through a distortion-free sampler
 * still emits exactly p; the price is that at most 1 token in 10,000 goes unmarked, and the
 * keyed work covers only the head of the distribution. One pass over the float32 exponents.
 */
export function unmarkedFloor(probabilities: Float32Array, total: number): number {
  const bits = new Uint32Array(probabilities.buffer, probabilities.byteOffset, probabilities.length);
  const mass = new Float64Array(256);
  for (let t = 0; t < bits.length; t++) {
    const e = ((bits[t] as number) >>> 23) & 0xff;
    mass[e] = (mass[e] as number) + (probabilities[t] as number);
  }
  const budget = UNMARKED_TAIL_MASS * total;
  let below = 0;
  let e = 0;
  while (e < 255 && below + (mass[e] as number) <= budget) below += mass[e++] as number;
  return Math.max(2 ** (e - 127), NEGLIGIBLE * total);
}
