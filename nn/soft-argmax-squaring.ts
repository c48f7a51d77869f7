// The n-class Soft-Argmax at a low temperature by repeated squaring with renormalisation (as in
// Lee et al.'s HE softmax): softmax(2 y) = softmax(y)^2 / Σ softmax(y)^2, so k squarings take
// exp(y) at a high temperature T_0 (where exp is a short polynomial on a small interval) down to
// T = T_0 / 2^k, where the rounded expected index agrees with the argmax (99.6% of MNIST test
// digits at T = 1/4 against 98.4% at the learned T = 0.815).
//
// Every normalisation only has to keep the sum near 1: p <- p^2 g(Σ p^2) with g a low-degree
// relative minimax of 1/x on [(1 - eps)^2 / n, (1 + eps)^2], eps the previous g's relative
// error; the scale error of one step does not carry to the next (the next normalisation divides
// it out). The last step uses a higher degree, since its sum is the output's.
//
// The encrypted form refreshes every step's input by bootstrapping two real vectors as one
// complex ciphertext and splitting it again by conjugation (c + conj c = 2 a), so each step's
// input is doubled: this plan works on v = rho x (rho = 2 by default; 2 mu when the refresh
// first multiplies by mu to keep the bootstrapped coefficients small), which changes only the
// inverses' intervals, and the twin below computes exactly that.

import { minimax } from "../engine/circuits/approx/remez.js";
import type { Approximation } from "../engine/circuits/approx/approximation.js";
import type { Interval } from "../engine/circuits/polynomial.js";
import { describe, FheError } from "../engine/ring/errors.js";
import { expectedIndex } from "./layers/soft-argmax.js";

function modelError(operation: string, reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", operation, reason);
}

export interface SquaringSoftArgmaxOptions {
  /** Number of classes n, an integer in [2, 256]. */
  readonly classes: number;
  /** T_0 > 0: the exp runs on y = (x - mean x) / T_0. */
  readonly initialTemperature: number;
  /** k, an integer in [1, 16]: the output temperature is T_0 / 2^k. */
  readonly squarings: number;
  /** The range of y over the data the plan is for (training logits), lo < 0 < hi. */
  readonly inputRange: Interval;
  /** max Σ_i exp(2 y_i) over the same data (at least n, by Jensen, since mean y = 0). */
  readonly maxSquareSum: number;
  /** Degree of exp, 3..31 (default 7). */
  readonly expDegree?: number;
  /** Degree of the intermediate inverses, 3..31 (default 7: 3 levels). */
  readonly inverseDegree?: number;
  /** Degree of the last inverse, 3..63 (default 15). */
  readonly finalInverseDegree?: number;
  /** Safety factor on the data's ranges, >= 1 (default 1.25). */
  readonly margin?: number;
  /** rho_0 > 0: step 0's input is v = rho_0 exp(y) (default 2: a real-part split doubles). */
  readonly firstFactor?: number;
  /** rho > 0: every later step's input is v = rho x (default 2; refreshReal with multiplier mu gives 2 mu). */
  readonly refreshFactor?: number;
}

export interface SquaringSoftArgmaxPlan {
  readonly classes: number;
  readonly initialTemperature: number;
  readonly squarings: number;
  /** T_0 / 2^k. */
  readonly temperature: number;
  /** exp(y) on the range of y (with the margin), with its max absolute error. */
  readonly exp: Approximation;
  /** Step j: 1/S on the range of S = Σ (2 x_j)^2 (weighted minimax: maxError is relative). */
  readonly inverses: readonly Approximation[];
  /** Levels of one step: 1 (square) + depth of g + 1 (product). */
  readonly stepLevels: readonly number[];
  /** rho_j of every step: its input is v = rho_j x_j. */
  readonly factors: readonly number[];
}

function integerIn(value: unknown, lo: number, hi: number, name: string, operation: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < lo || value > hi) throw modelError(operation, `${name} must be an integer in [${lo}, ${hi}], got ${describe(value)}`);
  return value;
}

function positive(value: unknown, name: string, operation: string, min = 0): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= min) throw modelError(operation, `${name} must be a finite number above ${min}, got ${describe(value)}`);
  return value;
}

/** Relative minimax of 1/x on `interval` (0 < a < b). */
function inverseOn(interval: Interval, degree: number): Approximation {
  return minimax((x) => 1 / x, { interval, degree, weight: (x) => x });
}

