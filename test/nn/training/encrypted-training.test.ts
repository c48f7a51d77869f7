import { describe, expect, it } from "vitest";
import { accuracy, trainPlain } from "../../../nn/index.js";
import { maxDifference, runEncrypted, smallLiteral, syntheticTask } from "./helpers.js";

describe("encrypted logistic regression equals its float64 twin", () => {
  it("full batch, 3 iterations, 2 ciphertexts", async () => {
    const task = syntheticTask(100, 6, 1);
    const options = { iterations: 3, stepScale: 4 };
    const run = await runEncrypted(smallLiteral(9), task, options);
    const twin = trainPlain(task, options, 512);
    console.log(run.weights, twin.weights, maxDifference(run.weights, twin.weights), twin.maxInnerProduct, run.levels, accuracy(twin.weights, task), accuracy(run.weights, task));
    expect(maxDifference(run.weights, twin.weights)).toBeLessThan(1e-3);
  });
});
