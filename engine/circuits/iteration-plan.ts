// Planning the encrypted execution of an iteration plan (1/x, 1/sqrt(x); approx/inverse.ts):
// every level, scale and integer factor, computed without encrypting anything by running the
// plan (runPlan) over an arithmetic of levels and scales. The executor (iteration-eval.ts) runs
// the same plan over ciphertexts in lockstep with this arithmetic and checks every step.
//
// The rules, which make every addition exact and cost no level beyond the plan's depth:
// - a product is relinearized at once and left unrescaled ("pending") until it is multiplied
//   again or returned;
// - a constant factor (0.5, 1.5) is free: the ciphertext is read at scale / c;
// - a sum of a pending product P and a rescaled value R is formed at P's level and scale: R,
//   dropped to that level, is multiplied by the integer round(scale(P) / scale(R)) (about one
//   level's primes, so the rounding is far below the noise) and added before P's rescale;
// - the scale of the initial guess is chosen backwards so that the result lands on the target
//   scale: every scale is c * s0^n in the initial guess's scale s0, so it is solved for directly.

import { rescaledScale } from "../evaluator/alignment.js";
import type { Parameters } from "../parameters.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { iterationLevels, type IterationKind, type IterationPlan, type PlanOps, runPlan } from "./approx/inverse.js";
import type { LevelScale, Plan } from "./plan.js";
import { foldableInputScale, planPolynomial, type PolynomialPlan } from "./poly-plan.js";
import { Polynomial } from "./polynomial.js";

export const iterationOperation = "evaluate iteration plan";
const operation = iterationOperation;

/** Options of an encrypted iteration. */
export interface IterationEvaluationOptions {
  /** Scale of the result (default: the parameters' scale). Finite, >= 1, fitting the output level. */
  readonly targetScale?: number;
}

/** The plan of one encrypted execution of an iteration plan. */
export interface IterationEvaluationPlan extends Plan {
  readonly iteration: IterationPlan;
  /** The initial guess's polynomial plan, at scale `initialScale`. */
  readonly initial: PolynomialPlan;
  /** Scale of the initial guess, chosen so that the result lands on output.scale. */
  readonly initialScale: number;
}

/** A value of the plan as the arithmetic of levels and scales sees it. */
export interface PlannedValue extends LevelScale {
  /** A relinearized product not yet rescaled: rescaled when it is multiplied or returned. */
  readonly pending: boolean;
  /** The scale is proportional to initialScale^exponent (0 for x, 1 for the initial guess). */
  readonly exponent: number;
}

/** A sum: the pending operand (times `pendingSign`) plus the other one times `factor`. */
export interface PlannedSum {
  readonly value: PlannedValue;
  /** Which operand is the pending product; the other one is used rescaled if it is pending too. */
  readonly pendingOperand: 0 | 1;
  readonly pendingSign: 1n | -1n;
  /** The signed integer the rescaled operand is multiplied by. */
  readonly factor: bigint;
}

/**
 * The arithmetic of levels and scales (PlanOps over {@link PlannedValue}) for one choice of the
 * initial guess's scale, with the checks that the executor's ciphertexts will hold: every
 * value fits the modulus at its level for the largest magnitude it can take, and every integer
 * factor is large enough to be exact to the noise. While the initial scale is being solved for
 * (`solving`: the initial guess's levels), it only traces levels and scales: a first guess may
 * be far off deep in the iterations.
 */
export class IterationPlanner implements PlanOps<PlannedValue> {
  nonScalarProducts = 0;
  keySwitches = 0;
  /** Set by {@link polynomial}. */
  initialPlan: PolynomialPlan | undefined;
  readonly #rescaled = new WeakMap<PlannedValue, PlannedValue>();

  constructor(
    readonly params: Parameters, readonly iteration: IterationPlan, readonly initialScale: number,
    readonly solving?: { readonly initialLevels: number },
  ) {}

  polynomial(x: PlannedValue, p: Polynomial): PlannedValue {
    if (this.solving !== undefined) return { level: x.level - this.solving.initialLevels, scale: this.initialScale, pending: false, exponent: 1 };
    const plan = planPolynomial(this.params, x, p, { targetScale: this.initialScale });
    this.initialPlan = plan;
    this.nonScalarProducts += plan.nonScalarProducts;
    this.keySwitches += plan.keySwitches;
    return this.fitting({ ...plan.output, pending: false, exponent: 1 }, "the initial guess");
  }

  /** The value as a multiplication operand: rescaled once if pending (the same object for every use). */
  ready(v: PlannedValue): PlannedValue {
    if (!v.pending) return v;
    let rescaled = this.#rescaled.get(v);
    if (rescaled === undefined) {
      rescaled = this.fitting({ level: v.level - 1, scale: rescaledScale(this.params, v.level, v.scale), pending: false, exponent: v.exponent }, "a rescaled product");
      this.#rescaled.set(v, rescaled);
    }
    return rescaled;
  }

