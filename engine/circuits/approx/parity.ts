// Parity of the function to approximate about the centre of its interval(s): an odd (even)
// function gets an odd (even) polynomial, fitted with the odd (even) Chebyshev terms only, so
// that Polynomial.isOdd (isEven) holds exactly and the evaluator can skip the other powers.

import { describe, FheError } from "../../ring/errors.js";
import type { Interval } from "../polynomial.js";
import type { RealFunction } from "./approximation.js";

/** Parity of an approximation in the mapped variable t of its interval. */
export type Parity = "odd" | "even" | "none";

/** A requested parity; "auto" detects it from the intervals and samples of the function. */
export type ParityOption = Parity | "auto";

/** Relative tolerance of the automatic parity detection (f(c + h) = -/+ f(c - h)). */
const symmetryTolerance = 1e-12;

/** Samples per interval for the automatic parity detection. */
const symmetrySamples = 257;

/** True when the sorted intervals are symmetric about the centre of their hull. */
function symmetricIntervals(intervals: readonly Interval[]): boolean {
  const a = intervals[0]![0];
  const b = intervals[intervals.length - 1]![1];
  const tolerance = symmetryTolerance * (b - a);
  return intervals.every(([lo, hi], i) => {
    const [mlo, mhi] = intervals[intervals.length - 1 - i]!;
    return Math.abs(lo - (a + b - mhi)) <= tolerance && Math.abs(hi - (a + b - mlo)) <= tolerance;
  });
}

function detect(f: RealFunction, intervals: readonly Interval[]): Parity {
  const c = (intervals[0]![0] + intervals[intervals.length - 1]![1]) / 2;
  const pairs: [number, number][] = [];
  for (const [lo, hi] of intervals) {
    for (let i = 0; i < symmetrySamples; i++) {
      const x = lo + ((hi - lo) * i) / (symmetrySamples - 1);
      pairs.push([f(x), f(2 * c - x)]);
    }
  }
  const scale = Math.max(...pairs.map(([u, v]) => Math.max(Math.abs(u), Math.abs(v))));
  if (scale === 0) return "none";
  if (pairs.every(([u, v]) => Math.abs(u + v) <= symmetryTolerance * scale)) return "odd";
  if (pairs.every(([u, v]) => Math.abs(u - v) <= symmetryTolerance * scale)) return "even";
  return "none";
}

/**
 * The parity to fit: an explicit "odd"/"even" requires intervals symmetric about their hull's
 * centre c (and the weight, if any, even about c); "auto" (the default) picks "odd"/"even"
 * when those hold and f(c + h) = -f(c - h) (resp. +f(c - h)) on samples within a relative
 * 1e-12.
 */
export function resolveParity(option: unknown, f: RealFunction, intervals: readonly Interval[], operation: string, weight?: RealFunction): Parity {
  const symmetric = symmetricIntervals(intervals) && (weight === undefined || detect(weight, intervals) === "even");
  if (option === undefined || option === "auto") return symmetric ? detect(f, intervals) : "none";
  if (option !== "odd" && option !== "even" && option !== "none") {
    throw new FheError("INVALID_ARGUMENT", operation, `parity must be "auto", "odd", "even" or "none", got ${describe(option)}`);
  }
  if (option !== "none" && !symmetric) {
    throw new FheError("INVALID_ARGUMENT", operation, `an ${option} approximation needs intervals symmetric about their centre (and an even weight); use parity "none"`);
  }
  return option;
}

/** True when the Chebyshev term T_index is allowed by the parity. */
export function termAllowed(parity: Parity, index: number): boolean {
  return parity === "none" || (parity === "odd") === (index % 2 === 1);
}
