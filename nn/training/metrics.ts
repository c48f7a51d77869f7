// Evaluation of trained weights on a task: accuracy and the area under the ROC curve.

import { auroc } from "../metrics.js";
import { checkTask, type TrainingTask } from "./task.js";
import { FheError } from "../../engine/ring/errors.js";

/** w . (x, 1) for every sample (weights: d + 1, bias last). */
export function scores(weights: ArrayLike<number>, task: TrainingTask): Float64Array {
  const operation = "score samples";
  checkTask(task, operation);
  if (weights.length !== task.features + 1) throw new FheError("INVALID_ARGUMENT", operation, `expected ${task.features + 1} weights (features and bias), got ${weights.length}`);
  const d = task.features;
  return Float64Array.from({ length: task.samples }, (_, i) => {
    let s = weights[d]!;
    for (let j = 0; j < d; j++) s += weights[j]! * task.rows[i * d + j]!;
    return s;
  });
}

/** Fraction of samples with (score > 0) = label. */
export function accuracy(weights: ArrayLike<number>, task: TrainingTask): number {
  const s = scores(weights, task);
  let correct = 0;
  s.forEach((score, i) => {
    if ((score > 0 ? 1 : 0) === task.labels[i]) correct++;
  });
  return correct / task.samples;
}

/** Area under the ROC curve (ties count one half); NaN when one class is absent. */
export function auc(weights: ArrayLike<number>, task: TrainingTask): number {
  return auroc(scores(weights, task), task.labels);
}
