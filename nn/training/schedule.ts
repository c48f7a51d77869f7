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
  /** Samples per iteration (mini-batch), rounded up to whole ciphertexts; default all (full batch). */
  readonly batch?: number;
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
}

export function checkTrainingOptions(options: TrainingOptions, operation: string): CheckedOptions {
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object such as { iterations: 10 }, got ${describe(options)}`);
  const { iterations, stepScale = defaultStepScale, interval = defaultInterval, batch } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 1000) {
    throw new FheError("INVALID_ARGUMENT", operation, `iterations must be an integer in [1, 1000], got ${describe(iterations)}`);
  }
  if (typeof stepScale !== "number" || !(stepScale > 0 && stepScale < 1e6)) throw new FheError("INVALID_ARGUMENT", operation, `stepScale must be a positive number, got ${describe(stepScale)}`);
  if (typeof interval !== "number" || !(interval > 0 && interval < 1e6)) throw new FheError("INVALID_ARGUMENT", operation, `interval must be a positive number B (the sigmoid is approximated on [-B, B]), got ${describe(interval)}`);
  if (batch !== undefined && (!Number.isSafeInteger(batch) || batch < 1)) throw new FheError("INVALID_ARGUMENT", operation, `batch must be a positive integer (samples per iteration), got ${describe(batch)}`);
  return { iterations, stepScale, interval, batch };
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
  /** Ciphertext indices (of the packing) whose samples this iteration uses. */
  readonly ciphertexts: readonly number[];
  /** Real samples in those ciphertexts: n_t. */
  readonly samples: number;
  /**
   * Factor folded into the sigmoid's coefficients so the circuit returns h_t = kappa * sum q(d_i) z_i:
   * (1 - eta_t) alpha_t / n_t, except alpha_t / n_t at the last iteration (whose h_t gives w_K).
   */
  readonly kappa: number;
}

/**
 * The K iteration steps for `samples` samples packed `perCiphertext` to a ciphertext. Mini-batches
 * take consecutive groups of ceil(batch / perCiphertext) ciphertexts in turn (the last group may be
 * smaller); full batch uses every ciphertext every time.
 */
export function iterationSteps(options: Pick<CheckedOptions, "iterations" | "stepScale" | "batch">, samples: number, perCiphertext: number): IterationStep[] {
  const ciphertexts = Math.ceil(samples / perCiphertext);
  const groupSize = Math.min(ciphertexts, options.batch === undefined ? ciphertexts : Math.ceil(options.batch / perCiphertext));
  const groups = Math.ceil(ciphertexts / groupSize);
  const steps: IterationStep[] = [];
  let lambda = 1;
  for (let t = 0; t < options.iterations; t++) {
    const next = (1 + Math.sqrt(1 + 4 * lambda * lambda)) / 2;
    const eta = (1 - lambda) / next;
    lambda = next;
    const first = (t % groups) * groupSize;
    const indices = Array.from({ length: Math.min(groupSize, ciphertexts - first) }, (_, i) => first + i);
    const n = Math.min(samples, (first + indices.length) * perCiphertext) - first * perCiphertext;
    const alpha = options.stepScale / (t + 1);
    const last = t === options.iterations - 1;
    steps.push({ t, alpha, eta, ciphertexts: indices, samples: n, kappa: ((last ? 1 : 1 - eta) * alpha) / n });
  }
  return steps;
}
