import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accuracy, iterationSteps, sigmoidChoice, trainPlain } from "../../../nn/index.js";
import { maxDifference, runEncrypted, smallLiteral, syntheticTask } from "./helpers.js";

// Stated bound: at N = 2^10, scale 2^29, the encrypted weights stay within 2^-10 of the twin's
// (measured: ~1e-4 after 3 iterations).
const bound = 2 ** -10;

describe("encrypted logistic regression equals its float64 twin", () => {
  it("full batch, 3 iterations over 2 ciphertexts (the second's imaginary half part-filled): weights within 2^-10, the same accuracy", async () => {
    const task = syntheticTask(200, 6, 3);
    const options = { iterations: 3, stepScale: 4, featureGroups: 1 };
    const run = await runEncrypted(smallLiteral(9), task, options);
    expect(run.plan.layout).toMatchObject({ groups: 1, samplesPerSet: 128, sets: 2, ciphertexts: 2 });
    const twin = trainPlain(task, options, 512);
    expect(twin.maxInnerProduct).toBeLessThan(twin.interval);
    expect(maxDifference(run.weights, twin.weights)).toBeLessThan(bound);
    expect(accuracy(run.weights, task)).toBe(accuracy(twin.weights, task));
    expect(accuracy(twin.weights, task)).toBeGreaterThan(0.8);
  });

  it("mini-batches (one ciphertext per iteration; the second holds 22 samples, real parts only) and two shards give the twin's weights", async () => {
    const task = syntheticTask(150, 5, 2);
    const options = { iterations: 3, batch: 64, featureGroups: 1 };
    expect(iterationSteps({ iterations: 3, stepScale: 6, batch: 64 }, 150, 64).map((s) => [s.sets, s.samples]))
      .toEqual([[[0], 64], [[1], 64], [[2], 22]]);
    const run = await runEncrypted(smallLiteral(9), task, options, 2);
    const twin = trainPlain(task, options, 512);
    expect(maxDifference(run.weights, twin.weights)).toBeLessThan(bound);
    // The mini-batch twin differs from the full-batch one: the batches are really used.
    expect(maxDifference(twin.weights, trainPlain(task, { iterations: 3, featureGroups: 1 }, 512).weights)).toBeGreaterThan(1e-3);
  });

  it("feature groups: 13 features in 3 groups (the last shorter), mini-batches of one set over two shards, the twin's weights", async () => {
    const task = syntheticTask(300, 13, 5);
    const options = { iterations: 3, batch: 128, featureGroups: 3 };
    const run = await runEncrypted(smallLiteral(9), task, options, 2);
    // 14 weights in groups of 5, 5, 4 in blocks of 8: 128 samples per set, the third set 44.
    expect(run.plan.layout).toMatchObject({ groups: 3, groupWeights: 5, blockSize: 8, samplesPerSet: 128, sets: 3, ciphertexts: 9 });
    const twin = trainPlain(task, options, 512);
    expect(twin.maxInnerProduct).toBeLessThan(twin.interval);
    expect(maxDifference(run.weights, twin.weights)).toBeLessThan(bound);
    expect(accuracy(run.weights, task)).toBe(accuracy(twin.weights, task));
  });

  it("one iteration: w_1 = alpha_0 q(0) mean(z)", async () => {
    const task = syntheticTask(30, 3, 4);
    const run = await runEncrypted(smallLiteral(1), task, { iterations: 1 });
    const twin = trainPlain(task, { iterations: 1 }, 512);
    const expected = new Float64Array(4);
    for (let i = 0; i < 30; i++) {
      const sign = task.labels[i] === 1 ? 1 : -1;
      for (let j = 0; j < 3; j++) expected[j] = expected[j]! + (6 * 0.5 * sign * task.rows[i * 3 + j]!) / 30;
      expected[3] = expected[3]! + (6 * 0.5 * sign) / 30;
    }
    expect(maxDifference(twin.weights, expected)).toBeLessThan(1e-9);
    expect(maxDifference(run.weights, expected)).toBeLessThan(bound);
  });
});

describe("the sigmoid factor and the schedule", () => {
  it("q(d) = p(-d) for the minimax polynomial, within its error of sigma(-d) on [-B, B]", () => {
    fc.assert(fc.property(fc.double({ min: -16, max: 16, noNaN: true }), (d) => {
      const choice = sigmoidChoice(16);
      const [b0, b1, b3] = choice.coefficients;
      const q = b0 + b1 * d + b3 * d ** 3;
      expect(Math.abs(q - 1 / (1 + Math.exp(d)))).toBeLessThanOrEqual(choice.maxError * 1.01);
    }));
  });

  it("Nesterov: eta_0 = 0, then negative; kappa folds (1 - eta) alpha / n except at the end", () => {
    const steps = iterationSteps({ iterations: 4, stepScale: 6, batch: undefined }, 100, 64);
    expect(steps[0]).toMatchObject({ eta: 0, alpha: 6, kappa: 6 / 100, sets: [0, 1], samples: 100 });
    expect(steps[1]!.eta).toBeCloseTo((1 - 1.618033988749895) / 2.193527085331054, 12);
    for (const s of steps.slice(1)) expect(s.eta).toBeLessThan(0);
    expect(steps[2]!.kappa).toBeCloseTo(((1 - steps[2]!.eta) * 2) / 100, 15);
    expect(steps[3]!.kappa).toBeCloseTo(1.5 / 100, 15);
  });
});
