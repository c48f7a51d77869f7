// Dense-grid search for the extrema of an error function: the measurement behind every
// reported maxError and the extremum search of the Remez exchange.

import type { Interval } from "../polynomial.js";
import type { RealFunction } from "./approximation.js";

/** A local extremum of an error function: its abscissa and signed value. */
export interface Extremum {
  readonly x: number;
  readonly value: number;
}

/** Golden-section steps refining each local maximum of |g| (bracket shrinks by 0.618^40 ~ 4e-9). */
const refineSteps = 40;

/** Local maxima refined when only the error's maximum is wanted. */
const measuredMaxima = 32;

/**
 * Grid points per interval for an approximation of degree d: max(4096, 16 (d + 1)) uniformly
 * spaced points, plus as many Chebyshev-Lobatto points (dense at the ends, where the error of
 * a polynomial approximation oscillates fastest).
 */
export function gridSize(degree: number): number {
  return Math.max(4096, 16 * (degree + 1));
}

function gridPoints(lo: number, hi: number, count: number): number[] {
  const uniform = (i: number) => lo + ((hi - lo) * i) / (count - 1);
  const lobatto = (i: number) => lo + ((hi - lo) * (1 - Math.cos((Math.PI * i) / (count - 1)))) / 2;
  const points: number[] = [];
  let i = 0;
  let j = 0;
  while (i < count || j < count) {
    const x = j >= count || (i < count && uniform(i) <= lobatto(j)) ? uniform(i++) : lobatto(j++);
    if (x >= lo && x <= hi && x !== points[points.length - 1]) points.push(x);
  }
  return points;
}

/** Maximizes |g| on [lo, hi] by golden-section search; returns the best point seen. */
function refine(g: RealFunction, lo: number, hi: number, start: Extremum): Extremum {
  const r = (Math.sqrt(5) - 1) / 2;
  let best = start;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let gc = g(c);
  let gd = g(d);
  for (let step = 0; step < refineSteps; step++) {
    if (Math.abs(gc) >= Math.abs(gd)) {
      b = d;
      d = c;
      gd = gc;
      c = b - r * (b - a);
      gc = g(c);
    } else {
      a = c;
      c = d;
      gc = gd;
      d = a + r * (b - a);
      gd = g(d);
    }
    if (Math.abs(gc) > Math.abs(best.value)) best = { x: c, value: gc };
    if (Math.abs(gd) > Math.abs(best.value)) best = { x: d, value: gd };
  }
  return best;
}

/**
 * The local maxima of |g| on [lo, hi] found on a grid of `count` uniform plus `count`
 * Chebyshev-Lobatto points (the end points included when they are maxima), sorted by x; the
 * `refineCount` largest interior ones are refined by golden-section search between their grid
 * neighbours. Points where g is 0 are never extrema.
 */
export function localExtrema(g: RealFunction, lo: number, hi: number, count: number, refineCount = Infinity): Extremum[] {
  const xs = gridPoints(lo, hi, count);
  const vs = xs.map(g);
  const found: { index: number; extremum: Extremum }[] = [];
  for (let i = 0; i < xs.length; i++) {
    const m = Math.abs(vs[i]!);
    if (m === 0 || (i > 0 && Math.abs(vs[i - 1]!) > m) || (i + 1 < xs.length && Math.abs(vs[i + 1]!) > m)) continue;
    found.push({ index: i, extremum: { x: xs[i]!, value: vs[i]! } });
  }
  const ranked = [...found].sort((u, v) => Math.abs(v.extremum.value) - Math.abs(u.extremum.value));
  const refined = new Set(ranked.slice(0, Math.min(refineCount, ranked.length)).map((e) => e.index));
  return found.map(({ index, extremum }) =>
    refined.has(index) && index > 0 && index + 1 < xs.length ? refine(g, xs[index - 1]!, xs[index + 1]!, extremum) : extremum,
  );
}

/**
 * max |error(x)| over `intervals`, measured on the grid of {@link gridSize}(degree) points per
 * interval (see {@link localExtrema}) with the 32 largest local maxima refined: a lower bound
 * of the true maximum, equal to it up to the refinement's resolution for errors that are
 * smooth between grid points.
 */
export function measureMaxError(error: RealFunction, intervals: readonly Interval[], degree: number): number {
  let max = 0;
  for (const [lo, hi] of intervals) {
    for (const e of localExtrema(error, lo, hi, gridSize(degree), measuredMaxima)) max = Math.max(max, Math.abs(e.value));
  }
  return max;
}
