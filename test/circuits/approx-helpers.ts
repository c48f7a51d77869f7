// Independent checks of approximation errors for the approx suites: brute-force maxima on
// fine uniform grids and equioscillation counts.

import type { Interval } from "../../engine/circuits/polynomial.js";

/** max |g| on `count` uniform points per interval (an independent lower bound of the true maximum). */
export function fineMax(g: (x: number) => number, intervals: readonly Interval[], count = 100_001): number {
  let max = 0;
  for (const [lo, hi] of intervals) {
    for (let i = 0; i < count; i++) max = Math.max(max, Math.abs(g(lo + ((hi - lo) * i) / (count - 1))));
  }
  return max;
}

/**
 * The number of alternating extrema of g with |g| >= (1 - tolerance) level, found on a fine
 * uniform grid over the intervals in order (runs of one sign count once).
 */
export function alternations(g: (x: number) => number, intervals: readonly Interval[], level: number, tolerance = 0.01, count = 200_001): number {
  let alternating = 0;
  let lastSign = 0;
  for (const [lo, hi] of intervals) {
    for (let i = 0; i < count; i++) {
      const v = g(lo + ((hi - lo) * i) / (count - 1));
      if (Math.abs(v) >= (1 - tolerance) * level && Math.sign(v) !== lastSign) {
        alternating++;
        lastSign = Math.sign(v);
      }
    }
  }
  return alternating;
}

/** Deterministic pseudo-random points in [a, b]. */
export function randomPoints([a, b]: Interval, count: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return a + ((b - a) * s) / 2 ** 32;
  });
}
