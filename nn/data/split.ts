// A fixed, seeded, stratified train/test split: each class is split in the same proportion,
// so a held-out set keeps the class balance of the whole. No Node API.

import { checkOptions, describe, FheError, isInteger } from "../../engine/ring/errors.js";
import { SeededRandom } from "../random.js";

export interface SplitOptions {
  /** Fraction of each class held out for testing: a number in (0, 1). Default 0.2. */
  readonly testFraction?: number;
  /** Seed of the generator: an integer in [0, 2^32). The same seed gives the same split. */
  readonly seed: number;
}

/** Indices into the labels, each array sorted ascending; together they hold every index once. */
export interface TrainTestSplit {
  readonly train: Uint32Array;
  readonly test: Uint32Array;
}

const operation = "split the data set";

/**
 * Splits the items 0..labels.length-1 into train and test sets. A class (a label value) of
 * n items puts Math.round(n · testFraction) of them (float64 product, halves rounded up) in the
 * test set, chosen by a uniformly random permutation of the class's items. The permutations
 * come from one mulberry32 generator ({@link SeededRandom}) seeded with `seed`, drawn class by
 * class in ascending label order, so a split depends only on the labels, the fraction and the
 * seed. `labels`: an array or typed array of at least one non-negative integer (class ids).
 * Bad arguments are INVALID_ARGUMENT.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions): TrainTestSplit {
  const classes = groupByClass(labels);
  checkOptions(options, operation);
  if (options === undefined) throw new FheError("INVALID_ARGUMENT", operation, "options { seed } are required: the seed fixes the split");
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== "number" || !(testFraction > 0 && testFraction < 1)) {
    throw new FheError("INVALID_ARGUMENT", operation, `testFraction must be a number in (0, 1), got ${describe(testFraction)}`);
  }
  const seed = options.seed;
  if (!isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new FheError("INVALID_ARGUMENT", operation, `seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  }
  const random = new SeededRandom(seed);
  const inTest = new Uint8Array(labels.length);
  let testCount = 0;
  for (const members of classes) {
    const order = random.permutation(members.length);
    const take = Math.round(members.length * testFraction);
    for (let k = 0; k < take; k++) inTest[members[order[k]!]!] = 1;
    testCount += take;
  }
  const train = new Uint32Array(labels.length - testCount);
  const test = new Uint32Array(testCount);
  let trainAt = 0;
  let testAt = 0;
  for (let i = 0; i < labels.length; i++) {
    if (inTest[i] === 1) test[testAt++] = i;
    else train[trainAt++] = i;
  }
  return { train, test };
}

/** The item indices of each class, classes in ascending label order, indices ascending. */
function groupByClass(labels: ArrayLike<number>): number[][] {
  const isList = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!isList || labels.length === 0) {
    throw new FheError("INVALID_ARGUMENT", operation, `labels must be a non-empty array of class ids, got ${describe(labels)}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label: unknown = labels[i];
    if (!isInteger(label) || label < 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `labels[${i}] is ${describe(label)}, expected a non-negative integer class id`);
    }
    const members = byClass.get(label);
    if (members === undefined) byClass.set(label, [i]);
    else members.push(i);
  }
  return [...byClass.keys()].sort((a, b) => a - b).map((label) => byClass.get(label)!);
}
