// Composite minimax approximation of sign (and comparison) for high precision, after Lee, Lee,
// Kim and No, "Minimax approximation of sign function by a composite polynomial" (Eurocrypt
// 2021): stage 0 is the odd minimax polynomial of sign on [-1, -eps] U [eps, 1]; it maps
// [eps, 1] into [1 - d0, 1 + d0] (d0 its error), so stage 1 is the minimax of sign on
// +-[1 - d0, 1 + d0], and so on. Each stage keeps its own interval (the encrypted evaluator
// folds the affine map to [-1, 1] into its first level), and its degree is chosen by a dynamic
// programme over the total depth.

import { checkOptions, describe, FheError, isInteger } from "../../ring/errors.js";
import { type Interval, Polynomial } from "../polynomial.js";
import { measureMaxError } from "./grid.js";
import { interpolate } from "./chebyshev.js";
import { minimax } from "./remez.js";

export interface CompositeSignOptions {
  /** Target precision: |p(x) - sign(x)| <= 2^-alpha for eps <= |x| <= 1; 1 <= alpha <= 40. */
  readonly alpha: number;
  /** Input gap: the approximation holds for eps <= |x| <= 1; 2^-30 <= eps < 1. */
  readonly eps: number;
  /** Stage degrees (odd, 3..255), applied first to last; default: the fewest levels, from {3, 7, 15, 31, 63}. */
  readonly degrees?: readonly number[];
}

/** A composite polynomial p = stages[k-1] o ... o stages[0], with its error on intervals. */
export interface CompositeApproximation {
  /** Applied in order: stages[0] first. */
  readonly stages: readonly Polynomial[];
  /** [-1, 1]: the input range. */
  readonly interval: Interval;
  /** [[-1, -eps], [eps, 1]]: where the error is measured and bounded. */
  readonly intervals: readonly Interval[];
  readonly degrees: readonly number[];
  /** Product of the stage degrees. */
  readonly degree: number;
  /** Sum of the stage depths (each ceil(log2(degree + 1))). */
  readonly depth: number;
  /** max |p - target| measured on a grid of 2^14 uniform and 2^14 Chebyshev points per interval. */
  readonly maxError: number;
  /** Bound from the stage errors: the last stage maps the inputs into [1 - bound, 1 + bound] (sign). */
  readonly errorBound: number;
}

const signOperation = "approximate sign by a composite polynomial";

/** Stage degrees the search chooses from: the highest odd degree of each depth 2..6. */
const candidateDegrees = [3, 7, 15, 31, 63];

/** Depth budget of the search. */
const maxSearchDepth = 60;

/** A stage's measured error is inflated by this before it sets the next stage's interval. */
const errorMargin = 1 + 2 ** -20;

/** Grid per interval for the composite's measured error (the composite oscillates much faster than one stage). */
const compositeGridDegree = 1023;

/** p_k(...p_0(x)) in float64. */
export function evaluateComposite(stages: readonly Polynomial[], x: number): number {
  return stages.reduce((y, p) => p.evaluate(y), x);
}

/** The reachable state: inputs of the next stage in +-[lo, hi], after `stages`. */
interface State {
  readonly lo: number;
  readonly hi: number;
  readonly stages: readonly Polynomial[];
  readonly depth: number;
}

/** The error bound of a state: its inputs are within this of +-1 (inputs of stage 0: 1 - eps). */
function boundOf(state: State): number {
  return Math.max(1 - state.lo, state.hi - 1);
}

/**
 * The odd polynomial of degree 2m + 1 with p(1) = 1 and p', ..., p^(m) zero at 1:
 * x sum_(i <= m) binomial(2i, i) / 4^i (1 - x^2)^i (Cheon, Kim, Kim, Lee, Lee 2020), evaluated
 * in that form (stable). On +-[1 - d, 1 + d] its error is O(d^(m+1)); it replaces the minimax
 * when the stage's intervals are so narrow that the exchange's linear systems are singular in
 * float64.
 */
function flatSign(degree: number): (x: number) => number {
  const coefficients = [1];
  for (let i = 1; i <= (degree - 1) / 2; i++) coefficients.push((coefficients[i - 1]! * (2 * i - 1)) / (2 * i));
  return (x) => {
    const u = 1 - x * x;
    let acc = 0;
    for (let i = coefficients.length - 1; i >= 0; i--) acc = acc * u + coefficients[i]!;
    return x * acc;
  };
}

/**
 * One more stage of the given degree: the better of the odd minimax of sign on +-[lo, hi] and
 * the flat polynomial (both measured on the grid); null if it makes no progress.
 */
function advance(state: State, degree: number): State | null {
  const { lo, hi } = state;
  const intervals: Interval[] = [[-hi, -lo], [lo, hi]];
  const remez = minimax(Math.sign, { intervals, degree, parity: "odd" });
  const flat = interpolate(flatSign(degree), [-hi, hi], degree, "odd");
  const flatError = measureMaxError((x) => Math.sign(x) - flat.evaluate(x), intervals, degree);
  const [poly, error] = flatError < remez.maxError ? [flat, flatError] : [remez.poly, remez.maxError];
  const delta = error * errorMargin;
  if (!(delta < 1) || !(delta < boundOf(state))) return null;
  return { lo: 1 - delta, hi: 1 + delta, stages: [...state.stages, poly], depth: state.depth + poly.depth };
}

