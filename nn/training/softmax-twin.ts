// The float64 twin of encrypted softmax training: the same iterations (schedule.ts), the same
// exp polynomial and inverse plan (softmax-schedule.ts), in plain arithmetic. Iteration 0 starts
// from W = 0, where the encrypted trainer uses the exact p = 1/C: so does the twin. It is the
// tests' oracle and the reference accuracy, and records the largest |logit| and the range of the
// sums S, which must stay inside the exp polynomial's and the inverse's intervals.

import { iterationSteps } from "./schedule.js";
import { checkMulticlassTask, type MulticlassTask } from "./multiclass-task.js";
import { softmaxLayout } from "./softmax-layout.js";
import { checkSoftmaxOptions, softmaxLayer, type SoftmaxTrainingOptions } from "./softmax-schedule.js";

export interface SoftmaxTwinResult {
  /** W_K: one vector of d + 1 weights (bias last) per class. */
  readonly weights: readonly Float64Array[];
  /** W_t after each iteration t = 1..K. */
  readonly history: readonly (readonly Float64Array[])[];
  /** max |v_{t,c} . x~_i| over the samples, classes and iterations t >= 1: at most logitBound. */
  readonly maxLogit: number;
  /** [min, max] of S_i = sum_c e(l_ic) over t >= 1 ([1, 1] for one iteration): inside sumInterval. */
  readonly sumRange: readonly [number, number];
}

/** Trains in float64 (`slots` decides the packing only through its checks). Throws like the encrypted trainer on bad input. */
export function trainSoftmaxPlain(task: MulticlassTask, options: SoftmaxTrainingOptions, slots: number): SoftmaxTwinResult {
  const operation = "train softmax (float64 twin)";
  checkMulticlassTask(task, operation);
  const checked = checkSoftmaxOptions(options, operation);
  const layout = softmaxLayout(slots, task.samples, task.features, task.classes);
  const layer = softmaxLayer(task.classes, checked, operation);
  const { features: d, classes: C } = task;
  const m = d + 1;
  let v = Array.from({ length: C }, () => new Float64Array(m));
  let w = v.map((vc) => vc.slice());
  const history: Float64Array[][] = [];
  const x = new Float64Array(m);
  const logits = new Float64Array(C);
  let maxLogit = 0;
  let [sumLow, sumHigh] = [Infinity, -Infinity];
  for (const step of iterationSteps(checked, task.samples, layout.samplesPerSet)) {
    const gradient = Array.from({ length: C }, () => new Float64Array(m));
    for (let i = 0; i < task.samples; i++) {
      x.set(task.rows.subarray(i * d, (i + 1) * d));
      x[d] = 1;
      let p: Float64Array;
      if (step.t === 0) {
        p = new Float64Array(C).fill(1 / C);
      } else {
        for (let c = 0; c < C; c++) {
          let dot = 0;
          for (let j = 0; j < m; j++) dot += x[j]! * v[c]![j]!;
          logits[c] = dot;
          maxLogit = Math.max(maxLogit, Math.abs(dot));
        }
        const { values, sum, inverse } = layer.normalize(logits);
        sumLow = Math.min(sumLow, sum);
        sumHigh = Math.max(sumHigh, sum);
        p = values.map((e) => e * inverse);
      }
      for (let c = 0; c < C; c++) {
        const residual = (task.labels[i] === c ? 1 : 0) - p[c]!;
        const g = gradient[c]!;
        for (let j = 0; j < m; j++) g[j]! += residual * x[j]!;
      }
    }
    const rate = step.alpha / step.samples;
    const next = v.map((vc, c) => vc.map((value, j) => value + rate * gradient[c]![j]!));
    v = next.map((nc, c) => nc.map((value, j) => (1 - step.eta) * value + step.eta * w[c]![j]!));
    w = next;
    history.push(next);
  }
  return { weights: w, history, maxLogit, sumRange: sumHigh < sumLow ? [1, 1] : [sumLow, sumHigh] };
}
