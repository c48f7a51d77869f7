// A multiclass classification task for encrypted softmax training: a feature matrix (samples x
// features, row-major float64) and one label in 0..classes-1 per row.

import { describe, FheError } from "../../engine/ring/errors.js";
import { checkRows } from "./task.js";

/** Most classes a softmax head takes (one weight ciphertext per class). */
export const maxClasses = 64;

/** samples x features values, row after row, with one label in [0, classes) per row. */
export interface MulticlassTask {
  /** A short name for reports ("mnist-head"). */
  readonly name: string;
  readonly samples: number;
  readonly features: number;
  /** C >= 2. */
  readonly classes: number;
  /** samples · features finite values, row-major. A bias column is added by the packing, not here. */
  readonly rows: Float64Array;
  /** samples labels, each in [0, classes). */
  readonly labels: Uint8Array;
}

/**
 * Throws INVALID_ARGUMENT unless `task` is a well-formed {@link MulticlassTask}: the shape checks
 * of a binary task, 2 to {@link maxClasses} classes, every label in [0, classes).
 */
export function checkMulticlassTask(task: MulticlassTask, operation: string): void {
  checkRows(task, operation);
  const { classes } = task;
  if (!Number.isSafeInteger(classes) || classes < 2 || classes > maxClasses) {
    throw new FheError("INVALID_ARGUMENT", operation, `the task's classes must be an integer in [2, ${maxClasses}], got ${describe(classes)}`);
  }
  for (let i = 0; i < task.samples; i++) {
    if (task.labels[i]! >= classes) {
      throw new FheError("INVALID_ARGUMENT", operation, `the label of sample ${i} is ${task.labels[i]}; labels must be classes in [0, ${classes - 1}]`);
    }
  }
}

/** The samples [start, start + count) of a task as a task of their own (views, no copy). */
export function sliceMulticlassTask(task: MulticlassTask, start: number, count: number): MulticlassTask {
  return {
    ...task, samples: count,
    rows: task.rows.subarray(start * task.features, (start + count) * task.features),
    labels: task.labels.subarray(start, start + count),
  };
}

/** Fraction of samples whose largest score W_c . (x, 1) is at their label (weights[c]: features + 1, bias last). */
export function multiclassAccuracy(weights: readonly ArrayLike<number>[], task: MulticlassTask): number {
  const operation = "score samples";
  checkMulticlassTask(task, operation);
  if (weights.length !== task.classes || weights.some((w) => w.length !== task.features + 1)) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected ${task.classes} weight vectors of ${task.features + 1} values (features and bias)`);
  }
  const d = task.features;
  let correct = 0;
  for (let i = 0; i < task.samples; i++) {
    let best = 0;
    let bestScore = -Infinity;
    weights.forEach((w, c) => {
      let s = w[d]!;
      for (let j = 0; j < d; j++) s += w[j]! * task.rows[i * d + j]!;
      if (s > bestScore) [best, bestScore] = [c, s];
    });
    if (best === task.labels[i]) correct++;
  }
  return correct / task.samples;
}