/** The better state: the larger lo / hi (every stage map is monotone in it), then the smaller depth. */
function better(u: State | null, v: State | null): State | null {
  if (u === null || v === null) return u ?? v;
  const ru = u.lo / u.hi;
  const rv = v.lo / v.hi;
  return rv > ru || (rv === ru && v.depth < u.depth) ? v : u;
}

/**
 * The fewest-levels stage sequence: best[k] is the state of largest lo / hi reachable in at
 * most k levels. Since a larger lo / hi gives every next stage a smaller error, best[k] is
 * the best of best[k - 1] and best[k - depth(d)] followed by a stage of degree d.
 */
function search(start: State, target: number): State {
  const best: (State | null)[] = [start];
  for (let k = 1; k <= maxSearchDepth; k++) {
    let state = best[k - 1]!;
    for (const d of candidateDegrees) {
      const from = best[k - Math.ceil(Math.log2(d + 1))];
      if (from !== undefined && from !== null && boundOf(from) > target) state = better(state, advance(from, d))!;
    }
    best.push(state);
    if (boundOf(state) <= target) return state;
  }
  throw new FheError("INVALID_ARGUMENT", signOperation, `no composite of at most ${maxSearchDepth} levels reaches the precision; lower alpha or raise eps`);
}

function checkCompositeOptions(options: CompositeSignOptions): void {
  checkOptions(options, signOperation);
  const { alpha, eps, degrees } = options ?? {};
  if (typeof alpha !== "number" || !(alpha >= 1 && alpha <= 40)) {
    throw new FheError("INVALID_ARGUMENT", signOperation, `alpha (target error 2^-alpha) must be a number from 1 to 40, got ${describe(alpha)}`);
  }
  if (typeof eps !== "number" || !(eps >= 2 ** -30 && eps < 1)) {
    throw new FheError("INVALID_ARGUMENT", signOperation, `eps (smallest |x|) must be a number from 2^-30 to below 1, got ${describe(eps)}`);
  }
  if (degrees !== undefined && (!Array.isArray(degrees) || degrees.length === 0 || !degrees.every((d) => isInteger(d) && d % 2 === 1 && d >= 3 && d <= 255))) {
    throw new FheError("INVALID_ARGUMENT", signOperation, `degrees must be a non-empty array of odd integers from 3 to 255, got ${describe(degrees)}`);
  }
}

function composite(stages: readonly Polynomial[], eps: number, errorBound: number, target: (x: number) => number): CompositeApproximation {
  const intervals: Interval[] = [Object.freeze([-1, -eps]) as Interval, Object.freeze([eps, 1]) as Interval];
  const degrees = stages.map((p) => p.degree);
  return Object.freeze({
    stages: Object.freeze([...stages]),
    interval: Object.freeze([-1, 1]) as Interval,
    intervals: Object.freeze(intervals),
    degrees: Object.freeze(degrees),
    degree: degrees.reduce((s, d) => s * d, 1),
    depth: stages.reduce((s, p) => s + p.depth, 0),
    maxError: measureMaxError((x) => evaluateComposite(stages, x) - target(x), intervals, compositeGridDegree),
    errorBound,
  });
}

/**
 * A composite polynomial approximating sign(x) within 2^-alpha on [-1, -eps] U [eps, 1]
 * (every stage odd). With `degrees` the stages are those; otherwise the sequence of fewest
 * total levels from degrees {3, 7, 15, 31, 63}. Throws if the given degrees do not reach
 * the precision, or no sequence of at most 60 levels does.
 */
export function signComposite(options: CompositeSignOptions): CompositeApproximation {
  checkCompositeOptions(options);
  const { alpha, eps, degrees } = options;
  const target = 2 ** -alpha;
  const start: State = { lo: eps, hi: 1, stages: [], depth: 0 };
  let state: State;
  if (degrees === undefined) {
    state = search(start, target);
  } else {
    state = start;
    for (const d of degrees) {
      const next = advance(state, d);
      if (next === null) throw new FheError("INVALID_ARGUMENT", signOperation, `a stage of degree ${d} makes no progress at error ${boundOf(state)}; use other degrees`);
      state = next;
    }
    if (boundOf(state) > target) {
      throw new FheError("INVALID_ARGUMENT", signOperation, `degrees [${degrees.join(", ")}] reach error ${boundOf(state)}, above 2^-${alpha}; add stages or omit degrees`);
    }
  }
  return composite(state.stages, eps, boundOf(state), Math.sign);
}

/**
 * A composite polynomial for the comparison (a > b) = (1 + sign(a - b)) / 2 of inputs with
 * a - b in [-1, -eps] U [eps, 1]: the sign composite with its last stage mapped to (1 + p) / 2
 * (no extra level), so its error is half the sign's, at most 2^-(alpha + 1).
 */
export function comparisonComposite(options: CompositeSignOptions): CompositeApproximation {
  const sign = signComposite(options);
  const last = sign.stages[sign.stages.length - 1]!;
  const halved = Polynomial.chebyshev(last.coefficients.map((c, i) => (i === 0 ? (1 + c) / 2 : c / 2)), last.interval);
  return composite([...sign.stages.slice(0, -1), halved], options.eps, sign.errorBound / 2, (x) => (1 + Math.sign(x)) / 2);
}
