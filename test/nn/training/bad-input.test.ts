import { describe, expect, it } from "vitest";
import { Encoder, Encryptor, KeyGenerator, Parameters } from "../../../engine/index.js";
import { encryptTask, planLogisticRegression, trainPlain, type TrainingTask } from "../../../nn/index.js";
import { expectFheError } from "../../helpers/ckks.js";
import { smallLiteral, syntheticTask } from "./helpers.js";

const params = Parameters.create(smallLiteral(5));

function withRow(task: TrainingTask, index: number, value: number): TrainingTask {
  const rows = task.rows.slice();
  rows[index] = value;
  return { ...task, rows };
}

function withLabel(task: TrainingTask, index: number, value: number): TrainingTask {
  const labels = task.labels.slice();
  labels[index] = value;
  return { ...task, labels };
}

describe("bad training input is an FheError naming the problem", () => {
  const task = syntheticTask(20, 4, 9);
  const options = { iterations: 2 };
  const plan = planLogisticRegression(params, task, options);
  const keygen = new KeyGenerator(params);
  const encryptor = new Encryptor(params, keygen.secretKey);
  const encoder = new Encoder(params);
  const encrypt = (t: TrainingTask) => encryptTask(encryptor, encoder, plan, t);

  it("labels not in {0, 1}", () => {
    for (const run of [() => encrypt(withLabel(task, 7, 2)), () => trainPlain(withLabel(task, 7, 2), options, params.maxSlots)]) {
      expect(expectFheError(run, "INVALID_ARGUMENT").message).toContain("the label of sample 7 is 2; labels must be 0 or 1");
    }
  });

  it("NaN and infinite features", () => {
    expect(expectFheError(() => encrypt(withRow(task, 4 * 3 + 2, Number.NaN)), "INVALID_ARGUMENT", "encrypt training data").message)
      .toContain("feature 2 of sample 3 is NaN");
    expect(expectFheError(() => trainPlain(withRow(task, 5, Infinity), options, params.maxSlots), "INVALID_ARGUMENT").message)
      .toContain("feature 1 of sample 1 is Infinity");
  });

  it("rows and labels of the wrong size or type", () => {
    expect(expectFheError(() => encrypt({ ...task, rows: task.rows.subarray(1) }), "INVALID_ARGUMENT").message).toContain("80 values");
    expect(expectFheError(() => encrypt({ ...task, labels: Array.from(task.labels) as unknown as Uint8Array }), "INVALID_ARGUMENT").message).toContain("labels must be a Uint8Array");
    expect(expectFheError(() => encrypt({ ...task, samples: 0 }), "INVALID_ARGUMENT").message).toContain("samples must be a positive integer");
    expect(expectFheError(() => encrypt(syntheticTask(21, 4, 9)), "INVALID_ARGUMENT").message).toContain("the plan is for 20 x 4");
  });

  it("more features than slots in one feature group (by default they are split into groups)", () => {
    expect(expectFheError(() => trainPlain(syntheticTask(2, 600, 1), { ...options, featureGroups: 1 }, params.maxSlots), "INVALID_ARGUMENT", "pack training data").message)
      .toContain("600 features need blocks of 1024 slots");
    expect(expectFheError(() => trainPlain(syntheticTask(2, 600, 1), { ...options, featureGroups: 602 }, params.maxSlots), "INVALID_ARGUMENT", "pack training data").message)
      .toContain("featureGroups must be an integer in [1, 601]");
    expect(trainPlain(syntheticTask(2, 600, 1), options, params.maxSlots).weights).toHaveLength(601);
  });

  it("too many iterations for the depth", () => {
    expect(expectFheError(() => planLogisticRegression(params, task, { iterations: 3 }), "INVALID_ARGUMENT", "plan logistic regression").message)
      .toContain("3 iterations need 9 levels (1 + 4 per iteration after the first) and the parameters have 5: 2 fit");
  });

  it("bad options", () => {
    expect(expectFheError(() => trainPlain(task, { iterations: 0 }, 512)).message).toContain("iterations must be an integer in [1, 1000]");
    expect(expectFheError(() => trainPlain(task, { iterations: 2, batch: 1.5 }, 512)).message).toContain("batch must be a positive integer");
    expect(expectFheError(() => trainPlain(task, { iterations: 2, interval: -1 }, 512)).message).toContain("interval must be a positive number");
    expect(expectFheError(() => trainPlain(task, { iterations: 2, stepScale: Number.NaN }, 512)).message).toContain("stepScale must be a positive number");
    expect(expectFheError(() => trainPlain(task, { iterations: 2, shards: 0 }, 512)).message).toContain("shards must be an integer in [1, 1024]");
    expect(expectFheError(() => trainPlain(task, { iterations: 2, featureGroups: -1 }, 512)).message).toContain("featureGroups must be a positive integer");
  });
});
