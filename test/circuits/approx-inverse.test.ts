// Iteration plans for 1/x and 1/sqrt(x): predicted errors reached by the float64 twin at every
// iteration, depth as counted by a level-tracking arithmetic, and bad input.

import { describe, expect, it } from "vitest";
import { evaluatePlan, type IterationPlan, invSqrtPlan, inversePlan, type PlanOps, runPlan } from "../../engine/circuits/approx/inverse.js";
import type { Interval } from "../../engine/circuits/polynomial.js";
import { expectFheError } from "../helpers/ckks.js";
import { fineMax } from "./approx-helpers.js";

/** Counts levels like CKKS: one per product (ciphertext or constant), alignment to the lower operand. */
const levelOps: PlanOps<number> = {
  polynomial: (x, p) => x + p.depth,
  mul: (a, b) => Math.max(a, b) + 1,
  mulConstant: (a) => a + 1,
  add: (a, b) => Math.max(a, b),
  sub: (a, b) => Math.max(a, b),
  addConstant: (a) => a,
};

const target = (plan: IterationPlan) => (plan.kind === "inverse" ? (x: number) => 1 / x : (x: number) => 1 / Math.sqrt(x));

function check(plan: IterationPlan, interval: Interval, precision: number): void {
  expect(plan.interval).toEqual(interval);
  expect(plan.predictedError).toBeLessThanOrEqual(precision);
  expect(plan.predictedErrors).toHaveLength(plan.iterations + 1);
  expect(plan.predictedError).toBe(plan.predictedErrors[plan.iterations]);
  expect(plan.depth).toBe(plan.initial.depth + plan.depthOfIterations);
  expect(runPlan(plan, 0, levelOps)).toBe(plan.depth);
  const f = target(plan);
  for (let k = 0; k <= plan.iterations; k++) {
    const partial = { ...plan, iterations: k };
    const measured = fineMax((x) => evaluatePlan(partial, x) - f(x), [interval], 20_001);
    expect(measured, `iteration ${k}`).toBeLessThanOrEqual(plan.predictedErrors[k]!);
    if (k > 0) expect(plan.predictedErrors[k]!).toBeLessThan(plan.predictedErrors[k - 1]!);
  }
}

describe("iteration plans", () => {
  it("1/x (Goldschmidt): every iteration reaches its predicted error; depth initial + 1 + iterations", () => {
    for (const [interval, precision, initialDegree] of [
      [[0.01, 1], 2 ** -20, undefined],
      [[1, 100], 2 ** -30, undefined],
      [[0.5, 2], 2 ** -40, 1],
      [[1, 8], 2 ** -24, 3],
    ] as const) {
      const plan = inversePlan({ interval, precision, initialDegree });
      check(plan, interval, precision);
      if (initialDegree !== undefined) expect(plan.initial.degree).toBe(initialDegree);
      expect(plan.depthOfIterations).toBe(plan.iterations === 0 ? 0 : plan.iterations + 1);
      expect(plan.iterations).toBeGreaterThan(0);
    }
  });

  it("1/sqrt(x) (Newton): every iteration reaches its predicted error; 2 levels per iteration", () => {
    for (const [interval, precision, initialDegree] of [
      [[0.01, 1], 2 ** -16, undefined],
      [[1, 1000], 2 ** -30, undefined],
      [[0.25, 4], 2 ** -40, 3],
    ] as const) {
      const plan = invSqrtPlan({ interval, precision, initialDegree });
      check(plan, interval, precision);
      expect(plan.depthOfIterations).toBe(2 * plan.iterations);
      expect(plan.iterations).toBeGreaterThan(0);
    }
  });

  it("the default initial degree gives the fewest levels", () => {
    const interval: Interval = [0.05, 1];
    const precision = 2 ** -24;
    const best = inversePlan({ interval, precision });
    for (const initialDegree of [1, 3, 7, 15, 31]) {
      expect(best.depth).toBeLessThanOrEqual(inversePlan({ interval, precision, initialDegree }).depth);
    }
  });

  it("runPlan runs the same arithmetic as evaluatePlan (generic ops)", () => {
    const plan = invSqrtPlan({ interval: [1, 16], precision: 2 ** -30, initialDegree: 3 });
    const calls: string[] = [];
    const tracing: PlanOps<number> = {
      polynomial: (x, p) => (calls.push("poly"), p.evaluate(x)),
      mul: (a, b) => (calls.push("mul"), a * b),
      mulConstant: (a, c) => (calls.push("mulConstant"), a * c),
      add: (a, b) => (calls.push("add"), a + b),
      sub: (a, b) => (calls.push("sub"), a - b),
      addConstant: (a, c) => (calls.push("addConstant"), a + c),
    };
    for (const x of [1, 2.5, 7, 16]) expect(runPlan(plan, x, tracing)).toBe(evaluatePlan(plan, x));
    expect(calls.filter((c) => c === "mul").length).toBe(4 * 3 * plan.iterations);
  });

  it("bad input gives FheError naming the problem", () => {
    const bad: [(o: never) => unknown, unknown, RegExp][] = [
      [inversePlan, { interval: [0, 1], precision: 1e-6 }, /positive/],
      [inversePlan, { interval: [-2, -1], precision: 1e-6 }, /positive/],
      [invSqrtPlan, { interval: [2, 1], precision: 1e-6 }, /a < b/],
      [inversePlan, { interval: [1, 2], precision: 0 }, /precision/],
      [inversePlan, { interval: [1, 2], precision: NaN }, /precision/],
      [inversePlan, { interval: [1, 2], precision: 2 ** -60 }, /no plan reaches/],
      [invSqrtPlan, { interval: [1, 2], precision: 1e-6, initialDegree: 0 }, /degree/],
      [inversePlan, { interval: [1e-9, 1], precision: 1e-6, initialDegree: 1 }, /no plan reaches/],
      [inversePlan, { precision: 1e-6 }, /interval/],
      [inversePlan, "fast", /options/],
    ];
    for (const [plan, options, message] of bad) {
      expect(expectFheError(() => plan(options as never), "INVALID_ARGUMENT").message).toMatch(message);
    }
  });
});
