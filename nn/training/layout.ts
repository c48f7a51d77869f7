// HELR packing of a training task, with the weights split into feature groups. Each sample is
// z = y' (x_1 .. x_d, 1) with y' = 2 y - 1 in {-1, +1} (features, then the bias column): its
// d + 1 weights are cut into g consecutive groups of w = ceil((d + 1) / g) (the last may be
// shorter), and a sample set is g ciphertexts, ciphertext j holding group j of 2 B samples in
// blocks of f slots: with B = slots / f blocks, samples c 2B + s in the real parts and
// c 2B + B + s in the imaginary parts of block s of set c. f is the smallest power of two above
// w, so the last slot of every block stays zero: the rotate-and-sum of a block then leaves the
// next block's inner product in that slot (see gradient.ts). Weights use the same blocks, one
// ciphertext per group, replicated, in the real parts.
//
// Why groups: the inner product of a sample is the sum over its groups' products (additions of
// ciphertexts, no rotation) and then a rotate-and-sum over f slots, so a set of g ciphertexts
// costs the rotations of one ciphertext with blocks g times shorter; the price is one sum over
// the blocks per group and iteration. chooseFeatureGroups weighs the two.

import { hoistedSumStages } from "../../engine/circuits/hoisted-sum.js";
import { describe, FheError } from "../../engine/ring/errors.js";
import type { TrainingTask } from "./task.js";

export interface TrainingLayout {
  readonly slots: number;
  readonly samples: number;
  /** d features per sample (without the bias). */
  readonly features: number;
  /** d + 1: the weights, bias last. */
  readonly weights: number;
  /** g: feature groups, one ciphertext each per sample set and per weight vector. */
  readonly groups: number;
  /** w = ceil((d + 1) / g): weights per group (the last group may hold fewer). */
  readonly groupWeights: number;
  /** f: a power of two >= w + 1. */
  readonly blockSize: number;
  /** B = slots / f. */
  readonly blocksPerCiphertext: number;
  /** 2 B: a sample in the real and one in the imaginary part of every block. */
  readonly samplesPerSet: number;
  /** Sample sets: ceil(samples / samplesPerSet). */
  readonly sets: number;
  /** Data ciphertexts: sets * groups; ciphertext c g + j holds group j of set c. */
  readonly ciphertexts: number;
}

const operation = "pack training data";

/** Relative cost of a rotate-and-sum over `count` slots in hoisted radix-4 stages, in key switches (measured at N = 2^16). */
function blockSumCost(count: number): number {
  return hoistedSumStages(count, 1, 4).reduce((sum, steps) => sum + 0.85 + 0.12 * steps.length, 0);
}

/**
 * Key switches of gradient.ts realBlockSums on `groups` ciphertexts, `perSum` those of one sum
 * over the blocks: per pair of groups three conjugations and a sum, an odd last group one
 * conjugation and its sum.
 */
export function realBlockSumsCost(groups: number, perSum: number): number {
  return Math.floor(groups / 2) * (3 + perSum) + (groups % 2) * (1 + perSum);
}

/**
 * Key switches of one iteration (after the first) on the busiest of `shards` shards: per set, 5
 * plus the two sums over a block and the shift; per group, a relinearization, then the groups'
 * real block sums, which every shard does for its own sets.
 */
function iterationCost(layout: TrainingLayout, shards: number): number {
  const perSet = 6 + 2 * blockSumCost(layout.blockSize);
  return Math.ceil(layout.sets / shards) * perSet + layout.groups + realBlockSumsCost(layout.groups, blockSumCost(layout.blocksPerCiphertext));
}

/**
 * The number of feature groups with the cheapest iteration (iterationCost) on `shards` shards
 * (a positive integer, default 1) among those giving every block size that fits:
 * g = ceil((d + 1) / (f - 1)) for f = 2, 4, .., slots.
 */
