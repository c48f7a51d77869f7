// Fitting a Soft-Argmax layer to a model's training logits: the temperature learned by gradient
// descent on the cross-entropy of softmax(x / T) with every other weight frozen (the HNN paper:
// T starts at 2), and the polynomial and inverse intervals chosen from the logits' range.

import { describe } from "../engine/ring/errors.js";
import { requireModel } from "./errors.js";
import type { SoftArgmaxSpec } from "./model-spec.js";

/** Logits of a set of samples: one row of n ≥ 2 finite numbers per sample. */
export type LogitRows = readonly ArrayLike<number>[];

export interface TemperatureOptions {
  /** Starting temperature (default 2, as in the paper). */
  readonly initial?: number;
  /** Gradient steps over the whole set (default 200). */
  readonly steps?: number;
  /** Adam step size on log T (default 0.05). */
  readonly learningRate?: number;
  /** Called after every step with the step number, the temperature and the mean cross-entropy. */
  readonly progress?: (step: number, temperature: number, loss: number) => void;
}

export interface TemperatureFit {
  readonly temperature: number;
  /** Mean cross-entropy at the start and at the end. */
  readonly initialLoss: number;
  readonly loss: number;
}

function checkLogits(logits: LogitRows, operation: string): number {
  requireModel(Array.isArray(logits) && logits.length > 0, operation, `expected a non-empty array of logit rows, got ${describe(logits)}`);
  const n = logits[0]?.length;
  requireModel(typeof n === "number" && n >= 2, operation, `every logit row needs at least 2 classes, got ${describe(logits[0])}`);
  logits.forEach((row, i) => {
    requireModel(row !== null && typeof row === "object" && row.length === n, operation, `logit row ${i} must hold ${n} numbers, got ${describe(row)}`);
    for (let k = 0; k < n; k++) requireModel(Number.isFinite(row[k]), operation, `logit row ${i} has a non-finite entry ${describe(row[k])} at ${k}`);
  });
  return n;
}

/** Mean cross-entropy of softmax(x / T) against the labels, and its derivative in T. */
function lossAndGradient(logits: LogitRows, labels: ArrayLike<number>, t: number): { loss: number; gradient: number } {
  let loss = 0;
  let gradient = 0;
  for (let s = 0; s < logits.length; s++) {
    const x = logits[s]!;
    let max = -Infinity;
    for (let k = 0; k < x.length; k++) max = Math.max(max, x[k]!);
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < x.length; k++) {
      const e = Math.exp((x[k]! - max) / t);
      sum += e;
      weighted += e * x[k]!;
    }
    const y = x[labels[s]!]!;
    // −log softmax(x/T)_y = −(x_y − max)/T + log Σ exp((x_k − max)/T); d/dT = (x_y − E_p[x]) / T².
    loss += -(y - max) / t + Math.log(sum);
    gradient += (y - weighted / sum) / (t * t);
  }
  return { loss: loss / logits.length, gradient: gradient / logits.length };
}

/**
 * Learns the temperature T of softmax(x / T) on fixed logits and labels by Adam on log T (so T
 * stays positive). The logits are never changed: every other weight is frozen.
 */
