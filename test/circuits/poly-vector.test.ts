// A vector of polynomials (one per slot) evaluated encrypted against its float64 twin
// (PolynomialVector.evaluate): the same levels, scale and key switches as its representative's
// plan, and the precision bound of a single polynomial (poly-eval.test.ts: 2^-13 times the sum
// of |coefficients| at N = 2^11, scale 2^30), although the coefficients are encoded plaintexts
// instead of integer factors. The activations below, whose coefficients sum to about 1, stay
// within 2^-15.

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import { foldableInputScale } from "../../engine/circuits/poly-plan.js";
import { PolynomialVector } from "../../engine/circuits/poly-vector.js";
import { Polynomial } from "../../engine/circuits/polynomial.js";
import { approx } from "../../engine/index.js";
import { expectFheError, expectSameCiphertext, makeContext } from "../helpers/ckks.js";

const c = makeContext({ logN: 11, logScale: 30, depth: 8, allowInsecureParametersForTesting: true });
const polyEval = new PolynomialEvaluator(c.evaluator);
const slots = 64;
const bound = 2 ** -15;

function evaluateEncrypted(vector: PolynomialVector, xs: readonly number[]) {
  using ct = c.encrypt({ re: [...xs], im: xs.map(() => 0) }, { scale: foldableInputScale(c.params, c.params.maxLevel, vector.representative), slots });
  const plan = polyEval.plan(ct, vector);
  // Ciphertext products: T_2^k = T_2^(k-1) squared, the others multiplied.
  const multiplications = [vi.spyOn(c.evaluator, "multiply"), vi.spyOn(c.evaluator, "square")];
  let products: number;
  let out;
  try {
    out = polyEval.evaluate(ct, vector);
  } finally {
    products = multiplications.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    for (const spy of multiplications) spy.mockRestore();
  }
  using result = out;
  const got = c.decrypt(result).re;
  const expected = vector.evaluate(xs);
  const worst = Math.max(...expected.map((e, i) => Math.abs(got[i]! - e)));
  return { plan, worst, level: result.level, scale: result.scale, inputLevel: ct.level, products };
}

describe("polynomial vectors", () => {
  it("random polynomials of random degrees and parities, one per slot group, agree with the twin at the planned level and scale (property)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom("none", "odd", "even"),
      (count, maxDegree, seed, parity) => {
        const interval = [-2, 3] as const;
        const polynomials = Array.from({ length: count }, (_, p) => {
          const degree = Math.max(1, (maxDegree * (p + 1)) >> 2 || 1);
          return Polynomial.chebyshev(Array.from({ length: degree + 1 }, (_, i) =>
            (parity === "odd" && i % 2 === 0) || (parity === "even" && i % 2 === 1) ? 0 : Math.sin(seed + 3.7 * i + p) / (1 + i / 4)), interval);
        }).filter((p) => p.degree >= 1);
        fc.pre(polynomials.length > 0);
        // Slot groups of 8, the last slots unassigned (-1: result 0).
        const assignment = Array.from({ length: slots }, (_, s) => (s >= 56 ? -1 : Math.floor(s / 8) % polynomials.length));
        const vector = PolynomialVector.create(polynomials, assignment);
        const xs = Array.from({ length: slots }, (_, s) => -2 + (5 * ((s * 29 + seed) % slots)) / (slots - 1));
        const r = evaluateEncrypted(vector, xs);
        expect(r.inputLevel - r.level).toBe(r.plan.levelsUsed);
        expect(r.level).toBe(r.plan.output.level);
        expect(r.scale).toBe(c.params.scale);
        expect(r.products).toBe(r.plan.nonScalarProducts);
        const l1 = Math.max(...vector.coefficients.map((cs) => cs.reduce((sum, x) => sum + Math.abs(x), 0)));
        expect(r.worst).toBeLessThan(2 ** -13 * Math.max(1, l1));
      },
    ), { numRuns: 12, seed: 11 });
  });

  it("sigmoid, tanh and an odd ReLU approximation side by side cost the levels and products of the single degree-15 one", () => {
    const interval = [-8, 8] as const;
    const polynomials = [approx.sigmoid({ interval, degree: 15 }).poly, approx.tanh({ interval, degree: 15 }).poly, approx.relu({ interval, degree: 15 }).poly];
    const vector = PolynomialVector.create(polynomials, Array.from({ length: slots }, (_, s) => s % 3));
    const xs = Array.from({ length: slots }, (_, s) => -8 + (16 * s) / (slots - 1));
    const r = evaluateEncrypted(vector, xs);
    const single = polyEval.plan({ level: r.inputLevel, scale: foldableInputScale(c.params, c.params.maxLevel, polynomials[0]!) }, polynomials[0]!);
    expect([r.plan.levelsUsed, r.plan.nonScalarProducts, r.plan.keySwitches]).toEqual([single.levelsUsed, single.nonScalarProducts, single.keySwitches]);
    expect(r.worst).toBeLessThan(bound);
    // The second evaluation uses the cached encoded coefficients: the same ciphertext bit for bit.
    using ct = c.encrypt({ re: xs, im: xs.map(() => 0) }, { scale: foldableInputScale(c.params, c.params.maxLevel, vector.representative), slots });
    using first = polyEval.evaluate(ct, vector);
    using second = polyEval.evaluate(ct, vector);
    expectSameCiphertext(second, first);
  });

  it("bad input: other intervals, constants only, assignments of the wrong length or range, non-polynomials", () => {
    const p = Polynomial.chebyshev([0, 1, 0.5], [-1, 1]);
    expectFheError(() => PolynomialVector.create([p, Polynomial.chebyshev([0, 1], [-2, 2])], [0, 1]), "INVALID_ARGUMENT", "create polynomial vector");
    expectFheError(() => PolynomialVector.create([Polynomial.chebyshev([3])], [0]), "INVALID_ARGUMENT", "create polynomial vector");
    expectFheError(() => PolynomialVector.create([p], [0, 1]), "INVALID_ARGUMENT", "create polynomial vector");
    expectFheError(() => PolynomialVector.create([p], [0, 0.5]), "INVALID_ARGUMENT", "create polynomial vector");
    expectFheError(() => PolynomialVector.create([], []), "INVALID_ARGUMENT", "create polynomial vector");
    expectFheError(() => PolynomialVector.create([{} as Polynomial], [0]), "INVALID_ARGUMENT", "create polynomial vector");
    using ct = c.encrypt({ re: [0.5], im: [0] }, { slots });
    expectFheError(() => polyEval.evaluate(ct, PolynomialVector.create([p], [0, 0])), "INVALID_ARGUMENT", "evaluate polynomial");
  });
});