  mul(a: PlannedValue, b: PlannedValue): PlannedValue {
    const x = this.ready(a);
    const y = this.ready(b);
    this.nonScalarProducts++;
    this.keySwitches++;
    return this.fitting({ level: Math.min(x.level, y.level), scale: x.scale * y.scale, pending: true, exponent: x.exponent + y.exponent }, "a product");
  }

  /** c * a, read at scale(a) / c: no level, no noise. Only positive constants occur in plans. */
  mulConstant(a: PlannedValue, c: number): PlannedValue {
    if (!(c > 0 && c < Infinity)) throw new FheError("INVALID_ARGUMENT", operation, `internal error: constant factor ${describe(c)} is not positive`);
    return { ...a, scale: a.scale / c };
  }

  addConstant(a: PlannedValue): PlannedValue {
    return { ...a };
  }

  add(a: PlannedValue, b: PlannedValue): PlannedValue {
    return this.sum(a, b, 1n).value;
  }

  sub(a: PlannedValue, b: PlannedValue): PlannedValue {
    return this.sum(a, b, -1n).value;
  }

  /**
   * a + sign * b at the level and scale of the pending operand (the lower one if both are):
   * the other one, rescaled if pending ({@link ready}), must sit at that level or above.
   */
  sum(a: PlannedValue, b: PlannedValue, sign: 1n | -1n): PlannedSum {
    const pendingOperand = a.pending && (!b.pending || a.level < b.level) ? 0 : 1;
    const pending = pendingOperand === 0 ? a : b;
    const other = this.ready(pendingOperand === 0 ? b : a);
    if (!pending.pending || other.level < pending.level) {
      throw new FheError("INVALID_ARGUMENT", operation, "internal error: a sum needs a pending product and a value at its level or above");
    }
    const ratio = pending.scale / other.scale;
    const factor = Math.round(ratio);
    // Relative rounding error 1 / (2 factor): at most the noise of `other` (about 2^logN / scale), and one bit.
    if (this.solving === undefined && !(Math.log2(2 * factor) >= Math.log2(other.scale) - this.params.logN - 1)) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `aligning a sum needs the integer factor ${ratio.toPrecision(4)}, too small to be exact at these scales; give x at a scale near the parameters' scale`);
    }
    const pendingSign = pendingOperand === 0 ? 1n : sign;
    const magnitude = BigInt(factor);
    return { value: { ...pending }, pendingOperand, pendingSign, factor: pendingOperand === 0 ? sign * magnitude : magnitude };
  }

  /** Checks that v fits its level's modulus for the largest magnitude, and returns it. */
  private fitting(v: PlannedValue, what: string): PlannedValue {
    if (this.solving === undefined) checkFits(this.params, this.iteration, v, what);
    return v;
  }
}

/** Throws unless a value at (level, scale) fits the modulus there for the largest magnitude the plan's values take. */
function checkFits(params: Parameters, iteration: IterationPlan, v: LevelScale, what: string): void {
  const logMagnitude = Math.log2(magnitudeBound(iteration));
  if (!(Math.log2(v.scale) + logMagnitude < params.logModulus(v.level) - 1)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `${what} would need scale 2^${Math.log2(v.scale).toFixed(1)} at level ${v.level} for values up to 2^${logMagnitude.toFixed(1)}, ` +
      `more than its ${params.logModulus(v.level).toFixed(0)}-bit modulus holds; use a smaller targetScale or input scale, or parameters with a larger base modulus`);
  }
}

/**
 * A bound on every value a plan computes for x in [a, b], from |e_k| < 1: 1/x: x <= b,
 * |y_k| = |1 - e_k| / x < 2 / a, |x y_0| < 2, |e_k| < 1, |y_k e_k| < 2 / a; 1/sqrt(x): 0 < x y_k^2 < 2,
 * so y_k^2 < 2 / a, |(x / 2) y_k| < sqrt(2 b) / 2 and |(x / 2) y_k^3| < |y_k|. Doubled for noise.
 */
function magnitudeBound(iteration: IterationPlan): number {
  const [a, b] = iteration.interval;
  return 2 * Math.max(b, 2 / a);
}

/** Most rounds of the solve for the initial scale (one is exact but for floating-point rounding: the scales are monomials in it). */
const solveRounds = 4;

/**
 * Plans the encrypted execution of `iteration` on a ciphertext at `input`: throws FheError when
 * the input has too few levels (naming the levels needed) or a scale does not fit.
 */
