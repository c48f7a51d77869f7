// The 128-bit rule beyond log QP: sparse (fixed-weight) secrets and sigma below 3.19 are not
// covered by the HE standard's table and need the insecure option; a weight leaving fewer than
// 2^256 secrets is refused even with it; and loaded parameters are judged by the caller's
// option, never by the flag stored with them.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Parameters, loadParameters, maxLogQP128, presets, serializeParameters } from "../../engine/index.js";
import { expectFheError } from "../helpers/ckks.js";

/** C(n, h) * 2^h, exactly. */
function secretCount(n: number, h: number): bigint {
  let count = 1n;
  for (let i = 0; i < h; i++) count = (count * BigInt(n - i)) / BigInt(i + 1);
  return count << BigInt(h);
}

/** The smallest h with at least 2^256 ternary secrets of weight h (BigInt reference). */
function referenceMinWeight(n: number): number {
  let h = 1;
  while (secretCount(n, h) < 1n << 256n) h++;
  return h;
}

/**
 * A secure literal (N = 2^13, log QP 196 of 218) to vary the secret and the error on. Its
 * special primes are explicit: by default the insecure option would add as many as Q has.
 */
const secure = { logN: 13, logScale: 29, depth: 3, specialPrimes: 2 };

describe("sparse secrets", () => {
  it("weight 192 is accepted at N = 2^15 and 2^16 up to the published bounds (768, 1553), refused above and for other weights", () => {
    // Primes only: logQP = q_0 + levels + P; the bounds come from engine/security.ts's source.
    const within16 = { logN: 16, logScale: 50, depth: 24, logBaseModulus: 60, specialPrimes: 9, hammingWeight: 192 };
    const p16 = Parameters.create(within16);
    expect(p16.insecure).toBe(false);
    expect(p16.logQP).toBeLessThanOrEqual(1553);
    const over16 = expectFheError(() => Parameters.create({ ...within16, depth: 26 }), "INVALID_PARAMETERS", "create parameters");
    expect(over16.message).toMatch(/exceeds the 128-bit security bound 1553 for N = 2\^16 with a secret of Hamming weight 192/);
    const other = expectFheError(() => Parameters.create({ ...within16, hammingWeight: 256 }), "INVALID_PARAMETERS", "create parameters");
    expect(other.message).toMatch(/fixed Hamming weight 256 is not covered by the HE standard/);
    const within15 = { logN: 15, logScale: 29, depth: 20, logBaseModulus: 45, specialPrimes: 4, hammingWeight: 192 };
    expect(Parameters.create(within15).logQP).toBeLessThanOrEqual(768);
    expectFheError(() => Parameters.create({ ...within15, depth: 22 }), "INVALID_PARAMETERS", "create parameters");
  });

  it("a fixed Hamming weight is refused without the insecure option, naming the option", () => {
    expect(Parameters.create(secure).insecure).toBe(false);
    for (const hammingWeight of [64, 192, 4096, 8192]) {
      const error = expectFheError(() => Parameters.create({ ...secure, hammingWeight }), "INVALID_PARAMETERS", "create parameters");
      expect(error.message).toMatch(new RegExp(`fixed Hamming weight ${hammingWeight} is not covered by the HE standard`));
      expect(error.message).toMatch(/allowInsecureParametersForTesting: true/);
    }
  });

  it("every weight at every preset is refused without the option (property)", () => {
    const names = Object.keys(presets) as (keyof typeof presets)[];
    fc.assert(fc.property(fc.constantFrom(...names.filter((name) => presets[name].logN <= 14)), fc.double({ min: 0, max: 1, noNaN: true }), (name, fraction) => {
      const literal = presets[name];
      const n = 2 ** literal.logN;
      const hammingWeight = Math.max(referenceMinWeight(n), Math.round(fraction * n));
      expectFheError(() => Parameters.create({ ...literal, hammingWeight }), "INVALID_PARAMETERS", "create parameters");
    }), { numRuns: 30 });
  });

  it("with the option a weighted secret is accepted and marked insecure", () => {
    const p = Parameters.create({ ...secure, hammingWeight: 192, allowInsecureParametersForTesting: true });
    expect(p.hammingWeight).toBe(192);
    expect(p.insecure).toBe(true);
    expect(p.logQP).toBeLessThanOrEqual(maxLogQP128[13]!);
    expect(p.literal.allowInsecureParametersForTesting).toBe(true);
  });

  it("a weight leaving fewer than 2^256 secrets is refused even with the option, naming the smallest allowed", () => {
    for (let logN = 10; logN <= 17; logN++) {
      const n = 2 ** logN;
      const min = referenceMinWeight(n);
      for (const hammingWeight of [1, 2, min - 1]) {
        const error = expectFheError(() => Parameters.create({ logN, logScale: 30, depth: 1, hammingWeight, allowInsecureParametersForTesting: true }),
          "INVALID_PARAMETERS", "create parameters");
        expect(error.message).toMatch(new RegExp(`at least 2\\^256 are required, even with allowInsecureParametersForTesting \\(use hammingWeight >= ${min}`));
      }
    }
    // The first weight allowed, at the small ring degrees (larger ones only cost prime generation).
    for (let logN = 10; logN <= 12; logN++) {
      const hammingWeight = referenceMinWeight(2 ** logN);
      expect(Parameters.create({ logN, logScale: 30, depth: 1, hammingWeight, allowInsecureParametersForTesting: true }).hammingWeight).toBe(hammingWeight);
    }
  });
});

