// Binary-classification metrics of scores against labels: accuracy, precision, recall, F1 at a
// threshold, and the area under the ROC curve (rank statistic, ties counted half).

import { describe } from "../engine/ring/errors.js";
import { requireModel } from "./errors.js";

export interface BinaryMetrics {
  readonly count: number;
  readonly accuracy: number;
  /** Of the samples predicted positive, the fraction that are (1 when none is predicted positive). */
  readonly precision: number;
  /** Of the positive samples, the fraction predicted positive (1 when there is none). */
  readonly recall: number;
  readonly f1: number;
  /** P(score of a random positive > score of a random negative), ties 1/2; NaN without both classes. */
  readonly auroc: number;
}

function check(scores: ArrayLike<number>, labels: ArrayLike<number>, operation: string): void {
  requireModel(scores !== null && typeof scores === "object" && labels !== null && typeof labels === "object" && scores.length === labels.length && scores.length > 0,
    operation, `expected equally long, non-empty score and label arrays, got ${describe(scores)} and ${describe(labels)}`);
  for (let i = 0; i < labels.length; i++) {
    requireModel(labels[i] === 0 || labels[i] === 1, operation, `label ${i} must be 0 or 1, got ${describe(labels[i])}`);
    requireModel(Number.isFinite(scores[i]), operation, `score ${i} must be a finite number, got ${describe(scores[i])}`);
  }
}

/** Area under the ROC curve of `scores` (higher: more likely positive) for labels in {0, 1}. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(scores, labels, "compute AUROC");
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Mann–Whitney: sum of the positives' ranks (average ranks over ties).
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]!] === 1) { rankSum += rank; positives++; }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The metrics of predicting "positive" when score > threshold. */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): BinaryMetrics {
  check(scores, labels, "compute binary metrics");
  requireModel(Number.isFinite(threshold), "compute binary metrics", `threshold must be a finite number, got ${describe(threshold)}`);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i]! > threshold ? 1 : 0;
    if (predicted === labels[i]) correct++;
    if (predicted === 1 && labels[i] === 1) tp++;
    else if (predicted === 1) fp++;
    else if (labels[i] === 1) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { count: scores.length, accuracy: correct / scores.length, precision, recall, f1, auroc: auroc(scores, labels) };
}
