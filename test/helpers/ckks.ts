// Shared CKKS fixtures for the scheme-level suites (test/engine): small insecure parameter sets,
// key bundles, random complex vectors, float64 references and precision in bits.

import fc from "fast-check";
import { expect } from "vitest";
import {
  Ciphertext, Decryptor, Encoder, Encryptor, Evaluator, FheError, KeyGenerator, Parameters,
  type FheErrorCode, type GaloisKeyOptions, type GaloisKeys, type ParametersLiteral, type Plaintext,
  type PublicKey, type SwitchingKey, type WasmHeap, serializeCiphertext,
} from "../../engine/index.js";

/** A complex vector as plain arrays (re, im of equal length). */
export interface Vec {
  readonly re: number[];
  readonly im: number[];
}

/**
 * Small parameter sets for property tests (insecure on purpose: small N keeps the suites fast).
 * `single` has one 30-bit prime per level; `composite` rescales by two ~20-bit primes (2^40).
 */
export const testLiterals = {
  single: { logN: 11, logScale: 30, depth: 4, allowInsecureParametersForTesting: true },
  composite: { logN: 11, logScale: 40, depth: 3, logBaseModulus: 50, allowInsecureParametersForTesting: true },
} as const satisfies Record<string, ParametersLiteral>;

/** Everything a test needs to encrypt, evaluate and decrypt under one secret key. */
export interface CkksContext {
  readonly params: Parameters;
  readonly keygen: KeyGenerator;
  readonly publicKey: PublicKey;
  readonly relinearizationKey: SwitchingKey;
  readonly galoisKeys: GaloisKeys | undefined;
  readonly encoder: Encoder;
  /** Public-key encryptor. */
  readonly encryptor: Encryptor;
  /** Secret-key encryptor. */
  readonly skEncryptor: Encryptor;
  readonly decryptor: Decryptor;
  readonly evaluator: Evaluator;
  /** Encodes (as {@link encode} does) and encrypts, under the public key unless `secretKey`. */
  encrypt(v: Vec, options?: { level?: number; scale?: number; slots?: number; secretKey?: boolean }): Ciphertext;
  /** Encodes a plaintext (real vectors through encode, others through encodeComplex). */
  encode(v: Vec, options?: { level?: number; scale?: number; slots?: number }): Plaintext;
  /** Decrypts and decodes to a complex vector. */
  decrypt(ct: Ciphertext): Vec;
}

/**
 * Builds a context; Galois keys only when `galois` is given (they dominate key generation).
 * `heap`: where the parameters live (default: the process-wide heap).
 */
export function makeContext(literal: ParametersLiteral, galois?: GaloisKeyOptions, heap?: WasmHeap): CkksContext {
  const params = Parameters.create(literal, heap === undefined ? {} : { heap });
  const keygen = new KeyGenerator(params);
  const publicKey = keygen.createPublicKey();
  const relinearizationKey = keygen.createRelinearizationKey();
  const galoisKeys = galois === undefined ? undefined : keygen.createGaloisKeys(galois);
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, publicKey);
  const skEncryptor = new Encryptor(params, keygen.secretKey);
  const decryptor = new Decryptor(params, keygen.secretKey);
  const evaluator = new Evaluator(params, galoisKeys === undefined ? { relinearizationKey } : { relinearizationKey, galoisKeys });
  // Real vectors go through encode (the real path), others through encodeComplex.
  const encode = (v: Vec, options: { level?: number; scale?: number; slots?: number } = {}): Plaintext =>
    v.im.every((x) => x === 0) ? encoder.encode(v.re, options) : encoder.encodeComplex(v, options);
  return {
    params, keygen, publicKey, relinearizationKey, galoisKeys, encoder, encryptor, skEncryptor, decryptor, evaluator,
    encode,
    encrypt(v, options = {}) {
      const { secretKey, ...encodeOptions } = options;
      const pt = encode(v, encodeOptions);
      try {
        return (secretKey === true ? skEncryptor : encryptor).encrypt(pt);
      } finally {
        pt.dispose();
      }
    },
    decrypt(ct) {
      const pt = decryptor.decrypt(ct);
      try {
        const { re, im } = encoder.decodeComplex(pt);
        return { re: Array.from(re), im: Array.from(im) };
      } finally {
        pt.dispose();
      }
    },
  };
}

