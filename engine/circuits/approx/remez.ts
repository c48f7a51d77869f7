// Minimax polynomial approximation by the Remez exchange on one or several intervals, in the
// Chebyshev basis of the intervals' hull (well conditioned), exploiting parity.

import { checkOptions, describe, FheError, isInteger } from "../../ring/errors.js";
import { checkInterval, type Interval, Polynomial } from "../polynomial.js";
import {
  type Approximation, approximation, checkDegree, checkFunction, checkIntervals, finiteSampler, hull, maxMinimaxDegree,
  type RealFunction,
} from "./approximation.js";
import { interpolate } from "./chebyshev.js";
import { type Extremum, localExtrema, measureMaxError } from "./grid.js";
import { solveLinear } from "./linear-solve.js";
import { type Parity, type ParityOption, resolveParity, termAllowed } from "./parity.js";

export interface MinimaxOptions {
  /** One interval [a, b] (exactly one of `interval` and `intervals`). */
  readonly interval?: Interval;
  /** Several disjoint intervals, e.g. [[-1, -eps], [eps, 1]] for sign; the polynomial lives on their hull. */
  readonly intervals?: readonly Interval[];
  /** 1..255. */
  readonly degree: number;
  /** "auto" (default) detects an odd/even f on intervals symmetric about their centre, with an even weight (see resolveParity). */
  readonly parity?: ParityOption;
  /** Positive weight w: minimizes max |w (f - p)| (e.g. w(x) = x for the relative error of 1/x). Default 1. */
  readonly weight?: RealFunction;
  /** Exchange iterations, 1..200 (default 60). */
  readonly maxIterations?: number;
}

/** A minimax approximation; `method` is "chebyshev" when the interpolant was better than every Remez iterate. */
export interface MinimaxApproximation extends Approximation {
  /** The returned polynomial equioscillates: its error reaches +-maxError within 1% at degree + 2 alternating points. */
  readonly converged: boolean;
  /** Exchange iterations run. */
  readonly iterations: number;
}

const operation = "compute a minimax approximation";

/** Stop when the error at the reference is levelled to this relative spread. */
const levelledTolerance = 1e-4;

/** Equioscillation within 1% is reported as converged. */
const convergedTolerance = 0.01;

/**
 * Stop once the error is below this times max |w f| on the reference: rounding noise, where
 * levelling is no longer measurable (the result then reports converged: false).
 */
const noiseFloor = 2 ** -46;

/** Stop after this many iterations without a smaller error. */
const stallLimit = 8;

/** A piece of the domain in the mapped variable t; `openLow`: t = 0 excluded (odd fit, zero error there). */
interface Piece {
  readonly lo: number;
  readonly hi: number;
  readonly openLow: boolean;
}

interface Problem {
  readonly f: RealFunction;
  readonly w: RealFunction;
  readonly interval: Interval;
  readonly intervals: readonly Interval[];
  readonly degree: number;
  readonly parity: Parity;
  /** Indices of the fitted Chebyshev terms. */
  readonly terms: readonly number[];
  readonly pieces: readonly Piece[];
  readonly maxIterations: number;
}

/** The point of [a, b] at t in [-1, 1], clamped to [a, b] against rounding. */
function toX([a, b]: Interval, t: number): number {
  return Math.min(b, Math.max(a, ((b - a) * t + (a + b)) / 2));
}

/** The mapped variable of x in [a, b], clamped to [-1, 1] against rounding. */
function toT([a, b]: Interval, x: number): number {
  return Math.min(1, Math.max(-1, (2 * x - (a + b)) / (b - a)));
}

/** The intervals in t; for an odd or even fit only their part in t >= 0. */
function pieces(interval: Interval, intervals: readonly Interval[], parity: Parity): Piece[] {
  const mapped = intervals.map(([lo, hi]) => ({ lo: toT(interval, lo), hi: toT(interval, hi), openLow: false }));
  if (parity === "none") return mapped;
  return mapped
    .filter((p) => p.hi > 0)
    .map((p) => (p.lo < 0 ? { lo: 0, hi: p.hi, openLow: parity === "odd" } : p));
}

/** T_0(t)..T_degree(t). */
function chebyshevValues(t: number, degree: number): number[] {
  const values = [1, t];
  for (let k = 2; k <= degree; k++) values.push(2 * t * values[k - 1]! - values[k - 2]!);
  return values;
}

/**
 * n + 1 starting reference points spread over the pieces in proportion to their length in
 * the angle theta = acos t, Chebyshev-Lobatto-like within each piece (on a single [-1, 1] they
 * are the extrema of T_n, where the minimax error of a smooth function nearly equioscillates).
 */
