// Encrypted iteration plans (1/x, 1/sqrt(x)) against the float64 twin (evaluatePlan), with the
// planner's predictions (level, scale, products, key switches) checked against the evaluation.

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { evaluatePlan, type IterationPlan, invSqrtPlan, inversePlan } from "../../engine/circuits/approx/inverse.js";
import { IterationEvaluator } from "../../engine/circuits/iteration-eval.js";
import { foldableInputScale } from "../../engine/circuits/poly-plan.js";
import type { Interval } from "../../engine/circuits/polynomial.js";
import { Evaluator } from "../../engine/index.js";
import { expectFheError, makeContext } from "../helpers/ckks.js";
import { relinearizeRescaleInPlace } from "../../engine/circuits/relinearize-rescale.js";

// Key switches happen in Evaluator.relinearizeInPlace or, in the initial polynomial, fused with a rescale: count both.
vi.mock("../../engine/circuits/relinearize-rescale.js", { spy: true });

const c = makeContext({ logN: 11, logScale: 30, depth: 10, allowInsecureParametersForTesting: true });
const iterations = new IterationEvaluator(c.evaluator);
const slots = 64;

/**
 * CKKS noise bound at these parameters (N = 2^11, scale 2^30), in bits. The input's own noise
 * (a public-key encryption: about 2^-18 per slot at scale 2^30, more at a lower input scale s)
 * goes through the derivative of f, and the evaluation adds noise relative to the output:
 * |decrypted - evaluatePlan(x)| <= 2^-16 (f(a) + |f'(a)| 2^30 / s) over [a, b] (the worst slot
 * measured 1.8 to 2.4 bits below it; 1/x on [0.01, 1] is the worst conditioned case, |f'(a)| = 10^4).
 */
const noiseBits = 16;

const f = (plan: IterationPlan) => (plan.kind === "inverse" ? (x: number) => 1 / x : (x: number) => 1 / Math.sqrt(x));

/** The noise bound for a plan on an input at `inputScale`: 2^-bits (f(a) + |f'(a)| params.scale / inputScale). */
function noiseBound(plan: IterationPlan, inputScale: number, bits = noiseBits): number {
  const a = plan.interval[0];
  const slope = plan.kind === "inverse" ? 1 / (a * a) : 0.5 / (a * Math.sqrt(a));
  return 2 ** -bits * (f(plan)(a) + (slope * c.params.scale) / inputScale);
}

function uniform(interval: Interval, seed: number): number[] {
  const [a, b] = interval;
  const random = fc.sample(fc.double({ min: a, max: b, noNaN: true }), { numRuns: slots, seed });
  return [a, b, ...random.slice(2)];
}

/** Evaluates encrypted and counts the products (multiply, square) and relinearizations. */
function run(plan: IterationPlan, xs: number[], options: { scale?: number; targetScale?: number } = {}) {
  using ct = c.encrypt({ re: xs, im: xs.map(() => 0) }, { slots, scale: options.scale ?? c.params.scale });
  const evaluationOptions = options.targetScale === undefined ? {} : { targetScale: options.targetScale };
  const planned = iterations.plan(ct, plan, evaluationOptions);
  const spies = [vi.spyOn(c.evaluator, "multiply"), vi.spyOn(c.evaluator, "square"), vi.spyOn(c.evaluator, "relinearizeInPlace")];
  vi.mocked(relinearizeRescaleInPlace).mockClear();
  let out;
  let products: number;
  let relinearizations: number;
  try {
    out = iterations.evaluate(ct, plan, evaluationOptions);
  } finally {
    products = spies[0]!.mock.calls.length + spies[1]!.mock.calls.length;
    relinearizations = spies[2]!.mock.calls.length + vi.mocked(relinearizeRescaleInPlace).mock.calls.length;
    for (const spy of spies) spy.mockRestore();
  }
  using result = out;
  const got = c.decrypt(result).re.slice(0, xs.length);
  const g = f(plan);
  const twinError = Math.max(...xs.map((x, i) => Math.abs(got[i]! - evaluatePlan(plan, x))));
  const trueError = Math.max(...xs.map((x, i) => Math.abs(got[i]! - g(x))));
  return { planned, inputLevel: ct.level, inputScale: ct.scale, level: result.level, scale: result.scale, products, relinearizations, twinError, trueError };
}

