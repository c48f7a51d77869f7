// The squaring Soft-Argmax: the plan's twin against the exact softmax at T_0 / 2^k, and the
// encrypted steps (bootstrapped between steps) against the twin on an insecure N = 2^11 ring.
// Measured there (k = 2, 1024 samples): max |E_enc - E_twin| 2^-13.2 (3 classes), 2^-11.3 (10).
// Asserted: 2^-8 (n - 1).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Bootstrapper, EncapsulationKeys } from "../../engine/circuits/bootstrapping/index.js";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import { Parameters } from "../../engine/index.js";
import { expectedIndex, softmax } from "../../nn/layers/soft-argmax.js";
import { squaringRanges, squaringSoftArgmaxPlain, squaringSoftArgmaxPlan, type SquaringSoftArgmaxPlan } from "../../nn/soft-argmax-squaring.js";
import { encryptedExpectedIndex, refreshReal, squaringStep } from "../../nn/soft-argmax-squaring-run.js";
import { expectFheError, makeContext, prng, type CkksContext } from "../helpers/ckks.js";

/** `count` logit vectors of n classes, uniform in [-spread, spread]. */
function randomLogits(count: number, n: number, spread: number, seed: number): Float64Array[] {
  const next = prng(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: n }, () => spread * (2 * next() - 1)));
}

/** A plan fitted to `logits` (their ranges of y and of Σ exp(2 y)). */
function planFor(logits: readonly Float64Array[], t0: number, k: number, factor = 2): SquaringSoftArgmaxPlan {
  return squaringSoftArgmaxPlan({ classes: logits[0]!.length, initialTemperature: t0, squarings: k, ...squaringRanges(logits, t0), firstFactor: factor, refreshFactor: factor });
}

describe("squaring Soft-Argmax plan and twin", () => {
  it("the twin is the softmax at T_0 / 2^k: expected index within 0.02 (fast-check over n, k, T_0)", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: 16, max: 64, noNaN: true }), fc.integer(), (n, k, t0, seed) => {
      const logits = randomLogits(200, n, 20, seed);
      const plan = planFor(logits, t0, k);
      expect(plan.temperature).toBeCloseTo(t0 / 2 ** k, 12);
      expect(plan.inverses).toHaveLength(k);
      expect(plan.stepLevels.every((l, j) => l === 2 + plan.inverses[j]!.depth)).toBe(true);
      // The sum is 1 within the last inverse's relative error; the index moves with it.
      const last = plan.inverses[k - 1]!.maxError * 1.05 + 1e-9;
      for (const z of logits) {
        const { index, probabilities } = squaringSoftArgmaxPlain(plan, z);
        expect(Math.abs(index - expectedIndex(softmax(z, plan.temperature)))).toBeLessThan(0.02 + (n - 1) * last);
        expect(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(last);
      }
    }), { numRuns: 25 });
  });

  it("refuses bad options and logits of the wrong length", () => {
    const good = { classes: 3, initialTemperature: 8, squarings: 2, inputRange: [-1, 1] as const, maxSquareSum: 10 };
    const op = "plan squaring Soft-Argmax";
    for (const bad of [{ classes: 1 }, { classes: 2.5 }, { initialTemperature: 0 }, { initialTemperature: Number.NaN }, { squarings: 0 }, { squarings: 17 },
      { inputRange: [1, 2] }, { inputRange: [-1] }, { inputRange: [Number.NaN, 1] }, { maxSquareSum: 2 }, { expDegree: 2 }, { margin: 0.5 }, { firstFactor: 0 }, { refreshFactor: -1 }]) {
      expectFheError(() => squaringSoftArgmaxPlan({ ...good, ...bad } as never), "INVALID_ARGUMENT", op);
    }
    expectFheError(() => squaringSoftArgmaxPlan(null as never), "INVALID_ARGUMENT", op);
    // A range too wide for exp's degree, or a sum range too wide for the inverse's, is refused.
    expectFheError(() => squaringSoftArgmaxPlan({ ...good, inputRange: [-30, 30], maxSquareSum: 1e6 }), "INVALID_ARGUMENT", op);
    expectFheError(() => squaringSoftArgmaxPlan({ ...good, maxSquareSum: 1e6, inverseDegree: 3, finalInverseDegree: 3 }), "INVALID_ARGUMENT", op);
    const plan = squaringSoftArgmaxPlan(good);
    expectFheError(() => squaringSoftArgmaxPlain(plan, [1, 2]), "INVALID_ARGUMENT", "evaluate squaring Soft-Argmax");
  });
});

