// What every iteration of softmax (multinomial logistic regression) training does, shared by the
// encrypted trainer and its float64 twin: the softmax's exp polynomial and inverse (those of a
// Soft-Argmax layer, nn/layers/soft-argmax.ts, on the stated intervals), and Nesterov's steps
// (schedule.ts: the same momentum and decaying step as the logistic-regression trainer).
//
// Gradient ascent on the log-likelihood of softmax(W x~), x~ = (x, 1), from W = 0:
//   w_{t+1,c} = v_{t,c} + (alpha_t / n) sum_i (y_ic - p_ic) x~_i,  p_i = softmax approximated:
//   p_ic = e(l_ic) r(S_i),  l_ic = v_{t,c} . x~_i,  S_i = sum_c e(l_ic),
// with e the minimax polynomial of exp(l) / C on [-B, B] and r Goldschmidt's 1/S on the sum
// interval. The logits are not centred: sum_c W_c stays 0 up to the inverse's error (the
// gradients of the classes add up to sum_i (1 - S_i r_i) x~_i), so the logits' mean is ~0 and
// S >= 1 (Jensen) but for that error.

import { describe, FheError } from "../../engine/ring/errors.js";
import { SoftArgmax } from "../layers/soft-argmax.js";
import { maxClasses } from "./multiclass-task.js";

/** Options of a softmax training run (encrypted and twin alike). */
export interface SoftmaxTrainingOptions {
  /** Nesterov iterations K, a positive integer. */
  readonly iterations: number;
  /** a in the step a / (t + 1) (default 32; see README for how it was chosen). */
  readonly stepScale?: number;
  /** B: exp is approximated on [-B, B] (default 4); every logit must stay inside. */
  readonly logitBound?: number;
  /** Degree of the exp polynomial (default 7: 3 levels). */
  readonly expDegree?: number;
  /** [a, b], 0 < a < 1 < b: where the sums S = sum_c e(l_c) lie (default [0.5, 4]). */
  readonly sumInterval?: readonly [number, number];
  /** Relative precision of 1/S (default 1e-2: a degree-7 polynomial on the default interval, 3 levels). */
  readonly inversePrecision?: number;
}

export const defaultSoftmaxStepScale = 32;
export const defaultLogitBound = 4;
export const defaultExpDegree = 7;
export const defaultSumInterval: readonly [number, number] = [0.5, 4];
export const defaultInversePrecision = 1e-2;

/** The options with defaults filled in, checked. */
export interface CheckedSoftmaxOptions {
  readonly iterations: number;
  readonly stepScale: number;
  readonly logitBound: number;
  readonly expDegree: number;
  readonly sumInterval: readonly [number, number];
  readonly inversePrecision: number;
  /** Full batch only: every iteration uses every sample. */
  readonly batch: undefined;
}

/** Checks the options (INVALID_ARGUMENT naming the field) and fills in the defaults. */
export function checkSoftmaxOptions(options: SoftmaxTrainingOptions, operation: string): CheckedSoftmaxOptions {
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object such as { iterations: 4 }, got ${describe(options)}`);
  const {
    iterations, stepScale = defaultSoftmaxStepScale, logitBound = defaultLogitBound, expDegree = defaultExpDegree,
    sumInterval = defaultSumInterval, inversePrecision = defaultInversePrecision,
  } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 1000) {
    throw new FheError("INVALID_ARGUMENT", operation, `iterations must be an integer in [1, 1000], got ${describe(iterations)}`);
  }
  if (typeof stepScale !== "number" || !(stepScale > 0 && stepScale < 1e6)) throw new FheError("INVALID_ARGUMENT", operation, `stepScale must be a positive number, got ${describe(stepScale)}`);
  if (typeof logitBound !== "number" || !(logitBound > 0 && logitBound <= 64)) {
    throw new FheError("INVALID_ARGUMENT", operation, `logitBound must be a number B in (0, 64] (exp is approximated on [-B, B]), got ${describe(logitBound)}`);
  }
  if (!Number.isSafeInteger(expDegree) || expDegree < 2 || expDegree > 63) throw new FheError("INVALID_ARGUMENT", operation, `expDegree must be an integer in [2, 63], got ${describe(expDegree)}`);
  if (!Array.isArray(sumInterval) || sumInterval.length !== 2 || !(sumInterval[0] > 0 && sumInterval[0] < 1 && sumInterval[1] > 1 && sumInterval[1] < 1e6)) {
    throw new FheError("INVALID_ARGUMENT", operation, `sumInterval must be [a, b] with 0 < a < 1 < b (the sums are ~1 or more), got ${describe(sumInterval)}`);
  }
  if (typeof inversePrecision !== "number" || !(inversePrecision > 0 && inversePrecision < 0.5)) {
    throw new FheError("INVALID_ARGUMENT", operation, `inversePrecision must be in (0, 0.5), got ${describe(inversePrecision)}`);
  }
  return { iterations, stepScale, logitBound, expDegree, sumInterval: [sumInterval[0], sumInterval[1]], inversePrecision, batch: undefined };
}

/**
 * The softmax of `classes` classes (3 to maxClasses; two classes are logistic regression) as a
 * Soft-Argmax layer returning probabilities at temperature 1: its polynomial e and inverse plan r.
 */
export function softmaxLayer(classes: number, options: CheckedSoftmaxOptions, operation: string): SoftArgmax {
  if (!Number.isSafeInteger(classes) || classes < 3 || classes > maxClasses) {
    throw new FheError("INVALID_ARGUMENT", operation, `a softmax head takes 3 to ${maxClasses} classes (two classes: use logistic regression), got ${describe(classes)}`);
  }
  const B = options.logitBound;
  return new SoftArgmax([classes], {
    type: "softArgmax", name: "softmax", temperature: 1, output: "probabilities",
    interval: [-B, B], degree: options.expDegree, sumInterval: options.sumInterval, precision: options.inversePrecision,
  }, operation);
}
