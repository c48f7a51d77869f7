// Encrypted polynomial evaluation against the float64 twin, with the planner's predictions
// (level, scale, products) checked against what the evaluation does.

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import { foldableInputScale, planPolynomial } from "../../engine/circuits/poly-plan.js";
import { chebyshevFromNodeValues, chebyshevNodes, Polynomial } from "../../engine/circuits/polynomial.js";
import { expectFheError, makeContext } from "../helpers/ckks.js";
import { relinearizeRescaleInPlace } from "../../engine/circuits/relinearize-rescale.js";

// Key switches happen in Evaluator.relinearizeInPlace or fused with a rescale: count both.
vi.mock("../../engine/circuits/relinearize-rescale.js", { spy: true });

const c = makeContext({ logN: 11, logScale: 30, depth: 8, allowInsecureParametersForTesting: true });
const polyEval = new PolynomialEvaluator(c.evaluator);
const slots = 64;

function interpolate(f: (x: number) => number, degree: number, interval: readonly [number, number]): Polynomial {
  const [a, b] = interval;
  return Polynomial.chebyshev(chebyshevFromNodeValues(chebyshevNodes(degree + 1).map((t) => f(((b - a) * t + a + b) / 2))), interval);
}

function points(interval: readonly [number, number], seed: number): number[] {
  const [a, b] = interval;
  return Array.from({ length: slots }, (_, i) => a + ((b - a) * ((i * 37 + seed) % slots)) / (slots - 1));
}

/** Evaluates encrypted; returns the worst error in bits against p.evaluate and the output. */
function run(p: Polynomial, xs: number[], scale: number) {
  using ct = c.encrypt({ re: xs, im: xs.map(() => 0) }, { scale, slots });
  const plan = polyEval.plan(ct, p);
  // Ciphertext products: T_2^k = T_2^(k-1) squared, the others multiplied.
  const multiplications = [vi.spyOn(c.evaluator, "multiply"), vi.spyOn(c.evaluator, "square")];
  const relinearizations = vi.spyOn(c.evaluator, "relinearizeInPlace");
  vi.mocked(relinearizeRescaleInPlace).mockClear();
  let out;
  let products: number;
  let squares: number;
  let keySwitches: number;
  try {
    out = polyEval.evaluate(ct, p);
  } finally {
    products = multiplications.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    squares = multiplications[1]!.mock.calls.length;
    keySwitches = relinearizations.mock.calls.length + vi.mocked(relinearizeRescaleInPlace).mock.calls.length;
    for (const spy of multiplications) spy.mockRestore();
    relinearizations.mockRestore();
  }
  using result = out;
  const got = c.decrypt(result).re;
  const worst = Math.max(...xs.map((x, i) => Math.abs(got[i]! - p.evaluate(x))));
  return { plan, level: result.level, scale: result.scale, inputLevel: ct.level, products, squares, keySwitches, bits: -Math.log2(worst) };
}

