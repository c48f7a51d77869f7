// The homomorphic special FFT of bootstrapping as products of sparse slot-domain maps.
//
// The encoder decodes a plaintext m by z = F(c) / scale, where c_k = m_k + i m_(k + N/2) for
// full slots (n = N/2) and F = B_(n/2) ... B_2 B_1 P: P the bit-reversal permutation, then the
// radix-2 butterfly stages of asm/fft.ts's specialFftForward (half-length h = 1, 2, ..., n/2,
// twiddle w_j = exp(2 pi i (5^j mod 8h) / 8h) for position j < h of each block). Its inverse is
// (1/n) P B~_1 ... B~_(n/2), the stages of specialFftInverse (conjugate twiddles).
//
// A butterfly stage touches slot s and slot s +- h only, so in the slot domain it is three
// diagonals: rotations 0, h and -h. Bootstrapping never applies P: CoeffsToSlots computes
// B~_1 ... B~_(n/2) z = P c (the coefficients in bit-reversed order), EvalMod works slot by slot,
// and SlotsToCoeffs applies B_(n/2) ... B_1 to P c' = F c'. Consecutive stages are merged into
// one level (one rescale each): r stages give at most 2^(r+1) - 1 diagonals.

import { describe, FheError, isInteger, isPowerOfTwo } from "../../ring/errors.js";