export function planIteration(params: Parameters, input: LevelScale, iteration: IterationPlan, options: IterationEvaluationOptions = {}): IterationEvaluationPlan {
  checkIterationPlan(iteration);
  checkOptions(options, operation);
  if (input === null || typeof input !== "object" || !isInteger(input.level) || input.level < 0 || input.level > params.maxLevel ||
    typeof input.scale !== "number" || !(input.scale >= 1 && input.scale < Infinity)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the input must be a level in [0, ${params.maxLevel}] and a finite scale >= 1, got ${describe(input)}`);
  }
  const targetScale = options?.targetScale ?? params.scale;
  if (typeof targetScale !== "number" || !(targetScale >= 1 && targetScale < Infinity)) {
    throw new FheError("INVALID_ARGUMENT", operation, `targetScale must be a finite number >= 1, got ${describe(targetScale)}`);
  }
  const { levels: levelsUsed, initialLevels } = requiredLevels(params, input, iteration);
  checkFits(params, iteration, { level: input.level - levelsUsed, scale: targetScale }, "the result");
  const x: PlannedValue = { level: input.level, scale: input.scale, pending: false, exponent: 0 };
  let initialScale = targetScale;
  for (let round = 0; round < solveRounds; round++) {
    const { output } = trace(new IterationPlanner(params, iteration, initialScale, { initialLevels }), x);
    if (output.scale === targetScale) break;
    initialScale *= (targetScale / output.scale) ** (1 / output.exponent);
  }
  const planner = trace(new IterationPlanner(params, iteration, initialScale), x);
  const { output } = planner;
  if (output.level !== input.level - levelsUsed || !(Math.abs(output.scale / targetScale - 1) <= 2 ** -44)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `internal error: the plan ends at level ${output.level}, scale 2^${Math.log2(output.scale).toFixed(3)} instead of level ${input.level - levelsUsed}, scale 2^${Math.log2(targetScale).toFixed(3)}`);
  }
  return Object.freeze({
    iteration, initial: planner.ops.initialPlan!, initialScale,
    input: { level: input.level, scale: input.scale }, output: { level: output.level, scale: targetScale },
    levelsUsed, nonScalarProducts: planner.ops.nonScalarProducts, keySwitches: planner.ops.keySwitches, rotations: 0,
  });
}

/** Runs the plan over levels and scales; the output rescaled if pending. */
function trace(ops: IterationPlanner, x: PlannedValue): { ops: IterationPlanner; output: PlannedValue } {
  return { ops, output: ops.ready(runPlan(ops.iteration, x, ops)) };
}

/**
 * Levels the execution uses: the initial guess's depth (plus one for the change of interval
 * when the input's scale is above foldableInputScale) and the iterations' levels, which is
 * plan.depth for a folded input. Throws, naming them, when the input has fewer.
 */
function requiredLevels(params: Parameters, input: LevelScale, iteration: IterationPlan): { levels: number; initialLevels: number } {
  const unfolded = input.scale > foldableInputScale(params, input.level, iteration.initial);
  const initialLevels = iteration.initial.depth + (unfolded ? 1 : 0);
  const levels = initialLevels + iterationLevels(iteration.kind, iteration.iterations);
  if (input.level < levels) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `${describeKind(iteration.kind)} needs ${levels} levels (${initialLevels} for the initial guess of degree ${iteration.initial.degree}` +
      `${unfolded ? ", one of them for the change of interval at this input scale" : ""}, ${levels - initialLevels} for ${iteration.iterations} iteration${iteration.iterations === 1 ? "" : "s"}) ` +
      `and the ciphertext has ${input.level} left; use a ciphertext at a higher level, parameters with a larger depth, or a plan with a lower precision`);
  }
  return { levels, initialLevels };
}

function describeKind(kind: IterationKind): string {
  return kind === "inverse" ? "1/x" : "1/sqrt(x)";
}

/** Throws unless `plan` has the shape of an IterationPlan (what runPlan reads: kind, interval, initial, iterations). */
function checkIterationPlan(plan: unknown): asserts plan is IterationPlan {
  const p = plan as Partial<IterationPlan> | null;
  const valid = p !== null && typeof p === "object" && (p.kind === "inverse" || p.kind === "invSqrt") && p.initial instanceof Polynomial &&
    isInteger(p.iterations) && p.iterations >= 0 && Array.isArray(p.interval) && p.interval.length === 2 &&
    p.interval[0]! > 0 && p.interval[1]! > p.interval[0]! && p.interval[1]! < Infinity;
  if (!valid) throw new FheError("INVALID_ARGUMENT", operation, `expected an IterationPlan (approx.inverse or approx.invSqrt), got ${describe(plan)}`);
}
