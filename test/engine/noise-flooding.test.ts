// Noise flooding with a width derived from the measured noise (Li, Micciancio, Schultz and
// Sorrell, CRYPTO 2022; OpenFHE's NOISE_FLOODING_DECRYPT): the noise estimate against the true
// error, the width formula sqrt(12 tau) 2^(s/2) t, explicit widths beyond the former 26-bit cap,
// widths the level cannot hold, and the precision documented in README.md.
//
// Precision once flooding of 2^b dominates: each slot receives sum_j z_j zeta^j / scale, a
// Gaussian of deviation 2^(b + logN/2) / scale (real and imaginary parts 2^(b + (logN - 1)/2)),
// so the mean precision is log2(scale) - b - logN/2 + [-2, +3] bits.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  presets, type Ciphertext, type DecryptOptions, type FloodingWidth, type WasmHeap,
} from "../../engine/index.js";
import { centeredCoefficients, clone, sub, toCoefficients } from "../../engine/ring/index.js";
import {
  expectFheError, makeContext, precision, testLiterals, uniformValues, vmul, type CkksContext, type Vec,
} from "../helpers/ckks.js";
import { watchFrees } from "../helpers/heap-watch.js";

/** Standard deviation of the coefficients of `ct`'s decryption minus the encoding of `expected`. */
function trueNoise(c: CkksContext, ct: Ciphertext, expected: Vec): number {
  using pt = c.decryptor.decrypt(ct);
  using reference = c.encode(expected, { level: ct.level, scale: ct.scale, slots: ct.slots });
  using error = clone(pt.poly);
  sub(error, error, reference.poly);
  toCoefficients(error);
  const values = centeredCoefficients(error, error.basis.size, Int32Array.from({ length: c.params.n }, (_, i) => i));
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
}

/** Mean precision of the decryption of `ct` with `options` against `expected`. */
function decryptedPrecision(c: CkksContext, ct: Ciphertext, expected: Vec, options: DecryptOptions): { mean: number; min: number } {
  using pt = c.decryptor.decrypt(ct, options);
  const { re, im } = c.encoder.decodeComplex(pt);
  return precision({ re: Array.from(re), im: Array.from(im) }, expected);
}

/** The stated window for flooding of 2^bits of a ciphertext at `scale` (see the header). */
function expectFloodedPrecision(c: CkksContext, mean: number, bits: number, label: string, scale = c.params.scale): void {
  const { logN } = c.params;
  const logScale = Math.log2(scale);
  expect(mean, `${label}: mean precision`).toBeGreaterThanOrEqual(logScale - bits - logN / 2 - 2);
  expect(mean, `${label}: mean precision`).toBeLessThanOrEqual(logScale - bits - logN / 2 + 3);
}

const real = (re: number[]): Vec => ({ re, im: re.map(() => 0) });