export function learnTemperature(logits: LogitRows, labels: ArrayLike<number>, options: TemperatureOptions = {}): TemperatureFit {
  const operation = "learn Soft-Argmax temperature";
  const n = checkLogits(logits, operation);
  requireModel(labels !== null && typeof labels === "object" && labels.length === logits.length, operation,
    `expected ${logits.length} labels, got ${describe(labels)}`);
  for (let i = 0; i < labels.length; i++) {
    requireModel(Number.isInteger(labels[i]) && labels[i]! >= 0 && labels[i]! < n, operation, `label ${i} must be a class in [0, ${n - 1}], got ${describe(labels[i])}`);
  }
  const initial = options.initial ?? 2;
  const steps = options.steps ?? 200;
  const rate = options.learningRate ?? 0.05;
  requireModel(Number.isFinite(initial) && initial > 0, operation, `initial temperature must be positive, got ${describe(initial)}`);
  requireModel(Number.isSafeInteger(steps) && steps >= 1 && steps <= 100_000, operation, `steps must be an integer in [1, 100000], got ${describe(steps)}`);
  requireModel(Number.isFinite(rate) && rate > 0, operation, `learningRate must be positive, got ${describe(rate)}`);
  let u = Math.log(initial);
  let m = 0;
  let v = 0;
  const initialLoss = lossAndGradient(logits, labels, initial).loss;
  let loss = initialLoss;
  for (let step = 1; step <= steps; step++) {
    const t = Math.exp(u);
    const current = lossAndGradient(logits, labels, t);
    const g = current.gradient * t; // d/du of the loss, u = log T
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    u -= (rate * (m / (1 - 0.9 ** step))) / (Math.sqrt(v / (1 - 0.999 ** step)) + 1e-12);
    loss = lossAndGradient(logits, labels, Math.exp(u)).loss;
    options.progress?.(step, Math.exp(u), loss);
  }
  return { temperature: Math.exp(u), initialLoss, loss };
}

export interface FitSoftArgmaxOptions {
  readonly temperature: number;
  /** Degree of the sigmoid or exp polynomial (default 15). */
  readonly degree?: number;
  /** Relative widening of the observed ranges (default 0.1: 10% of the width on each side, 10% above the largest sum). */
  readonly margin?: number;
  readonly precision?: number;
  readonly output?: "index" | "probabilities";
  readonly name?: string;
}

/** What the fit saw on the logits, to state next to the layer. */
export interface SoftArgmaxRanges {
  /** Range of the polynomial's input: (x1 − x0) / T, or the centred logits (x − mean x) / T. */
  readonly input: readonly [number, number];
  /** n classes: range of Σ exp(y_i) / n. */
  readonly sum?: readonly [number, number];
}

/**
 * A Soft-Argmax spec whose intervals hold the given logits with a margin: the polynomial's
 * interval is the observed input range widened by `margin` of its width on each side; for n
 * classes the sum interval is [0.9, (1 + margin)·largest sum] (the sum is at least 1 in exact
 * arithmetic, since the centred logits average 0).
 */
export function fitSoftArgmax(logits: LogitRows, options: FitSoftArgmaxOptions): { spec: SoftArgmaxSpec; ranges: SoftArgmaxRanges } {
  const operation = "fit Soft-Argmax layer";
  const n = checkLogits(logits, operation);
  const t = options.temperature;
  requireModel(Number.isFinite(t) && t > 0, operation, `temperature must be positive, got ${describe(t)}`);
  const margin = options.margin ?? 0.1;
  requireModel(Number.isFinite(margin) && margin >= 0 && margin <= 10, operation, `margin must be in [0, 10], got ${describe(margin)}`);
  let lo = Infinity;
  let hi = -Infinity;
  let sumHi = 0;
  let sumLo = Infinity;
  for (const x of logits) {
    if (n === 2) {
      const d = (x[1]! - x[0]!) / t;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
      continue;
    }
    let mean = 0;
    for (let k = 0; k < n; k++) mean += x[k]! / n;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const y = (x[k]! - mean) / t;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
      sum += Math.exp(y) / n;
    }
    sumHi = Math.max(sumHi, sum);
    sumLo = Math.min(sumLo, sum);
  }
  const width = Math.max(hi - lo, 1e-6);
  const interval = [lo - margin * width, hi + margin * width] as const;
  const base = { type: "softArgmax", temperature: t, degree: options.degree ?? 15, output: options.output ?? "index", ...(options.name === undefined ? {} : { name: options.name }) } as const;
  if (n === 2) return { spec: { ...base, interval }, ranges: { input: [lo, hi] } };
  const spec: SoftArgmaxSpec = {
    ...base, interval: [Math.min(interval[0], -1e-3), Math.max(interval[1], 1e-3)], sumInterval: [0.9, Math.max(1.1, (1 + margin) * sumHi)],
    ...(options.precision === undefined ? {} : { precision: options.precision }),
  };
  return { spec, ranges: { input: [lo, hi], sum: [sumLo, sumHi] } };
}