describe("polynomial evaluation", () => {
  it("sigmoid on [-8, 8] at degrees 7..63: depth ceil(log2(d + 1)), planned level, scale and products, ~20 bits", () => {
    for (const degree of [7, 15, 31, 63]) {
      const p = interpolate((x) => 1 / (1 + Math.exp(-x)), degree, [-8, 8]);
      const r = run(p, points([-8, 8], degree), foldableInputScale(c.params, c.params.maxLevel, p));
      expect(r.inputLevel - r.level, `degree ${degree}`).toBe(Math.ceil(Math.log2(degree + 1)));
      expect(r.level).toBe(r.plan.output.level);
      expect(r.scale).toBe(c.params.scale);
      expect(r.products).toBe(r.plan.nonScalarProducts);
      expect(r.squares, "T_2^k are squared").toBe(r.plan.powers.filter((step) => step.a === step.b).length);
      expect(r.keySwitches).toBe(r.plan.keySwitches);
      if (degree >= 31) expect(r.plan.keySwitches).toBeLessThan(r.plan.nonScalarProducts);
      expect(r.plan.nonScalarProducts).toBeLessThanOrEqual(2 * Math.sqrt(degree + 1) + Math.log2(degree + 1));
      expect(r.bits, `degree ${degree}`).toBeGreaterThan(17);
    }
  });

  it("random polynomials on random intervals agree with the float64 twin (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: 0.25, max: 8, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 30 }), fc.boolean(), fc.constantFrom("none", "odd", "even"),
        (degree, a, width, seed, fold, parity) => {
          const interval = [a, a + width] as const;
          const random = (i: number) => Math.sin(seed + 7.1 * i) / (1 + i / 4);
          const coefficients = Array.from({ length: degree + 1 }, (_, i) =>
            (parity === "odd" && i % 2 === 0) || (parity === "even" && i % 2 === 1 && i !== degree) ? 0 : random(i));
          const p = Polynomial.chebyshev(coefficients, interval);
          const scale = fold ? foldableInputScale(c.params, c.params.maxLevel, p) : c.params.scale;
          const r = run(p, points(interval, seed % 64), scale);
          const depth = Math.ceil(Math.log2(p.degree + 1));
          expect(r.inputLevel - r.level).toBe(r.plan.levelsUsed);
          expect(r.plan.levelsUsed).toBe(depth + (r.plan.linear.folded ? 0 : 1));
          if (fold) expect(r.plan.linear.folded).toBe(true);
          expect(r.scale).toBe(c.params.scale);
          expect(r.products).toBe(r.plan.nonScalarProducts);
          expect(r.keySwitches).toBe(r.plan.keySwitches);
          // Error bound: CKKS noise, amplified by the sum of |coefficients| (each T_i is in [-1, 1])
          // and by the slope alpha = 2 / width of the change of interval when it exceeds 1.
          const l1 = coefficients.reduce((sum, x) => sum + Math.abs(x), 0);
          expect(r.bits).toBeGreaterThan(13 - Math.log2(Math.max(1, l1)) - Math.max(0, Math.log2(2 / width)));
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it("odd polynomials compute only the powers they use", () => {
    const odd = interpolate(Math.tanh, 31, [-4, 4]);
    const general = Polynomial.chebyshev(odd.coefficients.map((x, i) => (i % 2 === 0 ? 0.01 : x)), [-4, 4]);
    const input = { level: c.params.maxLevel, scale: foldableInputScale(c.params, c.params.maxLevel, odd) };
    const oddPlan = planPolynomial(c.params, input, odd);
    const generalPlan = planPolynomial(c.params, input, general);
    // Interpolation leaves ~1e-17 even coefficients, which the planner treats as zero.
    expect(oddPlan.coefficients.every((x, i) => i % 2 === 1 || x === 0)).toBe(true);
    // Only odd powers and the powers of two that build them (T_{2^k + j} = 2 T_{2^k} T_j - T_{2^k - j}).
    expect(oddPlan.powers.every((step) => step.index % 2 === 1 || (step.index & (step.index - 1)) === 0)).toBe(true);
    expect(generalPlan.nonScalarProducts).toBeGreaterThanOrEqual(oddPlan.nonScalarProducts);
  });

  it("monomial polynomials are converted and evaluated exactly", () => {
    const p = Polynomial.monomial([0.25, -0.5, 0, 1], [-1, 1]); // x^3 - x/2 + 1/4
    const r = run(p, points([-1, 1], 3), c.params.scale);
    expect(r.inputLevel - r.level).toBe(2);
    expect(r.bits).toBeGreaterThan(16);
  });

  it("an input at exactly foldableInputScale folds the change of interval in (no rounding at the boundary)", () => {
    // On [0, 33] the scale / alpha of foldableInputScale's alpha * bound rounds one ulp above the bound.
    const p = Polynomial.chebyshev([0, 1, 0.5], [0, 33]);
    using ct = c.encrypt({ re: [1, 16, 32], im: [0, 0, 0] }, { scale: foldableInputScale(c.params, 8, p) });
    expect(polyEval.plan(ct, p).linear.folded).toBe(true);
    using out = polyEval.evaluate(ct, p);
    expect(ct.level - out.level).toBe(2);
  });

  it("honours targetScale", () => {
    const p = interpolate(Math.sin, 15, [-3, 3]);
    using ct = c.encrypt({ re: points([-3, 3], 1), im: new Array(slots).fill(0) }, { slots, scale: foldableInputScale(c.params, 8, p) });
    using out = polyEval.evaluate(ct, p, { targetScale: 2 ** 25 });
    expect(out.scale).toBe(2 ** 25);
    expect(out.level).toBe(polyEval.plan(ct, p, { targetScale: 2 ** 25 }).output.level);
  });

  it("bad input gives FheError", () => {
    using ct = c.encrypt({ re: [0.5], im: [0] });
    const p = interpolate(Math.exp, 7, [-1, 1]);
    expectFheError(() => Polynomial.chebyshev([1, Number.NaN]), "INVALID_ARGUMENT", "create polynomial");
    expectFheError(() => Polynomial.chebyshev([1, 2], [1, 1]), "INVALID_ARGUMENT", "create polynomial");
    expectFheError(() => Polynomial.chebyshev([1, 2], [2, 1]), "INVALID_ARGUMENT", "create polynomial");
    expectFheError(() => Polynomial.chebyshev([]), "INVALID_ARGUMENT", "create polynomial");
    expectFheError(() => polyEval.evaluate(ct, Polynomial.chebyshev([3])), "INVALID_ARGUMENT", "evaluate polynomial");
    expectFheError(() => polyEval.evaluate(ct, { degree: 3 } as unknown as Polynomial), "INVALID_ARGUMENT", "evaluate polynomial");
    expectFheError(() => polyEval.evaluate(ct, p, { targetScale: Number.NaN }), "INVALID_ARGUMENT", "evaluate polynomial");
    expectFheError(() => polyEval.evaluate(ct, p, { babySteps: 3 }), "INVALID_ARGUMENT", "evaluate polynomial");
    using low = c.encrypt({ re: [0.5], im: [0] }, { level: 2 });
    const error = expectFheError(() => polyEval.evaluate(low, p), "INVALID_ARGUMENT", "evaluate polynomial");
    expect(error.message).toMatch(/needs 3 levels/);
    expectFheError(() => new PolynomialEvaluator({} as never), "INVALID_ARGUMENT");
  });
});
