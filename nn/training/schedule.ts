// What every iteration of the training does, shared by the encrypted trainer and its float64
// twin: the sigmoid polynomial, Nesterov's momentum, the decaying step and the mini-batches.
//
// Nesterov's accelerated gradient ascent on the log-likelihood (Kim et al., HELR), from zero:
//   w_{t+1} = v_t + (alpha_t / n_t) sum_i p(-z_i . v_t) z_i,   alpha_t = a / (t + 1),
//   v_{t+1} = (1 - eta_t) w_{t+1} + eta_t w_t,                 eta_t = (1 - lambda_t) / lambda_{t+1},
// lambda_0 = 1, lambda_{t+1} = (1 + sqrt(1 + 4 lambda_t^2)) / 2 (so eta_0 = 0 and eta_t < 0
// afterwards), z_i = y_i x_i with y_i in {-1, +1} and p the sigmoid polynomial. The output is w_K.

import * as approx from "../../engine/circuits/approx/index.js";
import { describe, FheError } from "../../engine/ring/errors.js";

/** Options of a training run (encrypted and twin alike). */
export interface TrainingOptions {
  /** Nesterov iterations K, a positive integer. */
  readonly iterations: number;
  /** a in the step a / (t + 1) (default 6): see README for how it was chosen. */
  readonly stepScale?: number;
  /** B: the sigmoid is approximated on [-B, B] (default 16); the inner products z . v must stay inside. */
  readonly interval?: number;
  /** Samples per iteration (mini-batch), rounded up to whole sample sets; default all (full batch). */
  readonly batch?: number;
  /** Feature groups g of the packing (layout.ts), an integer in [1, d + 1]; default chooseFeatureGroups for `shards`. */
  readonly featureGroups?: number;
  /** Shards (workers) the server splits the sample sets over: only steers the default featureGroups (default 1). */
  readonly shards?: number;
}

export const defaultStepScale = 6;
export const defaultInterval = 16;
/** Degree of the sigmoid polynomial: 3 (two levels with the mask folded in). */
export const sigmoidDegree = 3;

/** The options with defaults filled in, checked (INVALID_ARGUMENT naming the field). */
export interface CheckedOptions {
  readonly iterations: number;
  readonly stepScale: number;
  readonly interval: number;
  readonly batch: number | undefined;
  readonly featureGroups: number | undefined;
  readonly shards: number;
}

export function checkTrainingOptions(options: TrainingOptions, operation: string): CheckedOptions {
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object such as { iterations: 10 }, got ${describe(options)}`);
  const { iterations, stepScale = defaultStepScale, interval = defaultInterval, batch, featureGroups, shards = 1 } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 1000) {
    throw new FheError("INVALID_ARGUMENT", operation, `iterations must be an integer in [1, 1000], got ${describe(iterations)}`);
  }
  if (typeof stepScale !== "number" || !(stepScale > 0 && stepScale < 1e6)) throw new FheError("INVALID_ARGUMENT", operation, `stepScale must be a positive number, got ${describe(stepScale)}`);
  if (typeof interval !== "number" || !(interval > 0 && interval < 1e6)) throw new FheError("INVALID_ARGUMENT", operation, `interval must be a positive number B (the sigmoid is approximated on [-B, B]), got ${describe(interval)}`);
  if (batch !== undefined && (!Number.isSafeInteger(batch) || batch < 1)) throw new FheError("INVALID_ARGUMENT", operation, `batch must be a positive integer (samples per iteration), got ${describe(batch)}`);
  if (featureGroups !== undefined && (!Number.isSafeInteger(featureGroups) || featureGroups < 1)) {
    throw new FheError("INVALID_ARGUMENT", operation, `featureGroups must be a positive integer (at most the features + 1), got ${describe(featureGroups)}`);
  }
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > 1024) throw new FheError("INVALID_ARGUMENT", operation, `shards must be an integer in [1, 1024], got ${describe(shards)}`);
  return { iterations, stepScale, interval, batch, featureGroups, shards };
}

/**
 * q(d) = p(-d) = b[0] + b[1] d + b[2] d^3, p the degree-3 minimax approximation of the sigmoid
 * on [-B, B] (engine/circuits approx.sigmoid): the factor of z_i in the gradient as a function
 * of d = z_i . v. The encrypted circuit and the twin both evaluate this form. sigma - 1/2 is odd,
 * so on a symmetric interval p is 1/2 plus an odd polynomial: its d^2 coefficient (~1e-13, the
 * Remez exchange's rounding) is set to 0.
 */
export interface SigmoidChoice {
  readonly interval: number;
  readonly maxError: number;
  readonly coefficients: readonly [number, number, number];
}

export function sigmoidChoice(interval: number): SigmoidChoice {
  const approximation = approx.sigmoid({ interval: [-interval, interval], degree: sigmoidDegree });
  const c = approximation.poly.toChebyshev().coefficients;
  const [c0 = 0, c1 = 0, , c3 = 0] = c;
  // p(x) = sum c_i T_i(x / B) with T_3 = 4t^3 - 3t; q(d) = p(-d) flips the odd terms.
  const B = interval;
  return { interval, maxError: approximation.maxError, coefficients: [c0, -(c1 - 3 * c3) / B, -(4 * c3) / (B * B * B)] };
}

/** Evaluates q(d). */
export function evaluateSigmoidFactor(choice: SigmoidChoice, d: number): number {
  const [b0, b1, b3] = choice.coefficients;
  return b0 + d * (b1 + d * d * b3);
}

/** One iteration's constants. */
export interface IterationStep {
  readonly t: number;
  readonly alpha: number;
  readonly eta: number;
  /** Indices of the packing's sample sets (a set: the data ciphertexts of the same samples) this iteration uses. */
  readonly sets: readonly number[];
  /** Real samples in those sets: n_t. */
  readonly samples: number;
  /**
   * Factor folded into the sigmoid's coefficients so the circuit returns h_t = kappa * sum q(d_i) z_i:
   * (1 - eta_t) alpha_t / n_t, except alpha_t / n_t at the last iteration (whose h_t gives w_K).
   */
  readonly kappa: number;
}

/**
 * The K iteration steps for `samples` samples packed `perSet` to a sample set. Mini-batches
 * take consecutive runs of ceil(batch / perSet) sets in turn (the last run may be shorter); full
 * batch uses every set every time.
 */
export function iterationSteps(options: Pick<CheckedOptions, "iterations" | "stepScale" | "batch">, samples: number, perSet: number): IterationStep[] {
  const sets = Math.ceil(samples / perSet);
  const runLength = Math.min(sets, options.batch === undefined ? sets : Math.ceil(options.batch / perSet));
  const runs = Math.ceil(sets / runLength);
  const steps: IterationStep[] = [];
  let lambda = 1;
  for (let t = 0; t < options.iterations; t++) {
    const next = (1 + Math.sqrt(1 + 4 * lambda * lambda)) / 2;
    const eta = (1 - lambda) / next;
    lambda = next;
    const first = (t % runs) * runLength;
    const indices = Array.from({ length: Math.min(runLength, sets - first) }, (_, i) => first + i);
    const n = Math.min(samples, (first + indices.length) * perSet) - first * perSet;
    const alpha = options.stepScale / (t + 1);
    const last = t === options.iterations - 1;
    steps.push({ t, alpha, eta, sets: indices, samples: n, kappa: ((last ? 1 : 1 - eta) * alpha) / n });
  }
  return steps;
}
