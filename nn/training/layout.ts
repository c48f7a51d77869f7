// HELR packing of a training task: one ciphertext holds 2 slots / f samples in blocks of f
// slots, each sample as z = y' (x_1 .. x_d, 1) with y' = 2 y - 1 in {-1, +1} (features, then the
// bias column, then zeros): with B = slots / f blocks, samples c 2B + s in the real parts and
// c 2B + B + s in the imaginary parts of block s of ciphertext c. f is the smallest power of two
// above d + 1, so the last slot of every block stays zero: the rotate-and-sum of a block then
// leaves the next block's inner product in that slot (see gradient.ts). Weights use the same
// blocks, replicated, in the real parts.

import { FheError } from "../../engine/ring/errors.js";
import type { TrainingTask } from "./task.js";

export interface TrainingLayout {
  readonly slots: number;
  readonly samples: number;
  /** d features per sample (without the bias). */
  readonly features: number;
  /** d + 1: the weights, bias last. */
  readonly weights: number;
  /** f: a power of two >= d + 2. */
  readonly blockSize: number;
  /** B = slots / f. */
  readonly blocksPerCiphertext: number;
  /** 2 B: a sample in the real and one in the imaginary part of every block. */
  readonly samplesPerCiphertext: number;
  readonly ciphertexts: number;
}

/** The packing of `samples` x `features` into ciphertexts of `slots` slots; throws when a sample does not fit. */
export function trainingLayout(slots: number, samples: number, features: number): TrainingLayout {
  const blockSize = 2 ** Math.ceil(Math.log2(features + 2));
  if (blockSize > slots) {
    throw new FheError("INVALID_ARGUMENT", "pack training data",
      `${features} features need blocks of ${blockSize} slots (features, bias and a zero slot, rounded up to a power of two) and the parameters have ${slots} slots; use fewer features or a larger ring (logN)`);
  }
  const blocksPerCiphertext = slots / blockSize;
  const samplesPerCiphertext = 2 * blocksPerCiphertext;
  return {
    slots, samples, features, weights: features + 1, blockSize, blocksPerCiphertext, samplesPerCiphertext,
    ciphertexts: Math.ceil(samples / samplesPerCiphertext),
  };
}

/** The slot values of ciphertext `c`: z in the real and imaginary parts of its blocks (see above), zeros past the last sample. */
export function packCiphertext(layout: TrainingLayout, task: TrainingTask, c: number): { re: Float64Array; im: Float64Array } {
  const packed = { re: new Float64Array(layout.slots), im: new Float64Array(layout.slots) };
  const first = c * layout.samplesPerCiphertext;
  const count = Math.min(layout.samplesPerCiphertext, task.samples - first);
  const d = task.features;
  for (let s = 0; s < count; s++) {
    const sample = first + s;
    const sign = task.labels[sample] === 1 ? 1 : -1;
    const values = s < layout.blocksPerCiphertext ? packed.re : packed.im;
    const offset = (s % layout.blocksPerCiphertext) * layout.blockSize;
    for (let j = 0; j < d; j++) values[offset + j] = sign * task.rows[sample * d + j]!;
    values[offset + d] = sign;
  }
  return packed;
}

/** The weights (d + 1, bias last) held in the first block of decoded weight slots. */
export function unpackWeights(layout: TrainingLayout, values: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: layout.weights }, (_, j) => values[j]!);
}

/** Mask values: `value` at offset `offset` of every block, 0 elsewhere. */
export function blockOffsetMask(layout: TrainingLayout, offset: number, value: number): Float64Array {
  const values = new Float64Array(layout.slots);
  for (let s = 0; s < layout.blocksPerCiphertext; s++) values[s * layout.blockSize + offset] = value;
  return values;
}

/** Mask values: `value` at the last slot of every block, 0 elsewhere. */
export function blockEndMask(layout: TrainingLayout, value: number): Float64Array {
  return blockOffsetMask(layout, layout.blockSize - 1, value);
}
