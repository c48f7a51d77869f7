// The float64 twin of encrypted training: the same iterations (schedule.ts), the same
// polynomial in the same form, the same mini-batches, in plain arithmetic. It is the oracle of
// the tests and the reference accuracy, and it records the largest |z . v| it meets, which
// must stay inside the sigmoid polynomial's interval.

import { checkTask, type TrainingTask } from "./task.js";
import { trainingLayout } from "./layout.js";
import { checkTrainingOptions, evaluateSigmoidFactor, iterationSteps, sigmoidChoice, type TrainingOptions } from "./schedule.js";

export interface TwinResult {
  /** w_K: d + 1 weights, bias last. */
  readonly weights: Float64Array;
  /** w_t after each iteration t = 1..K. */
  readonly history: readonly Float64Array[];
  /** max |z_i . v_t| over the samples and iterations used. */
  readonly maxInnerProduct: number;
  /** The interval B: maxInnerProduct must be at most B. */
  readonly interval: number;
}

/**
 * Trains in float64 with the packing of `slots` slots and options.featureGroups and shards (they decide the mini-batches). Throws
 * like the encrypted trainer on bad input.
 */
export function trainPlain(task: TrainingTask, options: TrainingOptions, slots: number): TwinResult {
  const operation = "train logistic regression (float64 twin)";
  checkTask(task, operation);
  const checked = checkTrainingOptions(options, operation);
  const layout = trainingLayout(slots, task.samples, task.features, checked.featureGroups, checked.shards);
  const sigmoid = sigmoidChoice(checked.interval);
  const d = task.features;
  const m = d + 1;
  const v = new Float64Array(m);
  let w = new Float64Array(m);
  const history: Float64Array[] = [];
  const z = new Float64Array(m);
  let maxInnerProduct = 0;
  for (const step of iterationSteps(checked, task.samples, layout.samplesPerSet)) {
    const gradient = new Float64Array(m);
    const first = step.sets[0]! * layout.samplesPerSet;
    for (let i = first; i < first + step.samples; i++) {
      const sign = task.labels[i] === 1 ? 1 : -1;
      for (let j = 0; j < d; j++) z[j] = sign * task.rows[i * d + j]!;
      z[d] = sign;
      let dot = 0;
      for (let j = 0; j < m; j++) dot += z[j]! * v[j]!;
      maxInnerProduct = Math.max(maxInnerProduct, Math.abs(dot));
      const factor = evaluateSigmoidFactor(sigmoid, dot);
      for (let j = 0; j < m; j++) gradient[j]! += factor * z[j]!;
    }
    const next = new Float64Array(m);
    const rate = step.alpha / step.samples;
    for (let j = 0; j < m; j++) next[j] = v[j]! + rate * gradient[j]!;
    for (let j = 0; j < m; j++) v[j] = (1 - step.eta) * next[j]! + step.eta * w[j]!;
    w = next;
    history.push(next);
  }
  return { weights: w, history, maxInnerProduct, interval: checked.interval };
}
