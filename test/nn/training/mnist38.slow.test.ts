// N = 2^16 at 128-bit security (trainingLiteral(10)): 10 encrypted iterations on the first 128
// MNIST 3-vs-8 training images (one ciphertext) against the float64 twin. About 3 minutes.
import { describe, expect, it } from "vitest";
import { loadMnist } from "../../../nn/data/mnist.js";
import { accuracy, mnist38Task, sliceTask, trainingLiteral, trainPlain } from "../../../nn/index.js";
import { maxDifference, runEncrypted } from "./helpers.js";

describe("MNIST 3-vs-8 at N = 2^16", () => {
  it("10 iterations on 128 images: weights within 2^-8 of the twin, the same test accuracy within 0.5 points", async () => {
    const train = sliceTask(mnist38Task(loadMnist({ split: "train" })), 0, 128);
    const test = mnist38Task(loadMnist({ split: "test" }));
    const options = { iterations: 10 };
    const run = await runEncrypted(trainingLiteral(10), train, options);
    const twin = trainPlain(train, options, 2 ** 15);
    const difference = maxDifference(run.weights, twin.weights);
    console.log(`max weight difference ${difference.toExponential(2)}, max |z.v| ${twin.maxInnerProduct.toFixed(2)}, test accuracy ${accuracy(run.weights, test)} / ${accuracy(twin.weights, test)}`);
    expect(run.level).toBe(0);
    expect(difference).toBeLessThan(2 ** -8);
    expect(Math.abs(accuracy(run.weights, test) - accuracy(twin.weights, test))).toBeLessThanOrEqual(0.005);
  }, 1_800_000);
});
