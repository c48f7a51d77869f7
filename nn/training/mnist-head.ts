// The 10-class MNIST head as a training task (HETAL-style transfer learning): the features are
// the outputs of a plaintext-trained body (the shipped CryptoNets model without its last dense
// layer: 100 squared activations per image), computed in float64 by the layers' plaintext
// twins, then divided by each feature's largest value on the training set so that they lie in
// [0, 1] there (test features may exceed 1 slightly).

import type { Dataset } from "../data/mnist.js";
import { FheError } from "../../engine/ring/errors.js";
import type { Sequential } from "../sequential.js";
import type { MulticlassTask } from "./multiclass-task.js";

/** Features of every image: the model's layers but the last, in float64 (count x width, row-major). */
export function bodyFeatures(model: Sequential, dataset: Dataset): { rows: Float64Array; width: number } {
  const body = model.layers.slice(0, -1);
  if (body.length === 0) throw new FheError("INVALID_ARGUMENT", "compute body features", "the model needs a body before its last layer");
  const size = dataset.rows * dataset.columns;
  const width = body.at(-1)!.outputShape.reduce((a, b) => a * b, 1);
  const rows = new Float64Array(dataset.count * width);
  for (let i = 0; i < dataset.count; i++) {
    let x: Float64Array = Float64Array.from(dataset.images.subarray(i * size, (i + 1) * size));
    for (const layer of body) x = layer.forwardPlain(x);
    rows.set(x, i * width);
  }
  return { rows, width };
}

/**
 * The head tasks of a body and a train/test split: features scaled by the training set's
 * per-feature maximum (a feature that is 0 on every training image stays 0), labels 0..9.
 */
export function mnistHeadTasks(model: Sequential, train: Dataset, test: Dataset): { train: MulticlassTask; test: MulticlassTask } {
  const trainFeatures = bodyFeatures(model, train);
  const testFeatures = bodyFeatures(model, test);
  const d = trainFeatures.width;
  const max = new Float64Array(d);
  trainFeatures.rows.forEach((v, k) => {
    max[k % d] = Math.max(max[k % d]!, Math.abs(v));
  });
  const task = (name: string, rows: Float64Array, labels: Uint8Array): MulticlassTask => ({
    name, samples: labels.length, features: d, classes: 10,
    rows: rows.map((v, k) => (max[k % d]! > 0 ? v / max[k % d]! : 0)), labels,
  });
  return { train: task("mnist-head", trainFeatures.rows, train.labels), test: task("mnist-head", testFeatures.rows, test.labels) };
}