/** A complex slot vector. */
export interface ComplexSlots {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** A slot-domain linear map: rotation index in [0, n) -> complex diagonal (see Diagonals.fromComplexMap). */
export type DiagonalMap = Map<number, ComplexSlots>;

/** exp(2 pi i (5^j mod 8h) / 8h) for j < h: the twiddles of the stage of half-length h. */
function twiddles(half: number): ComplexSlots {
  const re = new Float64Array(half);
  const im = new Float64Array(half);
  const period = 8 * half;
  let power = 1;
  for (let j = 0; j < half; j++) {
    const angle = (2 * Math.PI * (power % period)) / period;
    re[j] = Math.cos(angle);
    im[j] = Math.sin(angle);
    power = (power * 5) % period;
  }
  return { re, im };
}

/** Adds (re, im) at slot s of diagonal `rotation` (mod n) of `map`. */
function put(map: DiagonalMap, n: number, rotation: number, s: number, re: number, im: number): void {
  const r = ((rotation % n) + n) % n;
  let diagonal = map.get(r);
  if (diagonal === undefined) map.set(r, (diagonal = { re: new Float64Array(n), im: new Float64Array(n) }));
  diagonal.re[s] = diagonal.re[s]! + re;
  diagonal.im[s] = diagonal.im[s]! + im;
}

/**
 * One butterfly stage of half-length `half` on n slots as diagonals: the decoding direction
 * (out_a = x_a + w x_b, out_b = x_a - w x_b) or, with `inverse`, the encoding direction
 * (out_a = x_a + x_b, out_b = (x_a - x_b) conj(w)), for a = block start + j, b = a + half.
 */
export function butterflyStage(n: number, half: number, inverse: boolean): DiagonalMap {
  const w = twiddles(half);
  const map: DiagonalMap = new Map();
  for (let start = 0; start < n; start += 2 * half) {
    for (let j = 0; j < half; j++) {
      const a = start + j;
      const b = a + half;
      const wr = w.re[j]!;
      const wi = inverse ? -w.im[j]! : w.im[j]!;
      if (inverse) {
        put(map, n, 0, a, 1, 0);
        put(map, n, half, a, 1, 0);
        put(map, n, 0, b, -wr, -wi);
        put(map, n, -half, b, wr, wi);
      } else {
        put(map, n, 0, a, 1, 0);
        put(map, n, half, a, wr, wi);
        put(map, n, -half, b, 1, 0);
        put(map, n, 0, b, -wr, -wi);
      }
    }
  }
  return map;
}

/** The map "first b, then a": (a o b)_(r + t)[s] += a_r[s] b_t[s + r]. */
export function composeMaps(a: DiagonalMap, b: DiagonalMap, n: number): DiagonalMap {
  const out: DiagonalMap = new Map();
  for (const [r, x] of a) {
    for (const [t, y] of b) {
      const index = (r + t) % n;
      let diagonal = out.get(index);
      if (diagonal === undefined) out.set(index, (diagonal = { re: new Float64Array(n), im: new Float64Array(n) }));
      for (let s = 0; s < n; s++) {
        const u = (s + r) % n;
        const xr = x.re[s]!;
        const xi = x.im[s]!;
        const yr = y.re[u]!;
        const yi = y.im[u]!;
        diagonal.re[s] = diagonal.re[s]! + xr * yr - xi * yi;
        diagonal.im[s] = diagonal.im[s]! + xr * yi + xi * yr;
      }
    }
  }
  for (const [index, diagonal] of out) {
    if (diagonal.re.every((v) => Math.abs(v) < 1e-15) && diagonal.im.every((v) => Math.abs(v) < 1e-15)) out.delete(index);
  }
  return out;
}

/** Every value of every diagonal multiplied by the real `factor`. */
export function scaleMap(map: DiagonalMap, factor: number): DiagonalMap {
  const out: DiagonalMap = new Map();
  for (const [r, d] of map) out.set(r, { re: d.re.map((v) => v * factor), im: d.im.map((v) => v * factor) });
  return out;
}

/** Applies a diagonal map to a complex slot vector in float64 (the twin of the encrypted product). */
export function applyMap(map: DiagonalMap, x: ComplexSlots): ComplexSlots {
  const n = x.re.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (const [r, d] of map) {
    for (let s = 0; s < n; s++) {
      const t = (s + r) % n;
      re[s] = re[s]! + d.re[s]! * x.re[t]! - d.im[s]! * x.im[t]!;
      im[s] = im[s]! + d.re[s]! * x.im[t]! + d.im[s]! * x.re[t]!;
    }
  }
  return { re, im };
}

/**
 * How log2(n) butterfly stages split into `levels` groups of consecutive stages, in the order
 * they are applied: sizes differ by at most one, the larger groups first.
 */
export function stageGroups(logSlots: number, levels: number): number[] {
  const base = Math.floor(logSlots / levels);
  const extra = logSlots % levels;
  return Array.from({ length: levels }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Throws unless slots is a power of two >= 2, levels an integer in [1, log2(slots)] and factor > 0. */
function checkFactoring(slots: unknown, levels: unknown, factor: unknown, operation: string): { n: number; logN: number; levels: number } {
  if (typeof factor !== "number" || !(factor > 0 && factor < Infinity)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the factor must be a finite number > 0, got ${describe(factor)}`);
  }
  if (!isInteger(slots) || !isPowerOfTwo(slots) || slots < 2) {
    throw new FheError("INVALID_ARGUMENT", operation, `slots must be a power of two >= 2, got ${describe(slots)}`);
  }
  const logN = Math.log2(slots);
  if (!isInteger(levels) || levels < 1 || levels > logN) {
    throw new FheError("INVALID_ARGUMENT", operation, `the levels of a ${slots}-slot special FFT must be an integer in [1, ${logN}], got ${describe(levels)}`);
  }
  return { n: slots, logN, levels };
}

/**
 * The factors of CoeffsToSlots, in the order they are applied, each one level: their product
 * is `factor` B~_1 ... B~_(n/2) (stages of half-length n/2 first), so applied to z = F(c) it
 * gives factor n P c. The factor (> 0) is spread evenly over the levels (factor^(1/levels)
 * each) to keep every diagonal's entries near 1.
 */
export function coeffsToSlotsFactors(slots: number, levels: number, factor: number): DiagonalMap[] {
  const { n, logN, levels: count } = checkFactoring(slots, levels, factor, "build CoeffsToSlots");
  const halves = Array.from({ length: logN }, (_, i) => n >> (i + 1)); // n/2, n/4, ..., 1
  return factorsOf(n, halves, stageGroups(logN, count), true, factor);
}

/**
 * The factors of SlotsToCoeffs, in the order they are applied: their product is
 * `factor` B_(n/2) ... B_1 (stages of half-length 1 first), so applied to P c it gives factor F(c).
 */
export function slotsToCoeffsFactors(slots: number, levels: number, factor: number): DiagonalMap[] {
  const { n, logN, levels: count } = checkFactoring(slots, levels, factor, "build SlotsToCoeffs");
  const halves = Array.from({ length: logN }, (_, i) => 1 << i); // 1, 2, ..., n/2
  return factorsOf(n, halves, stageGroups(logN, count), false, factor);
}

function factorsOf(n: number, halves: readonly number[], groups: readonly number[], inverse: boolean, factor: number): DiagonalMap[] {
  const perLevel = factor ** (1 / groups.length);
  const factors: DiagonalMap[] = [];
  let next = 0;
  for (const size of groups) {
    let map = butterflyStage(n, halves[next]!, inverse);
    for (let k = 1; k < size; k++) map = composeMaps(butterflyStage(n, halves[next + k]!, inverse), map, n);
    next += size;
    factors.push(scaleMap(map, perLevel));
  }
  return factors;
}