// ------------------------------------------------------------------ vectors

/** Deterministic PRNG (mulberry32) for long vectors derived from a fast-check seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-1, 1] from a seed. */
export function uniformValues(n: number, seed: number): number[] {
  const next = prng(seed);
  return Array.from({ length: n }, () => 2 * next() - 1);
}

const unitDouble = fc.double({ min: -1, max: 1, noNaN: true });

/**
 * Random vectors in [-1, 1] (real and imaginary parts each, as Lattigo samples) of lengths 1..maxLength (so every sparse packing from 1 slot up to
 * maxLength rounded to a power of two is exercised). Short ones come value by value from
 * fast-check (with its edge cases -1, 0, -0, 1, tiny values); long ones from a seeded PRNG.
 * `complex: false` gives zero imaginary parts.
 */
export function vectorArb(maxLength: number, complex: boolean): fc.Arbitrary<Vec> {
  const short = fc.integer({ min: 1, max: Math.min(32, maxLength) }).chain((n) =>
    fc.tuple(fc.array(unitDouble, { minLength: n, maxLength: n }), fc.array(unitDouble, { minLength: n, maxLength: n })));
  const long = fc.tuple(fc.integer({ min: 1, max: maxLength }), fc.integer(), fc.integer()).map(([n, s1, s2]) =>
    [uniformValues(n, s1), uniformValues(n, s2)] as [number[], number[]]);
  // Constant vectors of modulus 1 (or 0) at angles multiple of pi/4: the extreme values
  // (+-1, +-i, (+-1 +-i)/sqrt 2) at which Lattigo's bound must still hold.
  const edges = fc.tuple(fc.integer({ min: 1, max: maxLength }), fc.constantFrom(1, 0), fc.integer({ min: 0, max: 7 }))
    .map(([n, modulus, eighth]) => {
      const angle = complex ? (eighth * Math.PI) / 4 : (eighth % 2) * Math.PI;
      return [new Array<number>(n).fill(modulus * Math.cos(angle)), new Array<number>(n).fill(modulus * Math.sin(angle))] as [number[], number[]];
    });
  return fc.oneof({ arbitrary: short, weight: 2 }, { arbitrary: long, weight: 3 }, { arbitrary: edges, weight: 1 })
    .map(([re, im]) => ({ re, im: complex ? im : new Array<number>(re.length).fill(0) }));
}

/** Two vectors of the same length (for binary operations). */
export function vectorPairArb(maxLength: number, complex: boolean): fc.Arbitrary<[Vec, Vec]> {
  return fc.tuple(vectorArb(maxLength, complex), fc.integer()).map(([a, seed]) => {
    const n = a.re.length;
    const re = uniformValues(n, seed);
    const im = complex ? uniformValues(n, seed ^ 0x5bd1e995) : new Array<number>(n).fill(0);
    return [a, { re, im }];
  });
}

/** A real (number) or complex ({re, im}) constant in [-1, 1] (or [-bound, bound]). */
export function constantArb(complex: boolean, bound = 1): fc.Arbitrary<number | { re: number; im: number }> {
  const value = fc.double({ min: -bound, max: bound, noNaN: true });
  return complex ? fc.record({ re: value, im: value }) : value;
}

// ------------------------------------------------------------------ float64 references