describe("noise estimate", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
  });

  it("tracks the true error of fresh ciphertexts: real values, sparse complex values, public and secret key", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), fc.boolean(), fc.boolean(), fc.integer(), (logSlots, anyComplex, secretKey, seed) => {
      const slots = 2 ** logSlots; // up to N/2 = 1024 slots
      const complex = anyComplex && slots < c.params.maxSlots; // full complex packing: nothing to measure
      const v: Vec = { re: uniformValues(slots, seed), im: complex ? uniformValues(slots, seed + 1) : new Array<number>(slots).fill(0) };
      using ct = c.encrypt(v, { secretKey });
      const estimate = c.decryptor.estimateNoise(ct, { realValues: !complex });
      expect(estimate.components).toBe(c.params.n - (complex ? 2 : 1) * slots);
      const truth = trueNoise(c, ct, v);
      expect(Math.abs(Math.log2(estimate.standardDeviation / truth)), `estimate 2^${Math.log2(estimate.standardDeviation).toFixed(2)}, true 2^${Math.log2(truth).toFixed(2)}`).toBeLessThanOrEqual(0.2);
    }), { numRuns: 16, examples: [[10, false, false, 1], [10, false, true, 2], [9, true, false, 3]] });
  });

  it("grows with the error through a chain of multiplications by values of magnitude 16", () => {
    const n = c.params.maxSlots;
    let expected = real(uniformValues(n, 5));
    const y = real(uniformValues(n, 6).map((t) => 16 * t));
    using factor = c.encrypt(y);
    let ct = c.encrypt(expected);
    const estimates: number[] = [];
    try {
      for (let step = 0; ; step++) {
        const estimate = c.decryptor.estimateNoise(ct, { realValues: true }).standardDeviation;
        const truth = trueNoise(c, ct, expected);
        expect(Math.abs(Math.log2(estimate / truth)), `step ${step}`).toBeLessThanOrEqual(0.2);
        estimates.push(estimate);
        if (ct.level === 1) break;
        const next = c.evaluator.rescale(c.evaluator.mulRelin(ct, factor));
        ct.dispose();
        ct = next;
        expected = vmul(expected, y);
      }
    } finally {
      ct.dispose();
    }
    expect(estimates.length).toBe(c.params.maxLevel);
    // Each product by ~16 multiplies the error by ~16 (the rescaling error is far smaller).
    for (let i = 1; i < estimates.length; i++) expect(Math.log2(estimates[i]! / estimates[i - 1]!)).toBeGreaterThan(2);
  });

  it("cannot measure full packing of complex values, unless they are declared real", () => {
    using ct = c.encrypt({ re: uniformValues(c.params.maxSlots, 1), im: uniformValues(c.params.maxSlots, 2) });
    const error = expectFheError(() => c.decryptor.estimateNoise(ct), "INVALID_ARGUMENT", "estimate noise");
    expect(error.message).toContain("realValues");
    expectFheError(() => c.decryptor.decrypt(ct, { noiseFlooding: {} }), "INVALID_ARGUMENT", "decrypt");
    // Declared real, the imaginary parts of the message count as noise: far too large, never too small.
    expect(c.decryptor.estimateNoise(ct, { realValues: true }).standardDeviation).toBeGreaterThan(2 ** 20);
    expectFheError(() => c.decryptor.estimateNoise(ct, { realValues: 1 as never }), "INVALID_ARGUMENT", "estimate noise");
  });
});

describe("derived flooding width", () => {
  let c: CkksContext;
  let ct: Ciphertext;
  const v = real(uniformValues(1024, 11));
  beforeAll(() => {
    c = makeContext(testLiterals.single);
    ct = c.encrypt(v);
  });
  const width = (options: DecryptOptions): FloodingWidth => c.decryptor.floodingWidth(ct, options)!;

  it("is ceil(log2(sqrt(12 queries) 2^(s/2) t)) for t the tail bound of the measured error", () => {
    for (const [statisticalSecurity, queries] of [[30, 1], [20, 7], [64, 2 ** 20]] as const) {
      const w = width({ noiseFlooding: { statisticalSecurity, queries, realValues: true } });
      const t = w.noise!.standardDeviation * Math.sqrt(2 * Math.LN2 * (statisticalSecurity + Math.log2(2 * c.params.n)));
      expect(w.bits).toBe(Math.ceil(0.5 * Math.log2(12 * queries) + statisticalSecurity / 2 + Math.log2(t)));
    }
    // Defaults: s = 30, one query.
    expect(width({ noiseFlooding: { realValues: true } }).bits).toBe(width({ noiseFlooding: { statisticalSecurity: 30, queries: 1, realValues: true } }).bits);
  });

  it("grows with the statistical security and the number of queries", () => {
    const bits = [10, 20, 30, 40, 50, 64].map((statisticalSecurity) => width({ noiseFlooding: { statisticalSecurity, realValues: true } }).bits);
    for (let i = 1; i < bits.length; i++) expect(bits[i]!).toBeGreaterThan(bits[i - 1]!);
    expect(bits[3]! - bits[2]!).toBeGreaterThanOrEqual(5); // s/2, plus the tail bound's growth
    const base = width({ noiseFlooding: { realValues: true } }).bits;
    expect(width({ noiseFlooding: { realValues: true, queries: 1024 } }).bits).toBe(base + 5); // log2(1024) / 2
  });

  it("is the width decrypt adds: the flooded minus the plain decryption has deviation 2^bits", () => {
    const options: DecryptOptions = { noiseFlooding: { realValues: true } };
    const { bits } = width(options);
    using plain = c.decryptor.decrypt(ct);
    using flooded = c.decryptor.decrypt(ct, options);
    using z = clone(flooded.poly);
    sub(z, z, plain.poly);
    toCoefficients(z);
    const values = centeredCoefficients(z, z.basis.size, Int32Array.from({ length: c.params.n }, (_, i) => i));
    const sd = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0) / values.length);
    expect(Math.abs(Math.log2(sd) - bits)).toBeLessThanOrEqual(0.1);
    expectFloodedPrecision(c, decryptedPrecision(c, ct, v, options).mean, bits, "derived width");
  });

  it("floods degree-2 ciphertexts and rescaled products alike", () => {
    const y = real(uniformValues(1024, 12));
    using other = c.encrypt(y);
    using product = c.evaluator.multiply(ct, other);
    expect(product.degree).toBe(2);
    using rescaled = c.evaluator.rescale(c.evaluator.relinearize(product));
    for (const target of [product, rescaled]) {
      const options: DecryptOptions = { noiseFlooding: { realValues: true } };
      const { bits } = c.decryptor.floodingWidth(target, options)!;
      expectFloodedPrecision(c, decryptedPrecision(c, target, vmul(v, y), options).mean, bits, `level ${target.level}`, target.scale);
    }
  });

  it("refuses a derived width the level cannot hold, naming the bits and a preset with headroom", () => {
    using low = c.encrypt(v, { level: 0 });
    const error = expectFheError(
      () => c.decryptor.decrypt(low, { noiseFlooding: { statisticalSecurity: 64, queries: 2 ** 50, realValues: true } }), "INVALID_ARGUMENT", "decrypt");
    expect(error.message).toMatch(/noise flooding of 2\^\d+ \(derived from the measured noise/);
    expect(error.message).toMatch(/at most 2\^\d+ fits/);
    expect(error.message).toContain("presets.flooding14");
  });
});