function initialReference(pieces: readonly Piece[], count: number): number[] {
  const arcs = pieces.map((p) => Math.acos(p.lo) - Math.acos(p.hi));
  const total = arcs.reduce((s, a) => s + a, 0);
  const shares = arcs.map((a) => (count * a) / total);
  const counts = shares.map(Math.floor);
  const byRemainder = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((u, v) => v.r - u.r);
  const missing = count - counts.reduce((s, c) => s + c, 0);
  for (let k = 0; k < missing; k++) counts[byRemainder[k]!.i]!++;
  const points: number[] = [];
  pieces.forEach((p, i) => {
    const m = counts[i]!;
    const from = Math.acos(p.hi);
    const span = Math.acos(p.lo) - from;
    for (let j = 0; j < m; j++) {
      const fraction = m === 1 ? 0.5 : p.openLow ? j / (m - 0.5) : j / (m - 1);
      points.push(Math.cos(from + span * fraction));
    }
  });
  return points.sort((u, v) => u - v);
}

/** Coefficients of p (full array, index = Chebyshev term) levelling the weighted error on `reference`, or null. */
function levelledFit(problem: Problem, reference: readonly number[]): number[] | null {
  const { terms, degree, interval, f, w } = problem;
  const rows = reference.map((t, i) => {
    const values = chebyshevValues(t, degree);
    return [...terms.map((k) => values[k]!), (i % 2 === 0 ? 1 : -1) / w(toX(interval, t))];
  });
  const solution = solveLinear(rows, reference.map((t) => f(toX(interval, t))));
  if (solution === null) return null;
  const coefficients = new Array<number>(degree + 1).fill(0);
  terms.forEach((k, j) => (coefficients[k] = solution[j]!));
  return coefficients;
}

/** The weighted error w (f - p) as a function of t. */
function errorFunction(problem: Problem, p: Polynomial): RealFunction {
  const { interval, f, w } = problem;
  return (t) => {
    const x = toX(interval, t);
    return w(x) * (f(x) - p.evaluate(t));
  };
}

/**
 * Signed local extrema of the error in t over all pieces, sorted by t, on grids of
 * max(512, 16 (degree + 1)) points per family and piece (every extremum is refined, so the
 * grid only has to separate the about degree + 2 extrema).
 */
function errorExtrema(problem: Problem, error: RealFunction): Extremum[] {
  return problem.pieces.flatMap((piece) =>
    localExtrema(error, piece.lo, piece.hi, Math.max(512, 16 * (problem.degree + 1))).filter((e) => !(piece.openLow && e.x === 0)),
  );
}

/**
 * The single-point exchange, when too few extrema alternate for the multiple one: the largest
 * extremum `top` replaces the reference point next to it whose error has its sign (or enters
 * at an end, dropping the other end), which keeps the reference alternating.
 */
function singleExchange(reference: readonly Extremum[], top: Extremum): Extremum[] {
  const same = (e: Extremum) => Math.sign(e.value) === Math.sign(top.value);
  const next = [...reference];
  const i = next.findIndex((e) => e.x > top.x);
  if (i === 0) {
    if (same(next[0]!)) next[0] = top;
    else next.splice(0, next.length, top, ...next.slice(0, -1));
  } else if (i === -1) {
    if (same(next[next.length - 1]!)) next[next.length - 1] = top;
    else next.splice(0, next.length, ...next.slice(1), top);
  } else {
    next[same(next[i - 1]!) ? i - 1 : i] = top;
  }
  return next;
}

/**
 * The exchange: of the extrema (sorted), keep the largest of each run of equal sign, then the
 * `count` consecutive alternating ones that contain the largest error and have the largest
 * smallest error. Null when fewer than `count` alternate.
 */
function exchange(extrema: readonly Extremum[], count: number): Extremum[] | null {
  const alternating: Extremum[] = [];
  for (const e of extrema) {
    const last = alternating[alternating.length - 1];
    if (last !== undefined && Math.sign(last.value) === Math.sign(e.value)) {
      if (Math.abs(e.value) > Math.abs(last.value)) alternating[alternating.length - 1] = e;
    } else {
      alternating.push(e);
    }
  }
  if (alternating.length < count) return null;
  let top = 0;
  alternating.forEach((e, i) => (Math.abs(e.value) > Math.abs(alternating[top]!.value) ? (top = i) : 0));
  let best: Extremum[] = [];
  let bestMin = -1;
  for (let start = Math.max(0, top - count + 1); start <= Math.min(top, alternating.length - count); start++) {
    const window = alternating.slice(start, start + count);
    const min = Math.min(...window.map((e) => Math.abs(e.value)));
    if (min > bestMin) {
      best = window;
      bestMin = min;
    }
  }
  return best;
}

interface Iterate {
  readonly poly: Polynomial;
  readonly maxError: number;
  readonly levelled: number;
}