export function chooseFeatureGroups(slots: number, samples: number, features: number, shards = 1): number {
  let best: { groups: number; cost: number } | undefined;
  for (let blockSize = 2; blockSize <= slots; blockSize *= 2) {
    const layout = trainingLayout(slots, samples, features, Math.ceil((features + 1) / (blockSize - 1)));
    const cost = iterationCost(layout, shards);
    if (best === undefined || cost < best.cost) best = { groups: layout.groups, cost };
  }
  return best!.groups;
}

/**
 * The packing of `samples` x `features` into ciphertexts of `slots` slots with `groups` feature
 * groups (default chooseFeatureGroups for `shards` shards); throws INVALID_ARGUMENT when a group
 * does not fit a ciphertext or `groups` is not an integer in [1, d + 1].
 */
export function trainingLayout(slots: number, samples: number, features: number, groups?: number, shards = 1): TrainingLayout {
  const weights = features + 1;
  const g = groups ?? chooseFeatureGroups(slots, samples, features, shards);
  if (!Number.isSafeInteger(g) || g < 1 || g > weights) {
    throw new FheError("INVALID_ARGUMENT", operation, `featureGroups must be an integer in [1, ${weights}] (the weights, bias included), got ${describe(groups)}`);
  }
  const groupWeights = Math.ceil(weights / g);
  const blockSize = 2 ** Math.ceil(Math.log2(groupWeights + 1));
  if (blockSize > slots) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `${features} features${g === 1 ? "" : ` in ${g} groups`} need blocks of ${blockSize} slots (a group's features and bias and a zero slot, rounded up to a power of two) and the parameters have ${slots} slots; use more feature groups (logistic regression: featureGroups), fewer features or a larger ring (logN)`);
  }
  const blocksPerCiphertext = slots / blockSize;
  const samplesPerSet = 2 * blocksPerCiphertext;
  const sets = Math.ceil(samples / samplesPerSet);
  return { slots, samples, features, weights, groups: g, groupWeights, blockSize, blocksPerCiphertext, samplesPerSet, sets, ciphertexts: sets * g };
}

/** The weights [first, end) of group `group`. */
export function groupRange(layout: TrainingLayout, group: number): { first: number; end: number } {
  const first = group * layout.groupWeights;
  return { first, end: Math.min(layout.weights, first + layout.groupWeights) };
}

/** The slot values of data ciphertext `index` (set floor(index / g), group index mod g): z in the real and imaginary parts of its blocks (see above), zeros past the last sample. */
export function packCiphertext(layout: TrainingLayout, task: TrainingTask, index: number): { re: Float64Array; im: Float64Array } {
  const packed = { re: new Float64Array(layout.slots), im: new Float64Array(layout.slots) };
  const set = Math.floor(index / layout.groups);
  const { first: firstWeight, end } = groupRange(layout, index % layout.groups);
  const first = set * layout.samplesPerSet;
  const count = Math.min(layout.samplesPerSet, task.samples - first);
  const d = task.features;
  for (let s = 0; s < count; s++) {
    const sample = first + s;
    const sign = task.labels[sample] === 1 ? 1 : -1;
    const values = s < layout.blocksPerCiphertext ? packed.re : packed.im;
    const offset = (s % layout.blocksPerCiphertext) * layout.blockSize - firstWeight;
    for (let j = firstWeight; j < end; j++) values[offset + j] = sign * (j === d ? 1 : task.rows[sample * d + j]!);
  }
  return packed;
}

/** The weights (d + 1, bias last) held in the first block of each group's decoded weight slots. */
export function unpackWeights(layout: TrainingLayout, groupValues: readonly ArrayLike<number>[]): Float64Array {
  if (groupValues.length !== layout.groups) throw new FheError("INVALID_ARGUMENT", "decrypt weights", `expected ${layout.groups} weight ciphertexts (one per feature group), got ${groupValues.length}`);
  const weights = new Float64Array(layout.weights);
  groupValues.forEach((values, group) => {
    const { first, end } = groupRange(layout, group);
    for (let j = first; j < end; j++) weights[j] = values[j - first]!;
  });
  return weights;
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
