// The float64 parts of bootstrapping (no encryption, no keys).
//
// DFT factors: for every slot count n in {2, ..., 256} and every levels count 1 .. log2(n), the
// SlotsToCoeffs factors applied in order to the bit-reversed coefficients P c give the special
// DFT z_j = sum_k c_k exp(2 pi i (5^j mod 4n) k / 4n) (an O(n^2) reference written here), and
// the CoeffsToSlots factors applied to z give f n P c, both within 1e-9 relative (max-norm);
// a merged level of r stages has at most 2^(r + 1) - 1 diagonals, all at indices sum e_i h_i
// (e_i in {-1, 0, 1}, h_i the stages' half-lengths). The convention is checked against the real
// encoder: a plaintext built from known integer coefficients decodes to the SlotsToCoeffs
// product of its bit-reversed c_k = (m_k + i m_(k + N/2)) / scale (1e-9 relative), and the
// coefficients an encoding produces are the CoeffsToSlots product of the values (to 1e-9).
// Complex diagonals: Diagonals.fromComplexMap / applyComplex against a dense complex
// matrix-vector product (1e-12); bad input is INVALID_ARGUMENT.
// EvalMod: the twin against sin(2 pi K x) near the integers (K = 16, degree 30, r = 4: below
// 2^-38, known answer); the error decreases with the degree. Failure probability: known answers
// against independent references (0.01 bits, or 0.02 bits for the Gaussian tail), -Infinity
// beyond (h + 1) / 2, smallestK, monotone in K. mulMod against BigInt.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  applyMap, butterflyStage, coeffsToSlotsFactors, composeMaps, slotsToCoeffsFactors, stageGroups, type ComplexSlots, type DiagonalMap,
} from "../../engine/circuits/bootstrapping/dft-factors.js";
import { evalModError, evalModPolynomial, evalModTwin } from "../../engine/circuits/bootstrapping/eval-mod.js";
import { log2FailureProbability, smallestK } from "../../engine/circuits/bootstrapping/failure.js";
import { mulMod } from "../../engine/circuits/bootstrapping/mod-raise.js";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { Encoder, Parameters } from "../../engine/index.js";
import { Plaintext } from "../../engine/plaintext.js";
import { clone, polyFromBigInts, polyToBigInts, toCoefficients, toNtt } from "../../engine/ring/index.js";
import { expectFheError, prng } from "../helpers/ckks.js";

const bootLiteral = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;

// ------------------------------------------------------------------ references

/** n random complex values with parts uniform in [-1, 1]. */
function randomComplex(n: number, seed: number): ComplexSlots {
  const next = prng(seed);
  return { re: Float64Array.from({ length: n }, () => 2 * next() - 1), im: Float64Array.from({ length: n }, () => 2 * next() - 1) };
}

/** (P x)_j = x_(rev(j)), rev reversing the log2(n) bits. */
function bitReverse(x: ComplexSlots): ComplexSlots {
  const n = x.re.length;
  const bits = Math.log2(n);
  const rev = (j: number): number => {
    let r = 0;
    for (let b = 0; b < bits; b++) if ((j >> b) & 1) r |= 1 << (bits - 1 - b);
    return r;
  };
  return { re: Float64Array.from({ length: n }, (_, j) => x.re[rev(j)]!), im: Float64Array.from({ length: n }, (_, j) => x.im[rev(j)]!) };
}

/** z_j = sum_(k < n) c_k exp(2 pi i (5^j mod 4n) k / (4n)), exponents reduced exactly mod 4n. */
function specialDft(c: ComplexSlots): ComplexSlots {
  const n = c.re.length;
  const m = 4 * n;
  const cos = Float64Array.from({ length: m }, (_, t) => Math.cos((2 * Math.PI * t) / m));
  const sin = Float64Array.from({ length: m }, (_, t) => Math.sin((2 * Math.PI * t) / m));
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let power = 1;
  for (let j = 0; j < n; j++) {
    let sr = 0;
    let si = 0;
    for (let k = 0; k < n; k++) {
      const t = (power * k) % m;
      sr += c.re[k]! * cos[t]! - c.im[k]! * sin[t]!;
      si += c.re[k]! * sin[t]! + c.im[k]! * cos[t]!;
    }
    re[j] = sr;
    im[j] = si;
    power = (power * 5) % m;
  }
  return { re, im };
}

