// Encrypted training past one modulus chain: the iterates are refreshed by bootstrapping
// (nn/training/refresh.ts) at N = 2^10 (logScale 50, 16 levels, 60-bit q_0, Hamming weight 40,
// insecure), blocks of 8 slots bootstrapped as periodic 8-slot vectors (CoeffsToSlots of 2 levels,
// EvalMod of degree 30 and 4 double angles, SlotsToCoeffs of 1: output level 4, so every
// iteration is followed by a refresh, the first one from v_0 = w_0 = 0). 8 iterations need 29
// levels without it. (With a 1-level CoeffsToSlots this ring loses precision: 3e-4 absolute
// instead of 8e-7 for 8 slots; at N = 2^16 one level is as precise as two.)

import { describe, expect, it } from "vitest";
import { Bootstrapper, Evaluator, Parameters } from "../../../engine/index.js";
import { LocalRefresh, planLogisticRegression, trainEncrypted, trainPlain, accuracy } from "../../../nn/index.js";
import { expectFheError } from "../../helpers/ckks.js";
import { maxDifference, runEncrypted, syntheticTask } from "./helpers.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;
const shape = { doubleAngles: 4, slots: 8, coeffsToSlotsLevels: 2, slotsToCoeffsLevels: 1 } as const;

describe("encrypted training refreshed by bootstrapping", () => {
  it("the planner schedules a refresh whenever the next gradient would fall below level 0", () => {
    const params = Parameters.create(literal);
    const task = syntheticTask(200, 6, 3);
    // Without a refresh 8 iterations do not fit 16 levels; the error points at the refresh.
    const error = expectFheError(() => planLogisticRegression(params, task, { iterations: 8, featureGroups: 1 }), "INVALID_ARGUMENT", "plan logistic regression");
    expect(error.message).toMatch(/refresh the iterates by bootstrapping/);
    const plan = planLogisticRegression(params, task, { iterations: 30, featureGroups: 1 }, { outputLevel: 12 });
    // Gradients at 11, 7, 3 (refresh), then 8, 4, 0 (refresh) in every cycle; w_30 at level 0.
    expect(plan.inputLevel).toBe(12);
    expect(plan.refreshAfter).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26]);
    expect(plan.vLevels.slice(1, 7)).toEqual([11, 7, 12, 8, 4, 12]);
    expect(plan.outputLevel).toBe(0);
    expect(plan.bootstrappings).toBe(9);
    // Iterations that fit are planned as before, without refreshes.
    const fits = planLogisticRegression(params, task, { iterations: 3, featureGroups: 1 }, { outputLevel: 12 });
    expect(fits).toMatchObject({ inputLevel: 9, refreshAfter: [], refreshLevel: undefined, outputLevel: 0, bootstrappings: 0 });
    for (const outputLevel of [3, 17, 4.5, Number.NaN]) {
      expectFheError(() => planLogisticRegression(params, task, { iterations: 8, featureGroups: 1 }, { outputLevel }), "INVALID_ARGUMENT", "plan logistic regression");
    }
  });

  it("8 iterations with 7 refreshes: the twin's weights within 2^-13 (measured 7e-6) and its accuracy, every level as planned", async () => {
    const task = syntheticTask(200, 6, 3);
    const options = { iterations: 8, stepScale: 4, featureGroups: 1 };
    const run = await runEncrypted(literal, task, options, 1, undefined, shape);
    expect(run.plan.refreshLevel).toBe(Bootstrapper.planFor(Parameters.create(literal), shape).outputLevel);
    expect(run.plan.refreshAfter).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(run.levels.slice(0, -1)).toEqual(run.plan.vLevels.slice(1));
    expect(run.level).toBe(run.plan.outputLevel);
    const twin = trainPlain(task, options, 512);
    expect(twin.maxInnerProduct).toBeLessThan(twin.interval);
    const difference = maxDifference(run.weights, twin.weights);
    expect(difference).toBeLessThan(2 ** -13);
    expect(accuracy(run.weights, task)).toBe(accuracy(twin.weights, task));
  });

  it("refuses a missing refresh, a refresh of another block size or level, and a bad scale-down", async () => {
    const params = Parameters.create(literal);
    const task = syntheticTask(200, 6, 3);
    const options = { iterations: 8, featureGroups: 1 };
    const plan = planLogisticRegression(params, task, options, Bootstrapper.planFor(params, shape));
    const evaluator = new Evaluator(params);
    const noSource = { gradient: async () => undefined };
    await expect(trainEncrypted(evaluator, plan, options, [noSource])).rejects.toMatchObject({ code: "MISSING_KEY" });
    const other = new Bootstrapper(evaluator, { ...shape, slots: 16 });
    try {
      await expect(trainEncrypted(evaluator, plan, options, [noSource], undefined, new LocalRefresh(other))).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: /blocks of 8 slots/ });
      for (const s of [1, 3, 2 ** 21, Number.NaN]) expectFheError(() => new LocalRefresh(other, s), "INVALID_ARGUMENT", "create refresh");
    } finally {
      other.dispose();
    }
    expectFheError(() => new LocalRefresh({} as Bootstrapper), "INVALID_ARGUMENT", "create refresh");
  });
});