function expectPlanned(plan: IterationPlan, r: ReturnType<typeof run>, folded: boolean): void {
  expect(r.level).toBe(r.planned.output.level);
  expect(r.inputLevel - r.level).toBe(r.planned.levelsUsed);
  expect(r.planned.levelsUsed).toBe(plan.depth + (folded ? 0 : 1));
  expect(r.products).toBe(r.planned.nonScalarProducts);
  expect(r.relinearizations).toBe(r.planned.keySwitches);
  expect(r.planned.rotations).toBe(0);
  const bound = noiseBound(plan, r.inputScale);
  expect(r.twinError).toBeLessThanOrEqual(bound);
  expect(r.trueError).toBeLessThanOrEqual(plan.predictedError + bound);
}

describe("encrypted iteration plans", () => {
  const cases: [string, IterationPlan][] = [
    ["1/x on [0.01, 1]", inversePlan({ interval: [0.01, 1], precision: 2 ** -14 })],
    ["1/x on [1, 100]", inversePlan({ interval: [1, 100], precision: 2 ** -16 })],
    ["1/x on [0.5, 2], degree 3", inversePlan({ interval: [0.5, 2], precision: 2 ** -16, initialDegree: 3 })],
    ["1/sqrt(x) on [0.1, 10]", invSqrtPlan({ interval: [0.1, 10], precision: 2 ** -20 })],
    ["1/sqrt(x) on [0.5, 2], degree 1", invSqrtPlan({ interval: [0.5, 2], precision: 2 ** -20, initialDegree: 1 })],
    ["1/sqrt(x) on [1, 100]", invSqrtPlan({ interval: [1, 100], precision: 2 ** -16 })],
  ];

  for (const [name, plan] of cases) {
    it(`${name}: the float64 twin within the noise, the planned levels, scale, products and key switches`, () => {
      expect(plan.iterations).toBeGreaterThan(0);
      const xs = uniform(plan.interval, plan.iterations + 7);
      // At the parameters' scale (the change of interval costs one level) and at the foldable scale (plan.depth).
      const unfolded = run(plan, xs);
      expect(unfolded.scale).toBe(c.params.scale);
      const foldable = foldableInputScale(c.params, c.params.maxLevel, plan.initial);
      expectPlanned(plan, unfolded, foldable >= c.params.scale);
      const folded = run(plan, xs, { scale: Math.min(foldable, c.params.scale) });
      expect(folded.scale).toBe(c.params.scale);
      expectPlanned(plan, folded, true);
    });
  }

  it("random intervals, kinds and points agree with the twin (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("inverse", "invSqrt"), fc.double({ min: 0.05, max: 4, noNaN: true }), fc.double({ min: 1.5, max: 40, noNaN: true }),
        fc.constantFrom(3, 7), fc.integer({ min: 0, max: 2 ** 30 }),
        (kind, a, ratio, initialDegree, seed) => {
          const interval: Interval = [a, a * ratio];
          const plan = (kind === "inverse" ? inversePlan : invSqrtPlan)({ interval, precision: 2 ** -16, initialDegree });
          const foldable = foldableInputScale(c.params, c.params.maxLevel, plan.initial);
          const r = run(plan, uniform(interval, seed), { scale: Math.min(foldable, c.params.scale) });
          expectPlanned(plan, r, true);
          expect(r.scale).toBe(c.params.scale);
        },
      ),
      { numRuns: 8, seed: 11 },
    );
  });

  it("a plan without iterations is the initial guess alone, and partial plans run too", () => {
    const plan = inversePlan({ interval: [0.5, 2], precision: 2 ** -16 });
    expect(plan.iterations).toBe(0);
    const xs = uniform(plan.interval, 3);
    expectPlanned(plan, run(plan, xs, { scale: foldableInputScale(c.params, c.params.maxLevel, plan.initial) }), true);
    const full = inversePlan({ interval: [0.01, 1], precision: 2 ** -14 });
    const partial = { ...full, iterations: 1, depth: full.initial.depth + 2, predictedError: full.predictedErrors[1]! };
    const r = run(partial, uniform(full.interval, 5));
    expect(r.inputLevel - r.level).toBe(full.initial.depth + 2);
    expect(r.trueError).toBeLessThanOrEqual(full.predictedErrors[1]! + noiseBound(full, r.inputScale));
  });

  it("honours targetScale; intermediates are released", () => {
    const plan = invSqrtPlan({ interval: [0.1, 10], precision: 2 ** -16 });
    const xs = uniform(plan.interval, 9);
    const r = run(plan, xs, { targetScale: 2 ** 26 });
    expect(r.scale).toBe(2 ** 26);
    expect(r.planned.output.scale).toBe(2 ** 26);
    expect(r.twinError).toBeLessThanOrEqual(noiseBound(plan, r.inputScale, noiseBits - 4)); // 4 bits less scale
    const { heap } = c.params.ring;
    using ct = c.encrypt({ re: xs, im: xs.map(() => 0) }, { slots });
    iterations.evaluate(ct, plan).dispose();
    const before = heap.bytesInUse;
    iterations.evaluate(ct, plan).dispose();
    expect(heap.bytesInUse).toBe(before);
  });

  it("refuses inputs with too few levels, naming the levels needed", () => {
    const plan = inversePlan({ interval: [0.01, 1], precision: 2 ** -14 }); // depth 8: degree 7 (3) + 4 iterations (5)
    expect(foldableInputScale(c.params, 7, plan.initial)).toBeGreaterThan(c.params.scale);
    using low = c.encrypt({ re: [0.5], im: [0] }, { level: 7 });
    const folded = expectFheError(() => iterations.evaluate(low, plan), "INVALID_ARGUMENT", "evaluate iteration plan");
    expect(folded.message).toMatch(/1\/x needs 8 levels \(3 for the initial guess of degree 7, 5 for 4 iterations\) and the ciphertext has 7 left/);
    expectFheError(() => iterations.plan({ level: 7, scale: c.params.scale }, plan), "INVALID_ARGUMENT", "evaluate iteration plan");
    // [1, 100] at the parameters' scale: the change of interval is not folded in and costs a level.
    const wide = invSqrtPlan({ interval: [1, 100], precision: 2 ** -16 }); // degree 31 (5) + 1 iteration (2)
    using wideLow = c.encrypt({ re: [50], im: [0] }, { level: 7 });
    const unfolded = expectFheError(() => iterations.evaluate(wideLow, wide), "INVALID_ARGUMENT", "evaluate iteration plan");
    expect(unfolded.message).toMatch(/1\/sqrt\(x\) needs 8 levels \(6 for the initial guess of degree 31, one of them for the change of interval at this input scale, 2 for 1 iteration\) and the ciphertext has 7 left/);
  });

  it("needs the relinearization key (MISSING_KEY)", () => {
    const plan = inversePlan({ interval: [0.5, 2], precision: 2 ** -16, initialDegree: 3 });
    using ct = c.encrypt({ re: [1], im: [0] });
    const error = expectFheError(() => new IterationEvaluator(new Evaluator(c.params)).evaluate(ct, plan), "MISSING_KEY", "evaluate iteration plan");
    expect(error.message).toMatch(/createRelinearizationKey/);
  });

  it("bad input gives FheError", () => {
    const plan = inversePlan({ interval: [0.5, 2], precision: 2 ** -16, initialDegree: 3 });
    using ct = c.encrypt({ re: [1], im: [0] });
    const op = "evaluate iteration plan";
    expectFheError(() => new IterationEvaluator({} as never), "INVALID_ARGUMENT", "create iteration evaluator");
    expectFheError(() => iterations.evaluate({} as never, plan), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, {} as never), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, { ...plan, kind: "log" } as never), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, { ...plan, iterations: 1.5 } as never), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, { ...plan, interval: [-1, 2] } as never), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, plan, "fast" as never), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.evaluate(ct, plan, { targetScale: Number.NaN }), "INVALID_ARGUMENT", op);
    const tooLarge = expectFheError(() => iterations.evaluate(ct, plan, { targetScale: 2 ** 250 }), "INVALID_ARGUMENT", op);
    expect(tooLarge.message).toMatch(/modulus/);
    expectFheError(() => iterations.plan({ level: -1, scale: 2 ** 30 }, plan), "INVALID_ARGUMENT", op);
    expectFheError(() => iterations.plan({ level: 10, scale: Number.POSITIVE_INFINITY }, plan), "INVALID_ARGUMENT", op);
    using product = c.evaluator.multiply(ct, ct);
    expectFheError(() => iterations.evaluate(product, plan), "INVALID_ARGUMENT", op);
  });
});