function applyAll(maps: readonly DiagonalMap[], x: ComplexSlots): ComplexSlots {
  return maps.reduce((v, map) => applyMap(map, v), x);
}

function scaled(x: ComplexSlots, f: number): ComplexSlots {
  return { re: x.re.map((v) => v * f), im: x.im.map((v) => v * f) };
}

/** max_j |a_j - b_j| / max_j |b_j| (complex modulus). */
function relativeError(a: ComplexSlots, b: ComplexSlots): number {
  let error = 0;
  let size = 0;
  for (let j = 0; j < b.re.length; j++) {
    error = Math.max(error, Math.hypot(a.re[j]! - b.re[j]!, a.im[j]! - b.im[j]!));
    size = Math.max(size, Math.hypot(b.re[j]!, b.im[j]!));
  }
  return error / size;
}

// ------------------------------------------------------------------ DFT factors

describe("CoeffsToSlots / SlotsToCoeffs factors", () => {
  it("multiply out to the special DFT (and f n times its inverse) for every n in 2..256 and every levels count", () => {
    for (let logN = 1; logN <= 8; logN++) {
      const n = 2 ** logN;
      const c = randomComplex(n, 1000 + logN);
      const z = specialDft(c);
      const pc = bitReverse(c);
      for (let levels = 1; levels <= logN; levels++) {
        const label = `n = ${n}, ${levels} levels`;
        const stc = slotsToCoeffsFactors(n, levels, 1);
        expect(stc.length, label).toBe(levels);
        expect(relativeError(applyAll(stc, pc), z), `SlotsToCoeffs, ${label}`).toBeLessThan(1e-9);
        const f = 0.001 + prng(n * 31 + levels)() * 3;
        const cts = coeffsToSlotsFactors(n, levels, f);
        expect(cts.length, label).toBe(levels);
        expect(relativeError(applyAll(cts, z), scaled(pc, f * n)), `CoeffsToSlots, ${label}`).toBeLessThan(1e-9);
      }
    }
  });

  it("a merged level of r stages has at most 2^(r+1) - 1 diagonals, at indices sum e_i h_i of its stages' half-lengths", () => {
    for (let logN = 1; logN <= 8; logN++) {
      const n = 2 ** logN;
      for (let levels = 1; levels <= logN; levels++) {
        const groups = stageGroups(logN, levels);
        expect(groups.reduce((a, b) => a + b, 0)).toBe(logN);
        expect(Math.max(...groups) - Math.min(...groups)).toBeLessThanOrEqual(1);
        expect([...groups].sort((a, b) => b - a)).toEqual(groups);
        for (const [direction, factors, halves] of [
          ["CoeffsToSlots", coeffsToSlotsFactors(n, levels, 1), Array.from({ length: logN }, (_, i) => n >> (i + 1))],
          ["SlotsToCoeffs", slotsToCoeffsFactors(n, levels, 1), Array.from({ length: logN }, (_, i) => 1 << i)],
        ] as const) {
          let next = 0;
          factors.forEach((map, i) => {
            const r = groups[i]!;
            const mine = halves.slice(next, next + r);
            next += r;
            let allowed = new Set([0]);
            for (const h of mine) allowed = new Set([...allowed].flatMap((a) => [a, (a + h) % n, (a - h + n) % n]));
            const label = `${direction} n = ${n}, ${levels} levels, factor ${i} (${r} stages)`;
            expect(map.size, label).toBeLessThanOrEqual(2 ** (r + 1) - 1);
            expect(map.size, label).toBeLessThanOrEqual(n);
            for (const index of map.keys()) expect(allowed.has(index), `${label}: index ${index}`).toBe(true);
          });
        }
      }
    }
  });

  it("composeMaps(a, b) applies b then a; one stage is three diagonals (0, h, -h)", () => {
    const n = 64;
    const a = butterflyStage(n, 8, false);
    const b = butterflyStage(n, 4, true);
    expect([...a.keys()].sort((x, y) => x - y)).toEqual([0, 8, 56]);
    const x = randomComplex(n, 5);
    expect(relativeError(applyMap(composeMaps(a, b, n), x), applyMap(a, applyMap(b, x)))).toBeLessThan(1e-13);
  });

  it("refuses a slot count that is not a power of two >= 2, a levels count outside [1, log2 n], a factor <= 0 or not finite", () => {
    for (const build of [coeffsToSlotsFactors, slotsToCoeffsFactors]) {
      for (const slots of [0, 1, 3, 6, 2.5, Number.NaN, "8" as unknown as number]) expectFheError(() => build(slots, 1, 1), "INVALID_ARGUMENT");
      for (const levels of [0, 4, 1.5, -1, Number.NaN]) expectFheError(() => build(8, levels, 1), "INVALID_ARGUMENT");
      for (const factor of [0, -1, Number.NaN, Infinity, "1" as unknown as number]) expectFheError(() => build(8, 2, factor), "INVALID_ARGUMENT");
    }
  });
});

