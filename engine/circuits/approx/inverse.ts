// Iteration plans for 1/x (Goldschmidt) and 1/sqrt(x) (Newton) on [a, b] with 0 < a < b: a
// minimax initial guess, then as many iterations as the requested precision needs. A plan is
// data; runPlan executes it over any arithmetic (float64 now, ciphertexts in the encrypted
// executor), so both run exactly the same operations.

import { checkOptions, describe, FheError } from "../../ring/errors.js";
import { checkInterval, type Interval, type Polynomial } from "../polynomial.js";
import { checkDegree, maxMinimaxDegree } from "./approximation.js";
import { measureMaxError } from "./grid.js";
import { minimax } from "./remez.js";

export type IterationKind = "inverse" | "invSqrt";

/**
 * y_0 = initial(x), then `iterations` steps. Inverse (Goldschmidt): e_0 = 1 - x y_0,
 * y_(k+1) = y_k (1 + e_k), e_(k+1) = e_k^2, so that e_k = 1 - x y_k. Inverse square root
 * (Newton): y_(k+1) = y_k (3 - x y_k^2) / 2, computed as 1.5 y_k - ((x / 2) y_k) y_k^2, so
 * that e_k = 1 - x y_k^2 follows e_(k+1) = e_k^2 (3 + e_k) / 4.
 */
export interface IterationPlan {
  readonly kind: IterationKind;
  /** [a, b], 0 < a < b: where x must lie. */
  readonly interval: Interval;
  /** The initial guess y_0: the minimax of f with the relative weight (sqrt x or x). */
  readonly initial: Polynomial;
  readonly iterations: number;
  /** Levels on the longest chain, one per product (ciphertext or non-integer constant): initial.depth + depthOfIterations. */
  readonly depth: number;
  /** Levels of the iterations: inverse 1 + iterations (none without iterations), invSqrt 2 per iteration. */
  readonly depthOfIterations: number;
  /** Predicted max |e_k| over [a, b] for k = 0..iterations (e_0 measured on a grid, inflated by 2^-20 relative). */
  readonly predictedResiduals: readonly number[];
  /** Predicted max |y_k - f(x)| over [a, b] for k = 0..iterations, from the residuals. */
  readonly predictedErrors: readonly number[];
  /** predictedErrors[iterations]. */
  readonly predictedError: number;
}

export interface IterationOptions {
  /** [a, b] with 0 < a < b. */
  readonly interval: Interval;
  /** Target max |y - f(x)| on [a, b]: positive, at least the float64 floor (about 2^-48 f(a)). */
  readonly precision: number;
  /** Degree of the initial guess (1..255); default: the fewest total levels, from {1, 3, 7, 15, 31}. */
  readonly initialDegree?: number;
}