/** The data ranges a plan needs, from logit rows (training data): y = (x - mean x) / T_0 and max Σ exp(2 y). */
export function squaringRanges(logits: readonly ArrayLike<number>[], initialTemperature: number): Pick<SquaringSoftArgmaxOptions, "inputRange" | "maxSquareSum"> {
  let [lo, hi, maxSquareSum] = [0, 0, 0];
  for (const z of logits) {
    let mean = 0;
    for (let i = 0; i < z.length; i++) mean += z[i]! / z.length;
    let sum = 0;
    for (let i = 0; i < z.length; i++) {
      const y = (z[i]! - mean) / initialTemperature;
      [lo, hi] = [Math.min(lo, y), Math.max(hi, y)];
      sum += Math.exp(2 * y);
    }
    maxSquareSum = Math.max(maxSquareSum, sum);
  }
  return { inputRange: [lo, hi], maxSquareSum };
}

/** The polynomials of the squaring Soft-Argmax for data in the given ranges (FheError on bad options). */
export function squaringSoftArgmaxPlan(options: SquaringSoftArgmaxOptions): SquaringSoftArgmaxPlan {
  const operation = "plan squaring Soft-Argmax";
  if (typeof options !== "object" || options === null) throw modelError(operation, `expected an options object, got ${describe(options)}`);
  const classes = integerIn(options.classes, 2, 256, "classes", operation);
  const initialTemperature = positive(options.initialTemperature, "initialTemperature", operation);
  const squarings = integerIn(options.squarings, 1, 16, "squarings", operation);
  const expDegree = integerIn(options.expDegree ?? 7, 3, 31, "expDegree", operation);
  const inverseDegree = integerIn(options.inverseDegree ?? 7, 3, 31, "inverseDegree", operation);
  const finalInverseDegree = integerIn(options.finalInverseDegree ?? 15, 3, 63, "finalInverseDegree", operation);
  const margin = positive(options.margin ?? 1.25, "margin", operation, 0.999_999);
  const range: unknown = options.inputRange;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === "number" && Number.isFinite(v)) || !(range[0] < 0 && range[1] > 0)) {
    throw modelError(operation, `inputRange must be [lo, hi] with lo < 0 < hi, got ${describe(range)}`);
  }
  const maxSquareSum = positive(options.maxSquareSum, "maxSquareSum", operation, classes - 1e-9);
  const firstFactor = positive(options.firstFactor ?? 2, "firstFactor", operation);
  const refreshFactor = positive(options.refreshFactor ?? 2, "refreshFactor", operation);
  const factors = Array.from({ length: squarings }, (_, j) => (j === 0 ? firstFactor : refreshFactor));
  const exp = minimax(Math.exp, { interval: [margin * range[0], margin * range[1]], degree: expDegree });
  if (!(exp.maxError < 0.05)) throw modelError(operation, `exp has error ${exp.maxError.toPrecision(3)} on [${exp.interval.map((v) => v.toPrecision(3)).join(", ")}]: raise initialTemperature or expDegree`);
  const inverses: Approximation[] = [];
  // Step 0: x_0 = exp(y) has Σ x^2 >= n (Jensen), up to the polynomial's error.
  let domain: Interval = [classes * (1 - 4 * exp.maxError) / margin, maxSquareSum * margin];
  for (let j = 0; j < squarings; j++) {
    const f2 = factors[j]! ** 2;
    const g = inverseOn([f2 * domain[0], f2 * domain[1]], j === squarings - 1 ? finalInverseDegree : inverseDegree);
    if (!(g.maxError < 0.25)) throw modelError(operation, `the inverse of step ${j} has relative error ${g.maxError.toFixed(3)} on [${domain.map((v) => v.toPrecision(3)).join(", ")}]: raise initialTemperature or the inverse degree`);
    inverses.push(g);
    // The next step's x sums to 1 within eps: Σ x^2 in [(1 - eps)^2 / n, (1 + eps)^2].
    const eps = g.maxError;
    domain = [(1 - eps) ** 2 / classes / margin, (1 + eps) ** 2 * margin];
  }
  return {
    classes, initialTemperature, squarings, temperature: initialTemperature / 2 ** squarings, exp, inverses,
    stepLevels: inverses.map((g) => 2 + g.depth), factors,
  };
}

/** The plaintext twin: the expected index and the probabilities, operation for operation as encrypted. */
export function squaringSoftArgmaxPlain(plan: SquaringSoftArgmaxPlan, logits: ArrayLike<number>): { index: number; probabilities: Float64Array } {
  const n = logits.length;
  if (n !== plan.classes) throw modelError("evaluate squaring Soft-Argmax", `expected ${plan.classes} logits, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += logits[i]! / n;
  let x = Float64Array.from({ length: n }, (_, i) => plan.exp.poly.evaluate((logits[i]! - mean) / plan.initialTemperature));
  for (const [j, g] of plan.inverses.entries()) {
    const factor = plan.factors[j]!;
    const v = x.map((xi) => factor * xi);
    const squares = v.map((vi) => vi * vi);
    const r = g.poly.evaluate(squares.reduce((a, b) => a + b, 0));
    x = squares.map((s) => s * r);
  }
  return { index: expectedIndex(x), probabilities: x };
}