describe("encrypted squaring Soft-Argmax, bootstrapped between steps (N = 2^11, insecure)", () => {
  const literal = { logN: 11, logScale: 50, depth: 22, logBaseModulus: 60, allowInsecureParametersForTesting: true } as const;
  const shape = { doubleAngles: 4, ephemeralHammingWeight: 36 } as const;
  let c: CkksContext;
  let boot: Bootstrapper;
  beforeAll(() => {
    c = makeContext(literal, { steps: Bootstrapper.rotationSteps(Parameters.create(literal), shape), conjugate: true });
    boot = new Bootstrapper(c.evaluator, shape, { encapsulation: EncapsulationKeys.generate(c.keygen, 36) });
  }, 120_000);

  for (const [n, multiplier] of [[3, 1 / 8], [10, undefined]] as const) {
    it(`${n} classes, k = 2${multiplier === undefined ? "" : ", refreshed at 1/8"}: the decrypted expected index equals the twin's within 2^-8 (n - 1)`, () => {
      const slots = c.params.maxSlots;
      const logits = randomLogits(slots, n, 12, n);
      const plan = planFor(logits, 8, 2, 2 * (multiplier ?? 1));
      expect(plan.factors).toEqual([2 * (multiplier ?? 1), 2 * (multiplier ?? 1)]);
      const polys = new PolynomialEvaluator(c.evaluator);
      // Class i's ciphertext holds y = (z_i - mean z) / T_0 of every sample.
      const u = Array.from({ length: n }, (_, i) => logits.map((z) => (z[i]! - z.reduce((a, b) => a + b, 0) / n) / plan.initialTemperature));
      let x = u.map((values) => {
        using ct = c.encrypt({ re: values, im: values.map(() => 0) });
        return polys.evaluate(ct, plan.exp.poly);
      });
      for (let step = 0; step < plan.squarings; step++) {
        x = squaringStep(c.evaluator, polys, plan, step, refreshReal(c.evaluator, boot, x, multiplier === undefined ? {} : { multiplier }));
      }
      using e = encryptedExpectedIndex(c.evaluator, x);
      for (const ct of x) ct.dispose();
      const decrypted = c.decrypt(e).re;
      let worst = 0;
      logits.forEach((z, s) => (worst = Math.max(worst, Math.abs(decrypted[s]! - squaringSoftArgmaxPlain(plan, z).index))));
      expect(worst).toBeLessThan(2 ** -8 * (n - 1));
    }, 300_000);
  }

  it("a step refuses a wrong class count or step index", () => {
    const plan = squaringSoftArgmaxPlan({ classes: 3, initialTemperature: 8, squarings: 1, inputRange: [-1, 1], maxSquareSum: 10 });
    const polys = new PolynomialEvaluator(c.evaluator);
    using ct = c.encrypt({ re: [1], im: [0] });
    expectFheError(() => squaringStep(c.evaluator, polys, plan, 0, [ct]), "INVALID_ARGUMENT", "evaluate squaring Soft-Argmax");
    expectFheError(() => squaringStep(c.evaluator, polys, plan, 1, [ct, ct, ct]), "INVALID_ARGUMENT", "evaluate squaring Soft-Argmax");
    expectFheError(() => encryptedExpectedIndex(c.evaluator, [ct]), "INVALID_ARGUMENT", "evaluate squaring Soft-Argmax");
  });
});