describe("the factors' convention against the real encoder (N = 2^10, 512 slots)", () => {
  let params: Parameters;
  let encoder: Encoder;
  beforeAll(() => {
    params = Parameters.create(bootLiteral);
    encoder = new Encoder(params);
  });

  /** The coefficients of a plaintext as centered integers. */
  function coefficientsOf(pt: Plaintext): bigint[] {
    using copy = clone(pt.poly, { scoped: true });
    toCoefficients(copy);
    const q = copy.basis.product();
    return polyToBigInts(copy).map((v) => (v > q / 2n ? v - q : v));
  }

  it("decodeComplex of known integer coefficients is the SlotsToCoeffs product of the bit-reversed c_k = (m_k + i m_(k+N/2)) / scale", () => {
    const { n } = params;
    const half = n / 2;
    const logScale = 30;
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, params.maxLevel), (seed, levels, level) => {
      const next = prng(seed);
      const m = Array.from({ length: n }, () => BigInt(Math.floor((2 * next() - 1) * 2 ** logScale)));
      const poly = polyFromBigInts(params.ring, params.basisQ(level), m);
      toNtt(poly);
      using pt = new Plaintext(params, poly, level, 2 ** logScale, half);
      const c = {
        re: Float64Array.from({ length: half }, (_, k) => Number(m[k]!) / 2 ** logScale),
        im: Float64Array.from({ length: half }, (_, k) => Number(m[k + half]!) / 2 ** logScale),
      };
      const decoded = encoder.decodeComplex(pt);
      const z = specialDft(c);
      expect(relativeError(decoded, z), "decoder against the direct special DFT").toBeLessThan(1e-9);
      expect(relativeError(decoded, applyAll(slotsToCoeffsFactors(half, levels, 1), bitReverse(c))), "decoder against SlotsToCoeffs").toBeLessThan(1e-9);
    }), { numRuns: 4 });
  });

  it("an encoding's coefficients / scale, bit-reversed, are the CoeffsToSlots product (factor 1/n) of the values", () => {
    const half = params.n / 2;
    const scale = 2 ** 40;
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 9 }), (seed, levels) => {
      const z = randomComplex(half, seed);
      using pt = encoder.encodeComplex(z, { scale });
      const m = coefficientsOf(pt);
      const pc = bitReverse({
        re: Float64Array.from({ length: half }, (_, k) => Number(m[k]!) / scale),
        im: Float64Array.from({ length: half }, (_, k) => Number(m[k + half]!) / scale),
      });
      const expected = applyAll(coeffsToSlotsFactors(half, levels, 1 / half), z);
      let worst = 0;
      for (let k = 0; k < half; k++) worst = Math.max(worst, Math.abs(pc.re[k]! - expected.re[k]!), Math.abs(pc.im[k]! - expected.im[k]!));
      // Rounding to integers at scale 2^40 costs at most 2^-41 per coefficient.
      expect(worst).toBeLessThan(1e-9);
    }), { numRuns: 4 });
  });
});

