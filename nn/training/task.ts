// A binary classification task for encrypted training: a feature matrix (samples x features,
// row-major float64) and labels in {0, 1}. Any dataset plugs in through this one shape.

import { describe, FheError } from "../../engine/ring/errors.js";

/** samples x features values, row after row, with one label in {0, 1} per row. */
export interface TrainingTask {
  /** A short name for reports ("mnist38"). */
  readonly name: string;
  readonly samples: number;
  readonly features: number;
  /** samples · features finite values, row-major. A bias column is added by the packing, not here. */
  readonly rows: Float64Array;
  /** samples labels, each 0 or 1. */
  readonly labels: Uint8Array;
}

/**
 * Throws INVALID_ARGUMENT unless `task` is a well-formed {@link TrainingTask}: positive integer
 * sizes, `rows` of samples · features finite numbers, labels 0 or 1. `operation` names the caller.
 */
export function checkTask(task: TrainingTask, operation: string): void {
  checkRows(task, operation);
  for (let i = 0; i < task.samples; i++) {
    if (task.labels[i] !== 0 && task.labels[i] !== 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `the label of sample ${i} is ${task.labels[i]}; labels must be 0 or 1 (logistic regression is binary)`);
    }
  }
}

/**
 * Throws INVALID_ARGUMENT unless `task` has positive integer sizes, `rows` of samples · features
 * finite numbers and a Uint8Array of `samples` labels (their values are the caller's to check).
 */
export function checkRows(task: Pick<TrainingTask, "samples" | "features" | "rows" | "labels">, operation: string): void {
  if (task === null || typeof task !== "object") throw new FheError("INVALID_ARGUMENT", operation, `the task must be an object { name, samples, features, rows, labels }, got ${describe(task)}`);
  const { samples, features, rows, labels } = task;
  for (const [what, value] of [["samples", samples], ["features", features]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new FheError("INVALID_ARGUMENT", operation, `the task's ${what} must be a positive integer, got ${describe(value)}`);
  }
  if (!(rows instanceof Float64Array) || rows.length !== samples * features) {
    throw new FheError("INVALID_ARGUMENT", operation, `the task's rows must be a Float64Array of samples · features = ${samples * features} values, got ${describe(rows)}${rows instanceof Float64Array ? ` of length ${rows.length}` : ""}`);
  }
  if (!(labels instanceof Uint8Array) || labels.length !== samples) {
    throw new FheError("INVALID_ARGUMENT", operation, `the task's labels must be a Uint8Array of ${samples} values, got ${describe(labels)}`);
  }
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i])) {
      throw new FheError("INVALID_ARGUMENT", operation, `feature ${i % features} of sample ${Math.floor(i / features)} is ${describe(rows[i])}; every feature must be a finite number`);
    }
  }
}

/** The samples [start, start + count) of a task as a task of their own (views, no copy). */
export function sliceTask(task: TrainingTask, start: number, count: number): TrainingTask {
  return {
    name: task.name, samples: count, features: task.features,
    rows: task.rows.subarray(start * task.features, (start + count) * task.features),
    labels: task.labels.subarray(start, start + count),
  };
}

/** Per-feature mean and standard deviation of a task's rows (sd 1 for a constant feature). */
export interface FeatureScaling {
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/** The data owner's standardization statistics of `task` (checked like any task). */
export function featureScaling(task: TrainingTask): FeatureScaling {
  checkTask(task, "compute feature scaling");
  const { samples, features: d, rows } = task;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < samples; i++) for (let j = 0; j < d; j++) mean[j]! += rows[i * d + j]! / samples;
  for (let i = 0; i < samples; i++) for (let j = 0; j < d; j++) sd[j]! += (rows[i * d + j]! - mean[j]!) ** 2 / samples;
  // A feature constant up to rounding keeps sd 1 (it is only centred).
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) > 1e-9 * (1 + Math.abs(mean[j]!)) ? Math.sqrt(sd[j]!) : 1;
  return { mean, sd };
}

/**
 * The task with every feature standardized, (x - mean) / sd, by `scaling` (computed on the
 * training set and applied to training and test sets alike). A new task.
 */
export function standardizeTask(task: TrainingTask, scaling: FeatureScaling): TrainingTask {
  const operation = "standardize features";
  checkTask(task, operation);
  const { mean, sd } = scaling;
  if (!(mean instanceof Float64Array) || !(sd instanceof Float64Array) || mean.length !== task.features || sd.length !== task.features || sd.some((s) => !(s > 0))) {
    throw new FheError("INVALID_ARGUMENT", operation, `the scaling must hold ${task.features} means and positive standard deviations (featureScaling of the training set)`);
  }
  const d = task.features;
  const rows = task.rows.map((x, k) => (x - mean[k % d]!) / sd[k % d]!);
  return { ...task, rows, labels: task.labels.slice() };
}