/** The smallest power of two >= n (the slot count the encoder picks by default). */
export function slotsFor(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** v padded with zeros to `slots` entries (what the encoder packs). */
export function pad(v: Vec, slots = slotsFor(v.re.length)): Vec {
  const re = new Array<number>(slots).fill(0);
  const im = new Array<number>(slots).fill(0);
  v.re.forEach((x, i) => (re[i] = x));
  v.im.forEach((x, i) => (im[i] = x));
  return { re, im };
}

/** Element-wise map over complex vectors of equal length. */
export function zipWith(a: Vec, b: Vec, f: (ar: number, ai: number, br: number, bi: number) => [number, number]): Vec {
  const re: number[] = [];
  const im: number[] = [];
  for (let i = 0; i < a.re.length; i++) {
    const [r, s] = f(a.re[i]!, a.im[i]!, b.re[i]!, b.im[i]!);
    re.push(r);
    im.push(s);
  }
  return { re, im };
}

export const vadd = (a: Vec, b: Vec): Vec => zipWith(a, b, (ar, ai, br, bi) => [ar + br, ai + bi]);
export const vsub = (a: Vec, b: Vec): Vec => zipWith(a, b, (ar, ai, br, bi) => [ar - br, ai - bi]);
export const vmul = (a: Vec, b: Vec): Vec => zipWith(a, b, (ar, ai, br, bi) => [ar * br - ai * bi, ar * bi + ai * br]);
export const vneg = (a: Vec): Vec => ({ re: a.re.map((x) => -x), im: a.im.map((x) => -x) });
export const vconj = (a: Vec): Vec => ({ re: [...a.re], im: a.im.map((x) => -x) });

/** c as a complex pair. */
export function complexOf(c: number | { re: number; im: number }): { re: number; im: number } {
  return typeof c === "number" ? { re: c, im: 0 } : c;
}

/** Every slot plus the constant c. */
export function vaddConst(a: Vec, c: number | { re: number; im: number }): Vec {
  const { re, im } = complexOf(c);
  return { re: a.re.map((x) => x + re), im: a.im.map((x) => x + im) };
}

/** Every slot times the constant c. */
export function vmulConst(a: Vec, c: number | { re: number; im: number }): Vec {
  const { re, im } = complexOf(c);
  return { re: a.re.map((x, i) => x * re - a.im[i]! * im), im: a.re.map((x, i) => x * im + a.im[i]! * re) };
}

/** Left rotation by `steps` (negative: right) of the whole vector. */
export function vrotate(a: Vec, steps: number): Vec {
  const n = a.re.length;
  const r = ((steps % n) + n) % n;
  const at = (xs: number[]): number[] => xs.map((_, i) => xs[(i + r) % n]!);
  return { re: at(a.re), im: at(a.im) };
}

// ------------------------------------------------------------------ precision

/** Errors below this are counted as this (2^-60), as in Lattigo. */
export const errorFloor = 2 ** -60;

export interface Precision {
  /** Mean over slots of -log2 |error| of the real parts, and of the imaginary parts. */
  readonly meanRe: number;
  readonly meanIm: number;
  /** min(meanRe, meanIm): the figure the bounds are asserted on. */
  readonly mean: number;
  /** Worst slot (-log2 of the largest error over both parts). */
  readonly min: number;
}

/**
 * Precision in bits of `actual` against `expected`, Lattigo style: per slot and per part,
 * -log2(max(|error|, 2^-60)), averaged over the slots.
 */
export function precision(actual: Vec, expected: Vec): Precision {
  expect(actual.re.length).toBe(expected.re.length);
  const bits = (e: number): number => -Math.log2(Math.max(Math.abs(e), errorFloor));
  let sumRe = 0;
  let sumIm = 0;
  let min = Infinity;
  for (let i = 0; i < expected.re.length; i++) {
    const er = bits(actual.re[i]! - expected.re[i]!);
    const ei = bits(actual.im[i]! - expected.im[i]!);
    // NaN errors must never look precise.
    if (Number.isNaN(er) || Number.isNaN(ei)) return { meanRe: -Infinity, meanIm: -Infinity, mean: -Infinity, min: -Infinity };
    sumRe += er;
    sumIm += ei;
    min = Math.min(min, er, ei);
  }
  const n = expected.re.length;
  const meanRe = sumRe / n;
  const meanIm = sumIm / n;
  return { meanRe, meanIm, mean: Math.min(meanRe, meanIm), min };
}

/** Lattigo's criterion for one operation: log2(scale) - (logN + 2) bits. */
export function oneOperationBound(params: Parameters): number {
  return params.logScale - (params.logN + 2);
}

/** Asserts the mean precision of `actual` against `expected` is at least `bound` bits. */
export function expectPrecision(actual: Vec, expected: Vec, bound: number, label = "precision"): Precision {
  const p = precision(actual, expected);
  if (!(p.mean >= bound)) {
    expect.fail(`${label}: mean precision ${p.mean.toFixed(2)} bits (re ${p.meanRe.toFixed(2)}, im ${p.meanIm.toFixed(2)}, worst slot ${p.min.toFixed(2)}) is below the bound ${bound.toFixed(2)}`);
  }
  return p;
}

// ------------------------------------------------------------------ errors

/**
 * Runs f and asserts it throws the library's FheError (optionally with `code`, and with a
 * message naming `operation`, i.e. starting "cannot <operation>:"). Returns the error.
 */
export function expectFheError(f: () => unknown, code?: FheErrorCode | readonly FheErrorCode[], operation?: string): FheError {
  let thrown: unknown;
  let returned: unknown;
  try {
    returned = f();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) {
    disposeIfPossible(returned);
    expect.fail(`expected an FheError${code === undefined ? "" : ` (${String(code)})`}, but the call returned ${describeValue(returned)}`);
  }
  if (!(thrown instanceof FheError)) {
    expect.fail(`expected an FheError, got ${thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : String(thrown)}`);
  }
  if (code !== undefined) {
    const codes: readonly FheErrorCode[] = typeof code === "string" ? [code] : code;
    expect(codes, `error code of "${thrown.message}"`).toContain(thrown.code);
  }
  expect(thrown.message.startsWith("cannot ")).toBe(true);
  if (operation !== undefined) expect(thrown.message, "message names the operation").toContain(`cannot ${operation}:`);
  return thrown;
}

/**
 * True when String(value) works. It throws for objects without a prototype or with a
 * non-callable toString (e.g. { toString: undefined }); the engine formats offending values
 * with String() in its messages, which bad-input-types.test.ts checks separately, so random
 * properties leave such values out to stay deterministic.
 */
export function stringifiable(value: unknown): boolean {
  try {
    String(value);
    return true;
  } catch {
    return false;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  return typeof value;
}

/** Disposes a returned library object (or an array of them) if it has dispose(). */
export function disposeIfPossible(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) disposeIfPossible(item);
  } else if (value !== null && typeof value === "object" && typeof (value as { dispose?: unknown }).dispose === "function") {
    (value as { dispose: () => void }).dispose();
  }
}