// ------------------------------------------------------------------ complex diagonals

describe("Diagonals.fromComplexMap / applyComplex", () => {
  /** The dense n x n complex matrix of a diagonal map: M[s][(s + d) mod n] += diag_d[s]. */
  function dense(map: ReadonlyMap<number, ComplexSlots>, n: number): { re: Float64Array; im: Float64Array } {
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (const [d, diagonal] of map) {
      const r = ((d % n) + n) % n;
      for (let s = 0; s < n; s++) {
        const at = s * n + ((s + r) % n);
        re[at] = re[at]! + diagonal.re[s]!;
        im[at] = im[at]! + diagonal.im[s]!;
      }
    }
    return { re, im };
  }

  function matVec(m: { re: Float64Array; im: Float64Array }, x: ComplexSlots): ComplexSlots {
    const n = x.re.length;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      for (let t = 0; t < n; t++) {
        const ar = m.re[s * n + t]!;
        const ai = m.im[s * n + t]!;
        re[s] = re[s]! + ar * x.re[t]! - ai * x.im[t]!;
        im[s] = im[s]! + ar * x.im[t]! + ai * x.re[t]!;
      }
    }
    return { re, im };
  }

  /** Random diagonals at distinct indices mod n, given as any integer (negative, >= n); some real-only, some imaginary-only, some zero. */
  const mapArb = fc.integer({ min: 0, max: 7 }).chain((log) => {
    const n = 2 ** log;
    return fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n }), fc.integer());
  }).map(([n, residues, seed]) => {
    const next = prng(seed);
    const map = new Map<number, ComplexSlots>();
    for (const r of residues) {
      const kind = Math.floor(next() * 4); // 0 complex, 1 real only, 2 imaginary only, 3 zero
      const part = (zero: boolean): Float64Array => Float64Array.from({ length: n }, () => (zero ? 0 : 2 * next() - 1));
      const index = r + n * (Math.floor(next() * 5) - 2);
      map.set(index, { re: part(kind === 2 || kind === 3), im: part(kind === 1 || kind === 3) });
    }
    return { n, map, x: randomComplex(n, seed ^ 0x9e3779b9) };
  });

  it("applyComplex is the dense complex matrix-vector product; zero diagonals are skipped; imaginary() and isComplex report the parts (property)", () => {
    fc.assert(fc.property(mapArb, ({ n, map, x }) => {
      const diagonals = Diagonals.fromComplexMap(map, n);
      const y = diagonals.applyComplex(x);
      const expected = matVec(dense(map, n), x);
      for (let s = 0; s < n; s++) {
        expect(Math.abs(y.re[s]! - expected.re[s]!)).toBeLessThan(1e-12);
        expect(Math.abs(y.im[s]! - expected.im[s]!)).toBeLessThan(1e-12);
      }
      // The map form applyMap of dft-factors uses the same indexing.
      const normalized: DiagonalMap = new Map([...map].map(([d, v]) => [((d % n) + n) % n, v]));
      const twin = applyMap(normalized, x);
      for (let s = 0; s < n; s++) expect(Math.hypot(twin.re[s]! - y.re[s]!, twin.im[s]! - y.im[s]!)).toBeLessThan(1e-12);
      const nonZero = [...normalized].filter(([, v]) => v.re.some((a) => a !== 0) || v.im.some((a) => a !== 0)).map(([r]) => r).sort((a, b) => a - b);
      expect(diagonals.indices).toEqual(nonZero);
      const withImaginary = [...normalized].filter(([, v]) => v.im.some((a) => a !== 0));
      expect(diagonals.isComplex).toBe(withImaginary.length > 0);
      for (const [r, v] of normalized) {
        const im = diagonals.imaginary(r);
        if (v.im.some((a) => a !== 0)) expect(Array.from(im!)).toEqual(Array.from(v.im));
        else expect(im).toBeUndefined();
      }
      // imaginary() returns a copy.
      if (withImaginary.length > 0) {
        const [r] = withImaginary[0]!;
        diagonals.imaginary(r)!.fill(7);
        expect(diagonals.imaginary(r)![0]).not.toBe(7);
      }
    }), { numRuns: 60 });
  });

  it("refuses a non-Map, a value that is not { re, im }, wrong lengths, non-finite values, non-integer or colliding indices (INVALID_ARGUMENT)", () => {
    const ok = (n: number): ComplexSlots => ({ re: new Float64Array(n).fill(1), im: new Float64Array(n).fill(1) });
    const bad: unknown[] = [
      { 0: ok(4) }, [[0, ok(4)]], null, undefined,
      new Map([[0, null]]), new Map([[0, 5]]), new Map([[0, { re: ok(4).re }]]), new Map([[0, { im: ok(4).im }]]),
      new Map([[0, { re: new Float64Array(3), im: new Float64Array(4) }]]), new Map([[0, { re: new Float64Array(4), im: new Float64Array(5) }]]),
      new Map([[0, { re: [1, Number.NaN, 0, 0], im: [0, 0, 0, 0] }]]), new Map([[0, { re: [0, 0, 0, 0], im: [0, Infinity, 0, 0] }]]),
      new Map([[0, { re: [0, 0, 0, 0], im: ["1", 0, 0, 0] }]]),
      new Map([[1.5, ok(4)]]), new Map([["1", ok(4)]]), new Map([[1, ok(4)], [5, ok(4)]]), new Map([[-1, ok(4)], [3, ok(4)]]),
    ];
    for (const value of bad) expectFheError(() => Diagonals.fromComplexMap(value as Map<number, ComplexSlots>, 4), "INVALID_ARGUMENT", "create diagonals");
    expectFheError(() => Diagonals.fromComplexMap(new Map([[0, ok(3)]]), 3), "INVALID_ARGUMENT");
    const diagonals = Diagonals.fromComplexMap(new Map([[1, ok(4)]]), 4);
    for (const x of [{ re: [1, 2, 3], im: [1, 2, 3, 4] }, { re: [1, 2, 3, 4], im: [1, 2, 3] }, { re: [1, Number.NaN, 3, 4], im: [1, 2, 3, 4] },
      { re: [1, 2, 3, 4], im: [1, 2, -Infinity, 4] }, null, { re: [1, 2, 3, 4] }]) {
      expectFheError(() => diagonals.applyComplex(x as unknown as ComplexSlots), "INVALID_ARGUMENT", "apply diagonals");
    }
    // A map with output windows is not a full slots x slots map.
    const windowed = Diagonals.fromMatrix([[1, 2, 3, 4]], { rows: 1, cols: 4, slots: 16, windows: 4 });
    expect(windowed.windows).toBe(4);
    expectFheError(() => windowed.applyComplex({ re: new Float64Array(16), im: new Float64Array(16) }), "INVALID_ARGUMENT");
  });
});

