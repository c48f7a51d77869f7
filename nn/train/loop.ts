// Training and evaluation loops over a Dataset: mini-batches in a seeded order, Adam, softmax
// cross-entropy on the logits; evaluation in inference mode with the largest |value| each
// layer produced (what the encrypted side plans its scales with).

import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data/mnist.js";
import { shiftImage } from "./augment.js";
import type { TrainableModel } from "./model.js";

/**
 * Images order[start .. start + count) as a [count, rows, columns, 1] tensor and their labels;
 * with `shifts` (two per batch item, see {@link randomShifts}) each image moved by its shift.
 */
export function batchTensors(data: Dataset, order: ArrayLike<number>, start: number, count: number, shifts?: Int8Array): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const size = data.rows * data.columns;
  const pixels = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const item = order[start + i]!;
    const image = data.images.subarray(item * size, (item + 1) * size);
    if (shifts === undefined) pixels.set(image, i * size);
    else shiftImage(image, data.rows, data.columns, shifts[2 * i]!, shifts[2 * i + 1]!, pixels, i * size);
    labels[i] = data.labels[item]!;
  }
  return { x: tf.tensor4d(pixels, [count, data.rows, data.columns, 1]), labels: tf.tensor1d(labels, "int32") };
}

export interface BatchResult {
  readonly loss: number;
  readonly correct: number;
  readonly count: number;
}

/** Number of items whose largest logit is at their label. */
function correctCount(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "int32"));
}

/**
 * One optimizer step on items order[start .. start + count) (moved by `shifts` if given):
 * returns the batch's mean loss and how many it classified right (before the step).
 */
export function trainBatch(model: TrainableModel, optimizer: tf.Optimizer, data: Dataset, order: ArrayLike<number>, start: number, count: number, shifts?: Int8Array): BatchResult {
  return tf.tidy(() => {
    const { x, labels } = batchTensors(data, order, start, count, shifts);
    let correct: tf.Scalar | undefined;
    const loss = optimizer.minimize(() => {
      const logits = model.forward(x, "train");
      correct = tf.keep(correctCount(logits, labels));
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits) as tf.Scalar;
    }, true, model.variables);
    model.commit();
    const result = { loss: loss!.dataSync()[0]!, correct: correct!.dataSync()[0]!, count };
    correct!.dispose();
    return result;
  });
}

export interface Evaluation {
  readonly accuracy: number;
  readonly correct: number;
  readonly count: number;
  /** Per layer name: the largest |value| of its output over the whole dataset. */
  readonly maxAbs: Record<string, number>;
  /** The largest |pixel| of the input. */
  readonly inputMaxAbs: number;
}

/** Accuracy of `model` (inference mode) on every item of `data`, in batches of `batchSize`. */
export function evaluate(model: TrainableModel, data: Dataset, batchSize = 500): Evaluation {
  const maxAbs: Record<string, number> = Object.fromEntries(model.layers.map((layer) => [layer.name, 0]));
  const inOrder = Uint32Array.from({ length: data.count }, (_, i) => i);
  let correct = 0;
  let inputMaxAbs = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const count = Math.min(batchSize, data.count - start);
    correct += tf.tidy(() => {
      const { x, labels } = batchTensors(data, inOrder, start, count);
      inputMaxAbs = Math.max(inputMaxAbs, tf.max(tf.abs(x)).dataSync()[0]!);
      const logits = model.forward(x, "infer", (layer, output) => {
        maxAbs[layer.name] = Math.max(maxAbs[layer.name]!, tf.max(tf.abs(output)).dataSync()[0]!);
      });
      return correctCount(logits, labels).dataSync()[0]!;
    });
  }
  return { accuracy: correct / data.count, correct, count: data.count, maxAbs, inputMaxAbs };
}
