// The 10-class MNIST head as a training task (HETAL-style transfer learning): the features are
// the outputs of a plaintext-trained body (the shipped CryptoNets model without its last dense
// layer: 100 squared activations per image), computed in float64 by the layers' plaintext
// twins, then scaled to unit Euclidean norm image by image.

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
 * The head tasks of a body and a train/test split: every feature vector divided by its Euclidean
 * norm (a per-image map, no dataset statistics: |W_c . x| <= |W_c| whatever the samples), labels 0..9.
 */
export function mnistHeadTasks(model: Sequential, train: Dataset, test: Dataset): { train: MulticlassTask; test: MulticlassTask } {
  const task = (dataset: Dataset): MulticlassTask => {
    const { rows, width } = bodyFeatures(model, dataset);
    for (let i = 0; i < dataset.count; i++) {
      const row = rows.subarray(i * width, (i + 1) * width);
      const norm = Math.hypot(...row);
      if (norm > 0) row.forEach((v, j) => { row[j] = v / norm; });
    }
    return { name: "mnist-head", samples: dataset.count, features: width, classes: 10, rows, labels: dataset.labels };
  };
  return { train: task(train), test: task(test) };
}