/** Bitwise equality of two ciphertexts (same polynomials, level, scale, slots, degree). */
export function expectSameCiphertext(a: Ciphertext, b: Ciphertext): void {
  expect({ level: a.level, scale: a.scale, slots: a.slots, degree: a.degree }).toEqual({ level: b.level, scale: b.scale, slots: b.slots, degree: b.degree });
  expect(Buffer.from(serializeCiphertext(a, { seeded: false })).equals(Buffer.from(serializeCiphertext(b, { seeded: false })))).toBe(true);
}

/** Asserts mean and worst precision bounds in bits; returns the measurement. */
export function expectBits(actual: Vec, expected: Vec, mean: number, worst: number, label: string): Precision {
  const p = expectPrecision(actual, expected, mean, label);
  expect(p.min, `${label}: worst slot ${p.min.toFixed(2)} bits (mean ${p.mean.toFixed(2)})`).toBeGreaterThanOrEqual(worst);
  return p;
}

/** n values in [-1, 1] from a seed, complex unless `complex` is false (zero imaginary parts). */
export function randomVec(n: number, seed: number, complex = true): Vec {
  return { re: uniformValues(n, seed), im: complex ? uniformValues(n, seed ^ 0x5bd1e995) : new Array<number>(n).fill(0) };
}