describe("error width", () => {
  it("sigma below 3.19 is refused without the option; 3.19 and above are fine", () => {
    for (const sigma of [1, 2, 3, 3.18]) {
      const error = expectFheError(() => Parameters.create({ ...secure, sigma }), "INVALID_PARAMETERS", "create parameters");
      expect(error.message).toMatch(new RegExp(`sigma = ${sigma} is below 3.19, the error width the HE standard's 128-bit table assumes`));
      expect(error.message).toMatch(/allowInsecureParametersForTesting: true/);
    }
    for (const sigma of [3.19, 3.2, 8, 64]) expect(Parameters.create({ ...secure, sigma }).insecure).toBe(false);
    const narrow = Parameters.create({ ...secure, sigma: 1, allowInsecureParametersForTesting: true });
    expect(narrow.insecure).toBe(true);
    expect(narrow.sigma).toBe(1);
  });

  it("several shortcomings are all named", () => {
    const error = expectFheError(() => Parameters.create({ logN: 13, logScale: 30, depth: 8, sigma: 2, hammingWeight: 64 }), "INVALID_PARAMETERS");
    expect(error.message).toMatch(/log2\(QP\) = .* exceeds the 128-bit security bound 218/);
    expect(error.message).toMatch(/fixed Hamming weight 64/);
    expect(error.message).toMatch(/sigma = 2 is below 3.19/);
  });
});

describe("loading parameters", () => {
  it("an insecure set stored with its flag is refused unless the caller passes the option (regression)", () => {
    const p = Parameters.create({ logN: 10, logScale: 30, depth: 10, allowInsecureParametersForTesting: true });
    expect(p.logQP).toBeGreaterThan(maxLogQP128[10]!);
    const bytes = serializeParameters(p);
    const stored = JSON.parse(new TextDecoder().decode(bytes.subarray(20, bytes.length - 4))) as Record<string, unknown>;
    expect(stored.allowInsecureParametersForTesting).toBe(true); // the flag travels, but does not count
    for (const options of [undefined, {}, { allowInsecureParametersForTesting: false }]) {
      const error = expectFheError(() => loadParameters(bytes, options), "INVALID_PARAMETERS", "load parameters");
      expect(error.message).toMatch(/below 128-bit security: log2\(QP\) = .* exceeds the 128-bit security bound 27 for N = 2\^10/);
      expect(error.message).toMatch(/pass \{ allowInsecureParametersForTesting: true \} to loadParameters only in tests/);
    }
    expect(loadParameters(bytes, { allowInsecureParametersForTesting: true })).toBe(p);
  });

  it("sparse-secret and small-sigma sets are refused on loading without the option", () => {
    for (const change of [{ hammingWeight: 192 }, { sigma: 2 }]) {
      const p = Parameters.create({ ...secure, ...change, allowInsecureParametersForTesting: true });
      const bytes = serializeParameters(p);
      expectFheError(() => loadParameters(bytes), "INVALID_PARAMETERS", "load parameters");
      expect(loadParameters(bytes, { allowInsecureParametersForTesting: true })).toBe(p);
    }
  });

  it("secure sets load without the option", () => {
    for (const literal of Object.values(presets).filter((l) => l.logN <= 14)) {
      const p = Parameters.create(literal);
      expect(loadParameters(serializeParameters(p))).toBe(p);
    }
  });

  it("refuses a non-boolean option and a heap that is not a WasmHeap", () => {
    const bytes = serializeParameters(Parameters.create(secure));
    expectFheError(() => loadParameters(bytes, { allowInsecureParametersForTesting: "yes" as never }), "INVALID_ARGUMENT", "load parameters");
    expectFheError(() => loadParameters(bytes, { heap: {} as never }), "INVALID_ARGUMENT", "load parameters");
  });
});
