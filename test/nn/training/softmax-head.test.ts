import { describe, expect, it } from "vitest";
import { multiclassAccuracy } from "../../../nn/training/multiclass-task.js";
import { softmaxLevelsForIterations } from "../../../nn/training/softmax-plan.js";
import { trainSoftmaxPlain } from "../../../nn/training/softmax-twin.js";
import { maxDifference, smallLiteral } from "./helpers.js";
import { runSoftmaxEncrypted, smallSoftmaxOptions, syntheticMulticlassTask } from "./softmax-helpers.js";

// Stated bound: at N = 2^10, scale 2^29, the encrypted weights stay within 2^-12 of the twin's
// (measured: ~4e-6, about 2^-18, after 3 iterations).
const bound = 2 ** -12;

function maxWeightDifference(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  return Math.max(...a.map((w, c) => maxDifference(w, b[c]!)));
}

describe("encrypted softmax training equals its float64 twin", () => {
  it("4 classes, 3 iterations over 2 ciphertexts in 2 shards: weights within 2^-12, the same accuracy, the planned levels", async () => {
    const task = syntheticMulticlassTask(100, 6, 4, 3);
    const options = { ...smallSoftmaxOptions, iterations: 3 };
    const run = await runSoftmaxEncrypted(smallLiteral(softmaxLevelsForIterations(4, options)), task, options, 2);
    const twin = trainSoftmaxPlain(task, options, 512);
    expect(twin.maxLogit).toBeLessThan(smallSoftmaxOptions.logitBound);
    expect(twin.sumRange[0]).toBeGreaterThan(smallSoftmaxOptions.sumInterval[0]);
    expect(twin.sumRange[1]).toBeLessThan(smallSoftmaxOptions.sumInterval[1]);
    const diff = maxWeightDifference(run.weights, twin.weights);
    expect(diff).toBeLessThan(bound);
    expect(diff).toBeGreaterThan(0);
    expect(multiclassAccuracy(run.weights, task)).toBe(multiclassAccuracy(twin.weights, task));
    expect(multiclassAccuracy(twin.weights, task)).toBeGreaterThan(0.6);
    // The planner's levels are the evaluation's: v_1, v_2, then W_3 at 0.
    expect(run.levels).toEqual([run.plan.vLevels[1], run.plan.vLevels[2], run.plan.outputLevel]);
    expect(run.plan.inputLevel - run.plan.vLevels[1]!).toBe(2);
    expect(run.plan.vLevels[1]! - run.plan.vLevels[2]!).toBe(run.plan.levelsPerIteration);
  });

  it("10 classes (blocks of 16 slots), 2 iterations: the twin's weights", async () => {
    const task = syntheticMulticlassTask(40, 14, 10, 5);
    const options = { ...smallSoftmaxOptions, iterations: 2 };
    const run = await runSoftmaxEncrypted(smallLiteral(softmaxLevelsForIterations(10, options)), task, options);
    expect(run.plan.layout.blockSize).toBe(16);
    const twin = trainSoftmaxPlain(task, options, 512);
    expect(maxWeightDifference(run.weights, twin.weights)).toBeLessThan(bound);
    expect(multiclassAccuracy(run.weights, task)).toBe(multiclassAccuracy(twin.weights, task));
  });

  it("one iteration: W_1 = (alpha_0 / n) sum_i (y_i - 1/C) (x_i, 1), exactly the twin's", async () => {
    const task = syntheticMulticlassTask(30, 3, 3, 4);
    const options = { ...smallSoftmaxOptions, iterations: 1 };
    const run = await runSoftmaxEncrypted(smallLiteral(2), task, options);
    const twin = trainSoftmaxPlain(task, options, 512);
    const expected = Array.from({ length: 3 }, () => new Float64Array(4));
    for (let i = 0; i < 30; i++) {
      for (let c = 0; c < 3; c++) {
        const residual = ((task.labels[i] === c ? 1 : 0) - 1 / 3) * (smallSoftmaxOptions.stepScale / 30);
        for (let j = 0; j < 3; j++) expected[c]![j]! += residual * task.rows[i * 3 + j]!;
        expected[c]![3]! += residual;
      }
    }
    expect(maxWeightDifference(twin.weights, expected)).toBeLessThan(1e-12);
    expect(maxWeightDifference(run.weights, expected)).toBeLessThan(bound);
    expect(run.levels).toEqual([0]);
  });
});

describe("the softmax of the twin", () => {
  it("sum_c W_c stays ~0: the logits stay centred without centring them", () => {
    const task = syntheticMulticlassTask(64, 5, 5, 8);
    const twin = trainSoftmaxPlain(task, { ...smallSoftmaxOptions, iterations: 4 }, 512);
    const total = twin.weights.reduce((sum, w) => sum.map((s, j) => s + w[j]!), new Float64Array(6));
    expect(Math.max(...total.map(Math.abs))).toBeLessThan(2e-2 * Math.max(...twin.weights.flatMap((w) => Array.from(w, Math.abs))));
    expect(twin.maxLogit).toBeGreaterThan(0.1);
  });
});
