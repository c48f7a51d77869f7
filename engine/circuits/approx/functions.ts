// Polynomial approximations of the common activations on a given interval and degree.

import { checkOptions, describe, FheError } from "../../ring/errors.js";
import { checkInterval, type Interval } from "../polynomial.js";
import type { Approximation, RealFunction } from "./approximation.js";
import { chebyshevApproximation } from "./chebyshev.js";
import { erf } from "./erf.js";
import { minimax } from "./remez.js";

export interface ActivationOptions {
  /** Where the inputs lie: [a, b], finite, a < b. */
  readonly interval: Interval;
  /** 1..255 for minimax, 1..1024 for Chebyshev interpolation. */
  readonly degree: number;
  /** "minimax" (default: Remez exchange, smallest max error) or "chebyshev" (interpolation, ~1.6x the error for smooth functions). */
  readonly method?: "minimax" | "chebyshev";
}

export const sigmoidFunction: RealFunction = (x) => 1 / (1 + Math.exp(-x));
export const reluFunction: RealFunction = (x) => Math.max(0, x);
/** The exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (not the tanh approximation). */
export const geluFunction: RealFunction = (x) => (x * (1 + erf(x / Math.SQRT2))) / 2;

function preset(name: string, f: RealFunction, options: ActivationOptions): Approximation {
  const operation = `approximate ${name}`;
  checkOptions(options, operation);
  const method = options?.method ?? "minimax";
  if (method !== "minimax" && method !== "chebyshev") {
    throw new FheError("INVALID_ARGUMENT", operation, `method must be "minimax" or "chebyshev", got ${describe(method)}`);
  }
  const interval = checkInterval(options?.interval, operation);
  const degree = options.degree;
  return method === "minimax" ? minimax(f, { interval, degree }) : chebyshevApproximation(f, { interval, degree });
}

/** 1 / (1 + e^-x) on the interval (e.g. [-8, 8]). */
export function sigmoid(options: ActivationOptions): Approximation {
  return preset("sigmoid", sigmoidFunction, options);
}

/** tanh on the interval; on an interval symmetric about 0 the polynomial is odd (isOdd). */
export function tanh(options: ActivationOptions): Approximation {
  return preset("tanh", Math.tanh, options);
}

/**
 * max(0, x) by one direct polynomial: the error falls only like 1 / degree (about
 * 0.07 (b - a) / degree on an interval symmetric about 0, Bernstein's constant for |x|). For
 * high precision compute x (1 + s(x / B)) / 2 with s a signComposite and B >= max |x| (one more
 * product): error at most 2^-alpha |x| / 2 where |x| >= eps B, about eps B below.
 */
export function relu(options: ActivationOptions): Approximation {
  return preset("relu", reluFunction, options);
}

/** The exact GELU x Phi(x) on the interval. */
export function gelu(options: ActivationOptions): Approximation {
  return preset("gelu", geluFunction, options);
}

/** e^x on the interval (absolute error; e.g. [-8, 0] for a softmax after subtracting a bound). */
export function exp(options: ActivationOptions): Approximation {
  return preset("exp", Math.exp, options);
}