describe("explicit flooding width", () => {
  let c: CkksContext;
  const v: Vec = { re: uniformValues(1024, 21), im: uniformValues(1024, 22) };
  beforeAll(() => {
    c = makeContext(testLiterals.single);
  });

  // Widths above 26 bits were refused ("must be an integer in [1, 26]"); above 42 bits they take
  // several digits of the wide sampler.
  it.each([27, 35, 42, 60, 85])("noiseFloodingBits %i decrypts with the precision it costs", (bits) => {
    using ct = c.encrypt(v);
    expectFloodedPrecision(c, decryptedPrecision(c, ct, v, { noiseFloodingBits: bits }).mean, bits, `2^${bits}`);
    expect(c.decryptor.floodingWidth(ct, { noiseFloodingBits: bits })).toEqual({ bits, maxBits: expect.any(Number) as number });
  });

  it("accepts up to maxBits, what the level holds, and refuses one more", () => {
    for (const level of [0, 2, c.params.maxLevel]) {
      using ct = c.encrypt(v, { level });
      const { maxBits } = c.decryptor.floodingWidth(ct, { noiseFloodingBits: 1 })!;
      // The decryption must stay below Q/2 and below scale * 2^63, what decode reads.
      const logQ = c.params.basisQ(level).primes.reduce((sum, q) => sum + Math.log2(q), 0);
      expect(maxBits).toBeLessThan(Math.min(logQ, c.params.logScale + 64) - 4);
      expect(maxBits).toBeGreaterThan(Math.min(logQ, c.params.logScale + 64) - 7);
      c.decryptor.decrypt(ct, { noiseFloodingBits: maxBits }).dispose();
      const error = expectFheError(() => c.decryptor.decrypt(ct, { noiseFloodingBits: maxBits + 1 }), "INVALID_ARGUMENT", "decrypt");
      expect(error.message).toContain(`noise flooding of 2^${maxBits + 1} needs ${maxBits + 1} bits`);
      expect(error.message).toContain(`level ${level} holds`);
      expect(error.message).toContain(`at most 2^${maxBits} fits`);
      expectFheError(() => c.decryptor.floodingWidth(ct, { noiseFloodingBits: maxBits + 1 }), "INVALID_ARGUMENT", "compute flooding width");
    }
  });
});