// ------------------------------------------------------------------ EvalMod

describe("EvalMod", () => {
  it("known answer: K = 16, degree 30, r = 4 approximates sin(2 pi K x) within 2^-38 near the integers (random points, property)", () => {
    const shape = { k: 16, degree: 30, doubleAngles: 4 };
    const p = evalModPolynomial(shape);
    expect(p.degree).toBe(30);
    const error = evalModError(p, shape);
    expect(error).toBeLessThan(2 ** -38);
    fc.assert(fc.property(fc.integer({ min: -15, max: 15 }), fc.double({ min: -(2 ** -8), max: 2 ** -8, noNaN: true }), (integer, e) => {
      const x = (integer + e) / shape.k;
      const d = Math.abs(evalModTwin(p, shape.doubleAngles, x) - Math.sin(2 * Math.PI * shape.k * x));
      expect(d).toBeLessThan(2 ** -38);
      expect(d).toBeLessThanOrEqual(2 * error);
    }), { numRuns: 300 });
  });

  it("the twin is the polynomial then r double angles y -> 2 y^2 - 1; with r = 0 the polynomial itself", () => {
    const p = evalModPolynomial({ k: 4, degree: 40, doubleAngles: 2 });
    for (const x of [-1, -0.3, 0, 0.26, 1]) {
      const y = p.evaluate(x);
      expect(evalModTwin(p, 0, x)).toBe(y);
      expect(evalModTwin(p, 2, x)).toBeCloseTo(2 * (2 * y * y - 1) ** 2 - 1, 14);
      // The interpolant is of cos(2 pi (K x - 1/4) / 2^r) on all of [-1, 1].
      expect(Math.abs(y - Math.cos((2 * Math.PI * (4 * x - 0.25)) / 4))).toBeLessThan(1e-12);
    }
  });

  it("the error decreases when the degree grows for fixed K and r (K = 16, r = 3 table; random K, r from past the bandwidth, property)", () => {
    const errors = [16, 24, 32, 40].map((degree) => evalModError(evalModPolynomial({ k: 16, degree, doubleAngles: 3 }), { k: 16, degree, doubleAngles: 3 }));
    for (let i = 1; i < errors.length; i++) expect(errors[i]!).toBeLessThan(errors[i - 1]!);
    expect(errors[3]!).toBeLessThan(2 ** -38);
    expect(errors[0]!).toBeGreaterThan(2 ** -4);
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), (k, r, extra) => {
      // Past the interpolated cosine's bandwidth (2 pi K / 2^r), until float64's floor.
      const degree = Math.ceil((2 * Math.PI * k) / 2 ** r) + 8 + 8 * extra;
      const low = evalModError(evalModPolynomial({ k, degree, doubleAngles: r }), { k, degree, doubleAngles: r }, 65);
      const high = evalModError(evalModPolynomial({ k, degree: degree + 8, doubleAngles: r }), { k, degree: degree + 8, doubleAngles: r }, 65);
      if (low > 2 ** -35) expect(high, `K = ${k}, r = ${r}, degree ${degree} -> ${degree + 8}`).toBeLessThan(low);
    }), { numRuns: 25 });
  });
});

