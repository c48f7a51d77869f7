// relinearizeRescaleInPlace against the evaluator's relinearizeInPlace then rescaleInPlace:
// the same ciphertext bit for bit where no digits merge (one and several digits, one prime per
// level and composite scaling), and where digits merge (the key switch divided by P q_l; whole
// and partial digits) the same values as precisely; the digit groups of the presets; and
// FheError for operands it does not take.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relinearizeRescaleInPlace } from "../../engine/circuits/relinearize-rescale.js";
import { Evaluator, Parameters, presets, type Ciphertext, type ParametersLiteral } from "../../engine/index.js";
import { digitGroupsBeforeRescale } from "../../engine/merged-digits.js";
import { expectFheError, makeContext, testLiterals, vectorPairArb, type CkksContext, type Vec } from "../helpers/ckks.js";

const operation = "evaluate polynomial";

function words(ct: Ciphertext): number[][] {
  return ct.polys.map((poly) => {
    const start = poly.limbAddress(0) >>> 2;
    return Array.from(poly.ring.heap.u32().subarray(start, start + poly.n * poly.basis.size));
  });
}

/** Literals whose relinearizations merge no digits: one digit (the test literals) and several. */
const bitExactLiterals = {
  ...testLiterals,
  "five digits of one prime": { logN: 11, logScale: 25, depth: 4, specialPrimes: 1, logBaseModulus: 30, allowInsecureParametersForTesting: true },
} as const satisfies Record<string, ParametersLiteral>;

/** Literals whose relinearizations merge digits before a rescale at some levels. */
const mergingLiterals = {
  "one special prime": { logN: 11, logScale: 29, depth: 4, specialPrimes: 1, allowInsecureParametersForTesting: true },
  "composite, two special primes": { logN: 11, logScale: 40, depth: 3, logBaseModulus: 50, specialPrimes: 2, allowInsecureParametersForTesting: true },
  "a partial digit merged (level 2: digits of 3 and 1 primes)": { logN: 11, logScale: 29, depth: 4, specialPrimes: 3, allowInsecureParametersForTesting: true },
} as const satisfies Record<string, ParametersLiteral>;

const bits = (primes: readonly number[]): number => primes.reduce((sum, q) => sum + Math.log2(q), 0);

/** Root mean square of a - b over the first `length` slots, real and imaginary parts. */
function rmsDistance(a: Vec, b: Vec, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += (a.re[i]! - b.re[i]!) ** 2 + (a.im[i]! - b.im[i]!) ** 2;
  return Math.sqrt(sum / (2 * length));
}

/** x with zeros up to `length` entries. */
function padded(x: Vec, length: number): Vec {
  const pad = (v: readonly number[]): number[] => [...v, ...new Array<number>(length - v.length).fill(0)];
  return { re: pad(x.re), im: pad(x.im) };
}

function product(x: Vec, y: Vec): Vec {
  return {
    re: x.re.map((r, i) => r * y.re[i]! - x.im[i]! * y.im[i]!),
    im: x.re.map((r, i) => r * y.im[i]! + x.im[i]! * y.re[i]!),
  };
}

/**
 * x * y at `level` (on all slots, zero beyond x and y), relinearized and rescaled by relinearizeRescaleInPlace (fused) and by the
 * evaluator's two steps (reference), after checking both have the same level, scale and degree.
 */
function fusedAndReference(c: CkksContext, x: Vec, y: Vec, level: number): { fused: Ciphertext; reference: Ciphertext } & Disposable {
  using a = c.encrypt(x, { level, slots: c.params.maxSlots });
  using b = c.encrypt(y, { level, slots: c.params.maxSlots });
  const fused = c.evaluator.multiply(a, b);
  const reference = c.evaluator.multiply(a, b);
  const dispose = (): void => {
    fused.dispose();
    reference.dispose();
  };
  try {
    relinearizeRescaleInPlace(c.evaluator, fused, operation);
    c.evaluator.relinearizeInPlace(reference);
    c.evaluator.rescaleInPlace(reference);
    expect([fused.level, fused.scale, fused.degree]).toEqual([reference.level, reference.scale, reference.degree]);
  } catch (error) {
    dispose();
    throw error;
  }
  return { fused, reference, [Symbol.dispose]: dispose };
}

describe.each(Object.entries(bitExactLiterals))("relinearizeRescaleInPlace (%s)", (_, literal) => {
  const c = makeContext(literal);

  it("merges no digits at these parameters and gives exactly relinearizeInPlace then rescaleInPlace, at every level", () => {
    for (let level = 1; level <= c.params.maxLevel; level++) {
      expect(digitGroupsBeforeRescale(c.params, level).every((g) => g.length === 1)).toBe(true);
    }
    fc.assert(fc.property(vectorPairArb(64, true), fc.integer({ min: 1, max: c.params.maxLevel }), ([x, y], level) => {
      using pair = fusedAndReference(c, x, y, level);
      const { fused, reference } = pair;
      expect(words(fused)).toEqual(words(reference));
    }), { numRuns: 12 });
  });

  it("refuses degree-1 ciphertexts, level 0 and a missing relinearization key", () => {
    using a = c.encrypt({ re: [0.5], im: [0] });
    expectFheError(() => relinearizeRescaleInPlace(c.evaluator, a, operation), "INVALID_ARGUMENT", operation);
    using low = c.encrypt({ re: [0.5], im: [0] }, { level: 0, scale: 2 });
    using square = c.evaluator.multiply(low, low);
    expectFheError(() => relinearizeRescaleInPlace(c.evaluator, square, operation), "INVALID_ARGUMENT", operation);
    using product = c.evaluator.multiply(a, a);
    const error = expectFheError(() => relinearizeRescaleInPlace(new Evaluator(c.params), product, operation), "MISSING_KEY", operation);
    expect(error.message).toContain("createRelinearizationKey");
    expect(product.degree).toBe(2);
  });
});

