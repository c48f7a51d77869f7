// Packing of a multiclass task for softmax training: the blocks of the logistic-regression
// layout (layout.ts: sample s of ciphertext k in slots [s f, s f + f), features then the bias 1,
// the last slot of every block zero, so a rotate-and-sum of a block's products leaves the next
// block's inner product in that slot), without the label's sign, plus one label ciphertext per
// data ciphertext. Weights: one ciphertext per class, W_c replicated in every block.
//
// Labels: the one-hot y_s of sample s sits in block s + 1 (cyclically), at offsets 0..C-1.
// Masked to offset c and rotated left by c + 1, y_sc lands at the last slot of block s, where a
// rotate-and-sum replicates it over block s: the block of sample s.

import { FheError } from "../../engine/ring/errors.js";
import { trainingLayout, type TrainingLayout } from "./layout.js";
import type { MulticlassTask } from "./multiclass-task.js";

export interface SoftmaxLayout extends TrainingLayout {
  readonly classes: number;
}

/** The packing of `samples` x `features` with `classes` classes; throws when a sample or its one-hot label does not fit a block. */
export function softmaxLayout(slots: number, samples: number, features: number, classes: number): SoftmaxLayout {
  const blocks = trainingLayout(slots, samples, features, 1);
  if (classes >= blocks.blockSize) {
    throw new FheError("INVALID_ARGUMENT", "pack training data",
      `${classes} classes need blocks of more than ${classes} slots and ${features} features give blocks of ${blocks.blockSize}; use fewer classes or pad the features`);
  }
  // Real parts only (one sample per block): the softmax's rotations act on single samples.
  const samplesPerSet = blocks.blocksPerCiphertext;
  const sets = Math.ceil(samples / samplesPerSet);
  return { ...blocks, samplesPerSet, sets, ciphertexts: sets, classes };
}

/** The slot values of data ciphertext `k`: (x_s, 1) in block s, zeros elsewhere (and in blocks past the last sample). */
export function packFeatures(layout: SoftmaxLayout, task: MulticlassTask, k: number): Float64Array {
  const values = new Float64Array(layout.slots);
  const first = k * layout.samplesPerSet;
  const count = Math.min(layout.samplesPerSet, task.samples - first);
  const d = task.features;
  for (let s = 0; s < count; s++) {
    const offset = s * layout.blockSize;
    values.set(task.rows.subarray((first + s) * d, (first + s + 1) * d), offset);
    values[offset + d] = 1;
  }
  return values;
}

/** The slot values of label ciphertext `k`: the one-hot label of sample s at offsets 0..C-1 of block s + 1 (cyclically). */
export function packLabels(layout: SoftmaxLayout, task: MulticlassTask, k: number): Float64Array {
  const values = new Float64Array(layout.slots);
  const first = k * layout.samplesPerSet;
  const count = Math.min(layout.samplesPerSet, task.samples - first);
  for (let s = 0; s < count; s++) {
    const block = (s + 1) % layout.samplesPerSet;
    values[block * layout.blockSize + task.labels[first + s]!] = 1;
  }
  return values;
}
