import { describe, expect, it } from "vitest";
import { Encoder, Encryptor, KeyGenerator, Parameters } from "../../../engine/index.js";
import type { MulticlassTask } from "../../../nn/training/multiclass-task.js";
import { encryptSoftmaxTask } from "../../../nn/training/softmax-client.js";
import { planSoftmaxTraining, softmaxLevelsForIterations, softmaxTrainingLiteral } from "../../../nn/training/softmax-plan.js";
import { softmaxLayer, checkSoftmaxOptions } from "../../../nn/training/softmax-schedule.js";
import { trainSoftmaxPlain } from "../../../nn/training/softmax-twin.js";
import { expectFheError } from "../../helpers/ckks.js";
import { smallLiteral } from "./helpers.js";
import { smallSoftmaxOptions, syntheticMulticlassTask } from "./softmax-helpers.js";

describe("the softmax training planner", () => {
  it("levels: 2, then 4 + E + I per iteration, with the defaults and with small polynomials", () => {
    const layer = softmaxLayer(10, checkSoftmaxOptions({ iterations: 4 }, "test"), "test");
    expect([layer.polynomial.degree, layer.inverse!.initial.degree, layer.inverse!.iterations, layer.inverse!.depth]).toEqual([7, 7, 0, 3]);
    expect(softmaxLevelsForIterations(10, { iterations: 1 })).toBe(2);
    expect(softmaxLevelsForIterations(10, { iterations: 4 })).toBe(2 + 3 * 10);
    expect(softmaxLevelsForIterations(10, { iterations: 3, expDegree: 15, sumInterval: [0.5, 16] })).toBe(2 + 2 * (4 + 4 + 4));
    expect(softmaxTrainingLiteral(10, { iterations: 4 })).toEqual({ logN: 16, logScale: 29, depth: 32 });
  });

  it("the real run's plan at N = 2^16: 128 samples per block of 128 slots, levels 32, 30, 20, 10, 0, the keys", () => {
    const params = Parameters.create(softmaxTrainingLiteral(10, { iterations: 4 }));
    const plan = planSoftmaxTraining(params, { samples: 2048, features: 100, classes: 10 }, { iterations: 4 });
    expect(plan.layout).toMatchObject({ blockSize: 128, samplesPerSet: 256, ciphertexts: 8 });
    expect([plan.inputLevel, ...plan.vLevels.slice(1), plan.outputLevel]).toEqual([32, 30, 20, 10, 0]);
    expect(plan.maxIterations).toBe(4);
    expect(plan.steps[1]).toMatchObject({ vLevel: 30, logits: { level: 28 }, exp: { output: { level: 25 } }, inverse: { output: { level: 22 } }, output: { level: 20, scale: params.scale } });
    expect(plan.galoisSteps).toEqual([1, 2, 4, 8, 16, 32, 64, -128, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]);
    // Iteration 0: 17 label rotations (binary digits of 1..10) and 10 x 7 replications.
    expect(plan.keySwitches.firstPerCiphertext).toBe(17 + 70);
    expect(plan.keySwitches.perShard).toBe(10 * 9);
  });

  it("the polynomials' changes of interval fold: the masked logits at alpha q, exp ending where 1/S folds", () => {
    const params = Parameters.create(smallLiteral(22));
    const plan = planSoftmaxTraining(params, { samples: 100, features: 6, classes: 4 }, { ...smallSoftmaxOptions, iterations: 3 });
    const step = plan.steps[1]!;
    expect(step.exp.linear.folded).toBe(true);
    expect(step.inverse.initial.linear.folded).toBe(true);
    expect(step.exp.levelsUsed).toBe(3);
    expect(step.inverse.levelsUsed).toBe(step.inverse.iteration.depth);
  });
});

function withRow(task: MulticlassTask, index: number, value: number): MulticlassTask {
  const rows = task.rows.slice();
  rows[index] = value;
  return { ...task, rows };
}

function withLabel(task: MulticlassTask, index: number, value: number): MulticlassTask {
  const labels = task.labels.slice();
  labels[index] = value;
  return { ...task, labels };
}

describe("bad softmax training input is an FheError naming the problem", () => {
  const params = Parameters.create(smallLiteral(12));
  const task = syntheticMulticlassTask(20, 4, 3, 9);
  const options = { ...smallSoftmaxOptions, iterations: 2 };
  const plan = planSoftmaxTraining(params, task, options);
  const keygen = new KeyGenerator(params);
  const encrypt = (t: MulticlassTask) => encryptSoftmaxTask(new Encryptor(params, keygen.secretKey), new Encoder(params), plan, t);

  it("labels outside 0..C-1", () => {
    for (const run of [() => encrypt(withLabel(task, 7, 3)), () => trainSoftmaxPlain(withLabel(task, 7, 3), options, params.maxSlots)]) {
      expect(expectFheError(run, "INVALID_ARGUMENT").message).toContain("the label of sample 7 is 3; labels must be classes in [0, 2]");
    }
  });

  it("NaN and infinite features", () => {
    expect(expectFheError(() => encrypt(withRow(task, 4 * 3 + 2, Number.NaN)), "INVALID_ARGUMENT", "encrypt training data").message).toContain("feature 2 of sample 3 is NaN");
    expect(expectFheError(() => trainSoftmaxPlain(withRow(task, 5, -Infinity), options, 512), "INVALID_ARGUMENT").message).toContain("feature 1 of sample 1 is -Infinity");
  });

  it("more features than a block, more classes than a block, two classes, a task of another shape", () => {
    expect(expectFheError(() => planSoftmaxTraining(params, { samples: 2, features: 600, classes: 3 }, options), "INVALID_ARGUMENT", "pack training data").message)
      .toContain("600 features need blocks of 1024 slots");
    expect(expectFheError(() => planSoftmaxTraining(params, { samples: 2, features: 4, classes: 8 }, options), "INVALID_ARGUMENT", "pack training data").message)
      .toContain("8 classes need blocks of more than 8 slots");
    expect(expectFheError(() => planSoftmaxTraining(params, { samples: 2, features: 4, classes: 2 }, options), "INVALID_ARGUMENT").message)
      .toContain("a softmax head takes 3 to 64 classes (two classes: use logistic regression)");
    expect(expectFheError(() => encrypt(syntheticMulticlassTask(21, 4, 3, 9)), "INVALID_ARGUMENT").message).toContain("the plan is for 20 x 4 in 3");
  });

  it("too many iterations for the depth", () => {
    expect(expectFheError(() => planSoftmaxTraining(params, task, { ...smallSoftmaxOptions, iterations: 3 }), "INVALID_ARGUMENT", "plan softmax training").message)
      .toContain("3 iterations need 22 levels (2 + 10 per iteration after the first: exp of degree 7, 1/S of depth 3) and the parameters have 12: 2 fit");
  });

  it("bad options", () => {
    expect(expectFheError(() => trainSoftmaxPlain(task, { iterations: 0 }, 512)).message).toContain("iterations must be an integer in [1, 1000]");
    expect(expectFheError(() => trainSoftmaxPlain(task, { iterations: 2, sumInterval: [1.5, 4] }, 512)).message).toContain("sumInterval must be [a, b] with 0 < a < 1 < b");
    expect(expectFheError(() => trainSoftmaxPlain(task, { iterations: 2, logitBound: -1 }, 512)).message).toContain("logitBound must be a number B in (0, 64]");
    expect(expectFheError(() => trainSoftmaxPlain(task, { iterations: 2, stepScale: Number.NaN }, 512)).message).toContain("stepScale must be a positive number");
  });
});
