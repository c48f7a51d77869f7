// What every approximation returns, and the validation shared by all of them: the function,
// the degree and the intervals.

import { describe, FheError, isInteger } from "../../ring/errors.js";
import { checkInterval, type Interval, type Polynomial } from "../polynomial.js";

/** A real function to approximate; it must return finite numbers on the approximation interval(s). */
export type RealFunction = (x: number) => number;

/**
 * A polynomial approximation `poly` of a function on `intervals` (their hull `interval` is
 * the polynomial's own interval, the one the encrypted evaluator maps onto [-1, 1]).
 * `maxError` is max |f(x) - poly(x)| (times the weight, for a weighted minimax) measured on
 * the dense grid of {@link measureMaxError} over `intervals`.
 */
export interface Approximation {
  readonly poly: Polynomial;
  readonly interval: Interval;
  readonly intervals: readonly Interval[];
  /** poly.degree: at most the requested degree (one less when parity drops the top term). */
  readonly degree: number;
  /** poly.depth = ceil(log2(degree + 1)), the levels the encrypted evaluation consumes. */
  readonly depth: number;
  readonly maxError: number;
  /** How `poly` was obtained: Chebyshev interpolation or Remez exchange. */
  readonly method: "chebyshev" | "minimax";
}

/** Highest degree accepted by Chebyshev interpolation. */
export const maxChebyshevDegree = 1024;

/** Highest degree accepted by the Remez exchange (one dense linear solve of degree + 2 unknowns per iteration). */
export const maxMinimaxDegree = 255;

export function checkFunction(f: unknown, operation: string): RealFunction {
  if (typeof f !== "function") {
    throw new FheError("INVALID_ARGUMENT", operation, `the function to approximate must be a function (x: number) => number, got ${describe(f)}`);
  }
  return f as RealFunction;
}

export function checkDegree(degree: unknown, max: number, operation: string): number {
  if (!isInteger(degree) || degree < 1 || degree > max) {
    throw new FheError("INVALID_ARGUMENT", operation, `the degree must be an integer from 1 to ${max}, got ${describe(degree)}`);
  }
  return degree;
}

/** Checks a list of intervals and returns them sorted, requiring them not to overlap. */
export function checkIntervals(intervals: unknown, operation: string): Interval[] {
  if (!Array.isArray(intervals) || intervals.length === 0) {
    throw new FheError("INVALID_ARGUMENT", operation, `intervals must be a non-empty array of [a, b] pairs, got ${describe(intervals)}`);
  }
  const sorted = intervals.map((i) => checkInterval(i, operation)).sort((u, v) => u[0] - v[0]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] <= sorted[i - 1]![1]) {
      throw new FheError("INVALID_ARGUMENT", operation, `intervals must not overlap or touch, got [${sorted[i - 1]!.join(", ")}] and [${sorted[i]!.join(", ")}]; merge them into one`);
    }
  }
  return sorted;
}

/** The smallest interval containing all of `intervals` (sorted, as {@link checkIntervals} returns them). */
export function hull(intervals: readonly Interval[]): Interval {
  return Object.freeze([intervals[0]![0], intervals[intervals.length - 1]![1]]) as Interval;
}

/** Wraps f so that a non-finite value throws an FheError naming the point. */
export function finiteSampler(f: RealFunction, operation: string): RealFunction {
  return (x) => {
    const y = f(x);
    if (typeof y !== "number" || !Number.isFinite(y)) {
      throw new FheError("INVALID_ARGUMENT", operation, `the function returned ${describe(y)} at x = ${x}; it must be finite on the whole interval`);
    }
    return y;
  };
}

/** Freezes an approximation built from its polynomial, intervals, error and method. */
export function approximation(poly: Polynomial, intervals: readonly Interval[], maxError: number, method: Approximation["method"]): Approximation {
  return Object.freeze({
    poly,
    interval: poly.interval,
    intervals: Object.freeze([...intervals]),
    degree: poly.degree,
    depth: poly.depth,
    maxError,
    method,
  });
}