describe("flooding options", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
  });

  it("rejects malformed options, and both widths at once", () => {
    using ct = c.encrypt({ re: [0.5], im: [0] });
    const bad: unknown[] = [
      { noiseFlooding: 30 }, { noiseFlooding: null },
      { noiseFlooding: { statisticalSecurity: 0 } }, { noiseFlooding: { statisticalSecurity: 65 } },
      { noiseFlooding: { statisticalSecurity: 1.5 } }, { noiseFlooding: { statisticalSecurity: "30" } },
      { noiseFlooding: { queries: 0 } }, { noiseFlooding: { queries: 2 ** 51 } }, { noiseFlooding: { realValues: "yes" } },
      { noiseFlooding: {}, noiseFloodingBits: 30 }, { noiseFloodingBits: 2 ** 60 },
    ];
    for (const options of bad) {
      expectFheError(() => c.decryptor.decrypt(ct, options as DecryptOptions), "INVALID_ARGUMENT", "decrypt");
      expectFheError(() => c.decryptor.floodingWidth(ct, options as DecryptOptions), "INVALID_ARGUMENT", "compute flooding width");
    }
  });

  it("floodingWidth reports nothing when no flooding is asked for", () => {
    using ct = c.encrypt({ re: [0.5], im: [0] });
    expect(c.decryptor.floodingWidth(ct)).toBeUndefined();
    expect(c.decryptor.floodingWidth(ct, {})).toBeUndefined();
  });
});

/** Sizes of the heap blocks `body` frees while they still hold non-zero bytes. */
function dirtyFrees(heap: WasmHeap, body: () => void): number[] {
  const watch = watchFrees(heap);
  try {
    body();
  } finally {
    watch.stop();
  }
  return watch.dirty;
}

// The unflooded decryption reveals the error and the flooding noise reveals it too once the
// flooded result is out: no copy of either may go back to the heap's free list with its contents.
describe("secret material of flooding", () => {
  it("decrypt with flooding, floodingWidth and estimateNoise free only zeroed heap blocks", () => {
    const c = makeContext(testLiterals.single);
    const v = real(uniformValues(1024, 41));
    using ct = c.encrypt(v);
    using low = c.encrypt({ re: v.re.slice(0, 256), im: v.im.slice(0, 256) }); // sparse: complex values measurable
    const results: Disposable[] = [];
    const dirty = dirtyFrees(c.params.ring.heap, () => {
      results.push(c.decryptor.decrypt(ct, { noiseFlooding: { realValues: true } }));
      results.push(c.decryptor.decrypt(low, { noiseFloodingBits: 60 }));
      c.decryptor.floodingWidth(ct, { noiseFlooding: { realValues: true } });
      c.decryptor.estimateNoise(low);
    });
    for (const result of results) result[Symbol.dispose]();
    expect(dirty, "sizes of non-zero blocks freed").toEqual([]);
  });
});

// The figures README.md documents ("Decryption results shared with others"): one mulRelin +
// rescale of real values in [-1, 1], decrypted with noiseFlooding at s = 30 and one query.
describe.each([
  ["flooding14", presets.flooding14, 45, 24],
  ["standard14", presets.standard14, 36, 15],
] as const)("documented flooding precision at %s", (_, literal, plain, flooded) => {
  it(`~${plain} bits without flooding, ~${flooded} with`, () => {
    const c = makeContext(literal);
    const n = c.params.maxSlots;
    const a = real(uniformValues(n, 31));
    const b = real(uniformValues(n, 32));
    using x = c.encrypt(a);
    using y = c.encrypt(b);
    using product = c.evaluator.rescale(c.evaluator.mulRelin(x, y));
    const expected = vmul(a, b);
    const options: DecryptOptions = { noiseFlooding: { realValues: true } };
    expect(Math.abs(decryptedPrecision(c, product, expected, {}).mean - plain)).toBeLessThanOrEqual(1.5);
    const p = decryptedPrecision(c, product, expected, options);
    expect(Math.abs(p.mean - flooded), `flooded mean ${p.mean.toFixed(2)}`).toBeLessThanOrEqual(1.5);
    expect(c.decryptor.floodingWidth(product, options)!.bits).toBe(29);
  });
});