describe.each(Object.entries(mergingLiterals))("relinearizeRescaleInPlace with merged digits (%s)", (_, literal) => {
  const c = makeContext(literal);
  const mergingLevels = Array.from({ length: c.params.maxLevel }, (_, i) => i + 1)
    .filter((level) => digitGroupsBeforeRescale(c.params, level).some((g) => g.length > 1));

  it("merges digits at some level", () => {
    expect(mergingLevels.length).toBeGreaterThan(0);
  });

  it("gives the values of relinearizeInPlace then rescaleInPlace, as precisely, at the merging levels", () => {
    fc.assert(fc.property(vectorPairArb(64, true), fc.constantFrom(...mergingLevels), ([x, y], level) => {
      using pair = fusedAndReference(c, x, y, level);
      const { fused, reference } = pair;
      // RMS over every slot (zero beyond the inputs): stable from run to run, where the
      // maximum of a few slots is not.
      const slots = c.params.maxSlots;
      const exact = product(padded(x, slots), padded(y, slots));
      const fusedError = rmsDistance(c.decrypt(fused), exact, slots);
      const referenceError = rmsDistance(c.decrypt(reference), exact, slots);
      // Both errors are the rescale's rounding and the inputs' noise; the merged key switch adds
      // less than a quarter of the rounding's spread per coefficient. Measured ratios stay
      // within 1 +- 0.1; a wrong key sum gives errors near 1.
      expect(fusedError).toBeLessThanOrEqual(1.25 * referenceError);
      expect(referenceError).toBeLessThan(2 ** -(Math.log2(reference.scale) - 20));
    }), { numRuns: 12 });
  });
});

describe("digitGroupsBeforeRescale", () => {
  const literals: ParametersLiteral[] = [
    presets.inference14, presets.inference14Fast, presets.standard14, ...Object.values(bitExactLiterals), ...Object.values(mergingLiterals),
  ];

  it("splits the level's key digits in order into runs of consecutive digits, each merged modulus below P q_l / 2^7", () => {
    for (const literal of literals) {
      const params = Parameters.create(literal);
      for (let level = 1; level <= params.maxLevel; level++) {
        const qLimbs = params.limbsAt(level);
        const groups = digitGroupsBeforeRescale(params, level);
        expect(groups.flat()).toEqual(Array.from({ length: Math.ceil(qLimbs / params.digitSize) }, (_, j) => j));
        const limit = bits(params.pPrimes) + bits(params.qPrimes.slice(qLimbs - params.primesPerLevel, qLimbs)) - 7;
        for (const g of groups.filter((group) => group.length > 1)) {
          expect(bits(params.qPrimes.slice(g[0]! * params.digitSize, Math.min(qLimbs, (g[g.length - 1]! + 1) * params.digitSize)))).toBeLessThan(limit);
        }
      }
    }
  });

  it("merges what the presets allow: inference14Fast at levels 1 to 3, standard14 in pairs, inference14 the two base primes", () => {
    const groups = (name: keyof typeof presets, level: number): number[][] => digitGroupsBeforeRescale(Parameters.create(presets[name]), level);
    expect([1, 2, 3, 4, 5, 6].map((level) => groups("inference14Fast", level))).toEqual([[[0]], [[0]], [[0, 1]], [[0], [1]], [[0], [1]], [[0], [1]]]);
    expect(groups("standard14", 6)).toEqual([[0], [1, 2], [3, 4], [5, 6]]);
    expect(groups("inference14", 12)[0]).toEqual([0, 1]);
    expect(groups("inference14", 12).length).toBe(13);
  });

  it("merges less with a sparse secret (a smaller rounding error to stay below)", () => {
    const dense = Parameters.create(presets.standard14);
    const sparse = Parameters.create({ ...presets.standard14, specialPrimes: 2, hammingWeight: 32, allowInsecureParametersForTesting: true });
    for (let level = 1; level <= dense.maxLevel; level++) {
      expect(digitGroupsBeforeRescale(sparse, level).length).toBeGreaterThanOrEqual(digitGroupsBeforeRescale(dense, level).length);
    }
    expect(digitGroupsBeforeRescale(sparse, 6).length).toBeGreaterThan(digitGroupsBeforeRescale(dense, 6).length);
  });

  it("refuses level 0 and levels outside the chain", () => {
    const params = Parameters.create(testLiterals.single);
    for (const level of [0, params.maxLevel + 1, 1.5]) {
      expectFheError(() => digitGroupsBeforeRescale(params, level), "INVALID_ARGUMENT", "group digits for key switching");
    }
  });
});