/** Runs the exchange; returns the iterate with the smallest error (null if none) and the iteration count. */
function remez(problem: Problem): { best: Iterate | null; iterations: number } {
  const count = problem.terms.length + 1;
  // Without parity, start from count + 1 points less the lowest: a reference symmetric about
  // the centre would make the levelled error 0 (a singular start) for functions that are odd up
  // to a constant, such as the sigmoid, whose minimax error alternates at count + 1 points.
  let reference = problem.parity === "none" ? initialReference(problem.pieces, count + 1).slice(1) : initialReference(problem.pieces, count);
  let best: Iterate | null = null;
  let sinceBest = 0;
  let iterations = 0;
  while (iterations < problem.maxIterations) {
    iterations++;
    const coefficients = levelledFit(problem, reference);
    if (coefficients === null) break;
    const error = errorFunction(problem, Polynomial.chebyshev(coefficients));
    const extrema = errorExtrema(problem, error);
    if (extrema.length === 0) break;
    const top = extrema.reduce((u, v) => (Math.abs(v.value) > Math.abs(u.value) ? v : u));
    const maxError = Math.abs(top.value);
    const next = exchange(extrema, count) ?? singleExchange(reference.map((t) => ({ x: t, value: error(t) })), top);
    const levelled = Math.min(...next.map((e) => Math.abs(e.value))) / maxError;
    if (best === null || maxError < best.maxError) {
      best = { poly: Polynomial.chebyshev(coefficients, problem.interval), maxError, levelled };
      sinceBest = 0;
    } else if (++sinceBest >= stallLimit) {
      break;
    }
    const scale = Math.max(...reference.map((t) => Math.abs(problem.w(toX(problem.interval, t)) * problem.f(toX(problem.interval, t)))));
    if (levelled >= 1 - levelledTolerance || maxError <= noiseFloor * scale) break;
    reference = next.map((e) => e.x);
  }
  return { best, iterations };
}

function checkWeight(weight: unknown): RealFunction {
  if (weight === undefined) return () => 1;
  if (typeof weight !== "function") {
    throw new FheError("INVALID_ARGUMENT", operation, `the weight must be a function (x: number) => number, got ${describe(weight)}`);
  }
  return (x) => {
    const w = (weight as RealFunction)(x);
    if (typeof w !== "number" || !Number.isFinite(w) || !(w > 0)) {
      throw new FheError("INVALID_ARGUMENT", operation, `the weight returned ${describe(w)} at x = ${x}; it must be finite and positive on the intervals`);
    }
    return w;
  };
}

function problemOf(f: unknown, options: MinimaxOptions): Problem {
  checkFunction(f, operation);
  checkOptions(options, operation);
  if ((options?.interval === undefined) === (options?.intervals === undefined)) {
    throw new FheError("INVALID_ARGUMENT", operation, "give exactly one of `interval` ([a, b]) and `intervals` ([[a1, b1], ...])");
  }
  const intervals = options.interval !== undefined ? [checkInterval(options.interval, operation)] : checkIntervals(options.intervals, operation);
  const degree = checkDegree(options.degree, maxMinimaxDegree, operation);
  const maxIterations = options.maxIterations ?? 60;
  if (!isInteger(maxIterations) || maxIterations < 1 || maxIterations > 200) {
    throw new FheError("INVALID_ARGUMENT", operation, `maxIterations must be an integer from 1 to 200, got ${describe(maxIterations)}`);
  }
  const g = finiteSampler(f as RealFunction, operation);
  const w = checkWeight(options.weight);
  const parity = resolveParity(options.parity, g, intervals, operation, options.weight === undefined ? undefined : w);
  const interval = hull(intervals);
  const terms = Array.from({ length: degree + 1 }, (_, k) => k).filter((k) => termAllowed(parity, k));
  return { f: g, w, interval, intervals, degree, parity, terms, pieces: pieces(interval, intervals, parity), maxIterations };
}

/**
 * The minimax polynomial of the given degree for f on the interval(s): the Remez exchange in
 * the Chebyshev basis of the hull, fitting only odd (even) terms when f is odd (even) about
 * the centre of symmetric intervals. When the exchange does not converge (equioscillation
 * within 1% at degree + 2 alternating points, `converged: false`) the better of its best
 * iterate and the Chebyshev interpolant on the hull is returned (`method` says which; the
 * interpolant is only tried if f is finite at its nodes). `maxError` is max |w (f - p)|
 * measured on the grid of measureMaxError over the intervals.
 */
export function minimax(f: RealFunction, options: MinimaxOptions): MinimaxApproximation {
  const problem = problemOf(f, options);
  const { f: g, w, intervals, interval, degree, parity } = problem;
  const measure = (p: Polynomial) => measureMaxError((x) => w(x) * (g(x) - p.evaluate(x)), intervals, degree);
  const { best, iterations } = remez(problem);
  const converged = best !== null && best.levelled >= 1 - convergedTolerance;
  const candidates: { poly: Polynomial; method: Approximation["method"] }[] = [];
  if (best !== null) candidates.push({ poly: best.poly, method: "minimax" });
  if (!converged) {
    try {
      candidates.push({ poly: interpolate(g, interval, degree, parity), method: "chebyshev" });
    } catch (error) {
      if (!(error instanceof FheError) || best === null) throw error;
    }
  }
  const measured = candidates.map((c) => ({ ...c, maxError: measure(c.poly) })).sort((u, v) => u.maxError - v.maxError);
  const chosen = measured[0]!;
  return Object.freeze({ ...approximation(chosen.poly, intervals, chosen.maxError, chosen.method), converged: converged && chosen.method === "minimax", iterations });
}