// ------------------------------------------------------------------ failure probability

/** log2(n!) as a sum of logarithms. */
function log2Factorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log2(i);
  return s;
}

/** log2 P(|Z| >= z) for a standard normal: 2 phi(z) int_0^inf exp(-z u - u^2 / 2) du (Simpson). */
function log2NormalTail(z: number): number {
  const upper = Math.min(40 / z, 12);
  const steps = 20000;
  const h = upper / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const u = i * h;
    sum += Math.exp(-z * u - (u * u) / 2) * (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2);
  }
  return Math.log2((2 * ((sum * h) / 3)) / Math.sqrt(2 * Math.PI)) - (z * z) / 2 / Math.LN2;
}

describe("failure probability", () => {
  it("known answers: h = 32 at K = 16 and K = 15 (Irwin-Hall), h = 2 at K = 1 (triangular law)", () => {
    // K = 16: P(S_32 <= 1/2) = (1/2)^32 / 32!, times 2 tails and 2^16 coefficients.
    expect(Math.abs(log2FailureProbability(16, 32, 16) - (1 + 16 - 32 - log2Factorial(32)))).toBeLessThan(0.01);
    // K = 15: P(S_32 <= 3/2) = ((3/2)^32 - 32 (1/2)^32) / 32!.
    expect(Math.abs(log2FailureProbability(16, 32, 15) - (1 + 16 + Math.log2(1.5 ** 32 - 32 * 0.5 ** 32) - log2Factorial(32)))).toBeLessThan(0.01);
    // The sum of two uniforms on [-1/2, 1/2) is triangular on [-1, 1]: P(|S| >= 1/2) = 1/4.
    expect(log2FailureProbability(0, 2, 1)).toBeCloseTo(-2, 10);
    // One uniform never reaches 1/2 in modulus (K = (h + 1) / 2).
    expect(log2FailureProbability(0, 1, 1)).toBe(-Infinity);
  });

  it("is -Infinity when K > (h + 1) / 2 (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 50 }), (logN, h, above) => {
      expect(log2FailureProbability(logN, h, Math.floor((h + 1) / 2) + above)).toBe(-Infinity);
    }), { numRuns: 100 });
  });

  it("smallestK: 16 for (2^16, h = 32, 2^-128), 20 for (2^10, h = 40); it is the first K reaching the target", () => {
    expect(smallestK(16, 32, 128)).toBe(16);
    expect(log2FailureProbability(16, 32, 15)).toBeGreaterThan(-128);
    expect(smallestK(10, 40, 128)).toBe(20);
    fc.assert(fc.property(fc.integer({ min: 0, max: 17 }), fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }), fc.integer({ min: 1, max: 200 }), (logN, h, bits) => {
      const k = smallestK(logN, h, bits);
      expect(log2FailureProbability(logN, h, k)).toBeLessThanOrEqual(-bits);
      if (k > 1) expect(log2FailureProbability(logN, h, k - 1)).toBeGreaterThan(-bits);
    }), { numRuns: 40 });
  });

  it("is non-increasing in K (sparse and dense secrets) and, for a sparse secret, grows by exactly 1 per doubling of N (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 16 }), fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }), fc.integer({ min: 1, max: 120 }), (logN, h, k) => {
      const here = log2FailureProbability(logN, h, k);
      expect(here).not.toBeNaN();
      expect(log2FailureProbability(logN, h, k + 1)).toBeLessThanOrEqual(here);
      // The union bound over N coefficients of one law (a dense secret's variance grows with N).
      if (h !== undefined && here !== -Infinity) expect(log2FailureProbability(logN + 1, h, k) - here).toBeCloseTo(1, 10);
    }), { numRuns: 200 });
  });

  it("dense secrets: the Gaussian tail of variance N (2/3) / 12 against numerical integration (within 0.02 bits, both branches)", () => {
    for (const logN of [10, 14]) {
      const sigma = Math.sqrt((2 ** logN * 2) / 3 / 12);
      for (const k of [2, 10, 25, 50, 60, 80, 110, 400]) {
        const reference = log2NormalTail((k - 0.5) / sigma) + logN;
        if (reference < -300) continue;
        expect(Math.abs(log2FailureProbability(logN, undefined, k) - reference), `logN ${logN}, K ${k}`).toBeLessThan(0.02);
      }
    }
  });
});

// ------------------------------------------------------------------ mulMod

describe("mulMod", () => {
  it("is a b mod p for a, b in [0, 2^30) and any modulus p in [2, 2^31) (property against BigInt)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 2, max: 2 ** 31 - 1 }), (a, b, p) => {
      expect(mulMod(a, b, p)).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(p)));
    }), { numRuns: 2000 });
  });

  it("is exact for residues of the chain's primes, including the extremes p - 1 and 0", () => {
    const params = Parameters.create(bootLiteral);
    for (const p of [...params.qPrimes, ...params.pPrimes]) {
      for (const [a, b] of [[p - 1, p - 1], [0, p - 1], [p - 1, 1], [p - 2, p - 3], [1, 1]] as const) {
        expect(mulMod(a, b, p), `p = ${p}`).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(p)));
      }
    }
    fc.assert(fc.property(fc.constantFrom(...params.qPrimes), fc.nat(), fc.nat(), (p, x, y) => {
      const a = x % p;
      const b = y % p;
      expect(mulMod(a, b, p)).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(p)));
    }), { numRuns: 500 });
  });
});