/** The arithmetic a plan runs on. */
export interface PlanOps<T> {
  /** p(x): the encrypted executor evaluates it with the polynomial evaluator. */
  polynomial(x: T, p: Polynomial): T;
  mul(a: T, b: T): T;
  mulConstant(a: T, c: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  addConstant(a: T, c: number): T;
}

/** Most iterations a plan may use. */
const maxIterations = 30;

/** Initial-guess degrees tried by default: the highest degree of each depth 1..5. */
const candidateDegrees = [1, 3, 7, 15, 31];

/** Per-iteration float64 rounding allowance on the residual (a few units in the last place, accumulated). */
const roundingSlack = 2 ** -50;

interface Kind {
  readonly operation: string;
  readonly f: (x: number) => number;
  /** Relative weight of the initial minimax: |w (f - p)| is the relative error. */
  readonly weight: (x: number) => number;
  /** The residual e = 1 - x y (inverse) or 1 - x y^2 (invSqrt) in float64. */
  readonly residual: (x: number, y: number) => number;
  /** Bound on |e_(k+1)| from a bound r on |e_k| (exact arithmetic). */
  readonly next: (r: number) => number;
  /** Bound on |y - f(x)| over [a, b] from a bound r < 1 on |e|. */
  readonly error: (r: number, a: number) => number;
  readonly depthOfIterations: (iterations: number) => number;
}

const kinds: Record<IterationKind, Kind> = {
  inverse: {
    operation: "plan the inverse 1/x",
    f: (x) => 1 / x,
    weight: (x) => x,
    residual: (x, y) => 1 - x * y,
    next: (r) => r * r,
    error: (r, a) => r / a,
    depthOfIterations: (k) => (k === 0 ? 0 : 1 + k),
  },
  invSqrt: {
    operation: "plan the inverse square root 1/sqrt(x)",
    f: (x) => 1 / Math.sqrt(x),
    weight: Math.sqrt,
    residual: (x, y) => 1 - x * y * y,
    next: (r) => (r * r * (3 + r)) / 4,
    error: (r, a) => (1 - Math.sqrt(1 - r)) / Math.sqrt(a),
    depthOfIterations: (k) => 2 * k,
  },
};

/** The plan with initial guess of the given degree, or null if that guess does not converge or reach the precision. */
function planWith(kind: IterationKind, interval: Interval, precision: number, degree: number): IterationPlan | null {
  const k = kinds[kind];
  const initial = minimax(k.f, { interval, degree, weight: k.weight, parity: "none" }).poly;
  const r0 = measureMaxError((x) => k.residual(x, initial.evaluate(x)), [interval], degree) * (1 + 2 ** -20);
  if (!(r0 < 1)) return null;
  const residuals = [r0];
  let exact = r0;
  const errorAt = (i: number) => k.error(Math.min(residuals[i]!, 1), interval[0]);
  while (errorAt(residuals.length - 1) > precision) {
    if (residuals.length > maxIterations) return null;
    exact = k.next(exact);
    const r = exact + residuals.length * roundingSlack;
    if (!(r < residuals[residuals.length - 1]!)) return null;
    residuals.push(r);
  }
  const iterations = residuals.length - 1;
  const predictedErrors = residuals.map((_, i) => errorAt(i));
  const depthOfIterations = k.depthOfIterations(iterations);
  return Object.freeze({
    kind,
    interval,
    initial,
    iterations,
    depth: initial.depth + depthOfIterations,
    depthOfIterations,
    predictedResiduals: Object.freeze(residuals),
    predictedErrors: Object.freeze(predictedErrors),
    predictedError: predictedErrors[iterations]!,
  });
}

function plan(kind: IterationKind, options: IterationOptions): IterationPlan {
  const { operation } = kinds[kind];
  checkOptions(options, operation);
  const interval = checkInterval(options?.interval, operation);
  if (!(interval[0] > 0)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the interval must be positive (0 < a < b), got [${interval.join(", ")}]; for negative inputs use -f(-x)`);
  }
  const { precision, initialDegree } = options;
  if (typeof precision !== "number" || !Number.isFinite(precision) || !(precision > 0)) {
    throw new FheError("INVALID_ARGUMENT", operation, `precision must be a positive finite number, got ${describe(precision)}`);
  }
  const degrees = initialDegree === undefined ? candidateDegrees : [checkDegree(initialDegree, maxMinimaxDegree, operation)];
  let best: IterationPlan | null = null;
  for (const degree of degrees) {
    const candidate = planWith(kind, interval, precision, degree);
    if (candidate !== null && (best === null || candidate.depth < best.depth)) best = candidate;
  }
  if (best === null) {
    throw new FheError("INVALID_ARGUMENT", operation, `no plan reaches precision ${precision} on [${interval.join(", ")}] within ${maxIterations} iterations (the initial guess must have residual below 1, and float64 stops near 2^-48 f(a)); raise the precision, narrow the interval or ${initialDegree === undefined ? "" : "change or "}omit initialDegree`);
  }
  return best;
}

/** Levels the iterations of a plan consume: inverse 1 + iterations (0 without iterations), invSqrt 2 per iteration. */
export function iterationLevels(kind: IterationKind, iterations: number): number {
  return kinds[kind].depthOfIterations(iterations);
}

/** Plan for 1/x on [a, b] (0 < a < b) within `precision` (Goldschmidt iterations). */
export function inversePlan(options: IterationOptions): IterationPlan {
  return plan("inverse", options);
}

/** Plan for 1/sqrt(x) on [a, b] (0 < a < b) within `precision` (Newton iterations). */
export function invSqrtPlan(options: IterationOptions): IterationPlan {
  return plan("invSqrt", options);
}

/** Executes the plan on x with the given arithmetic (intermediate values are not disposed: use a tidy scope for ciphertexts). */
export function runPlan<T>(plan: IterationPlan, x: T, ops: PlanOps<T>): T {
  let y = ops.polynomial(x, plan.initial);
  if (plan.iterations === 0) return y;
  if (plan.kind === "inverse") {
    const minusE = ops.addConstant(ops.mul(x, y), -1); // -e_0 = x y_0 - 1
    y = ops.sub(y, ops.mul(y, minusE));
    let e = minusE;
    for (let k = 1; k < plan.iterations; k++) {
      e = ops.mul(e, e); // e_k = e_(k-1)^2 (= (-e_0)^2 for k = 1)
      y = ops.add(y, ops.mul(y, e));
    }
    return y;
  }
  const half = ops.mulConstant(x, 0.5);
  for (let k = 0; k < plan.iterations; k++) {
    y = ops.sub(ops.mulConstant(y, 1.5), ops.mul(ops.mul(half, y), ops.mul(y, y)));
  }
  return y;
}

const floatOps: PlanOps<number> = {
  polynomial: (x, p) => p.evaluate(x),
  mul: (a, b) => a * b,
  mulConstant: (a, c) => a * c,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  addConstant: (a, c) => a + c,
};

/** The plan in float64: runPlan with plain arithmetic (the oracle of the encrypted executor). */
export function evaluatePlan(plan: IterationPlan, x: number): number {
  return runPlan(plan, x, floatOps);
}
