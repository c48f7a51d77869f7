// Planning the encrypted evaluation of a Chebyshev series: the power basis T_1..T_k, the
// baby-step giant-step recursion, and every level, scale and integer factor, chosen backwards
// from the requested output scale (as Lattigo does) so that every addition is exact and the
// result lands on that scale with no level lost to alignment. No crypto: the executor
// (poly-eval.ts) follows this plan step by step and checks reality against it.

import { droppedModulus } from "../evaluator/alignment.js";
import { scaleFits } from "../evaluator/scale-adjustment.js";
import type { Parameters } from "../parameters.js";
import { describe, FheError, isInteger } from "../ring/errors.js";
import { cleanCoefficients, degreeOf, splitByChebyshev } from "./chebyshev-split.js";
import type { LevelScale, Plan } from "./plan.js";
import { Polynomial } from "./polynomial.js";

const operation = "evaluate polynomial";

/**
 * T_1 = alpha x + beta. Folded (free): the input read at scale s / alpha, plus beta; possible
 * when s / alpha <= 2^0.5 q_level (see {@link foldableInputScale}). Otherwise one level:
 * multiplied by the integer `factor`, plus `shift`, rescaled.
 */
export interface LinearStep extends LevelScale {
  readonly folded: boolean;
  /** 1n when folded. */
  readonly factor: bigint;
  /** round(beta * scale before any rescale), added to c_0. */
  readonly shift: bigint;
  /** Scale before the rescale (unfolded) or of the folded reading. */
  readonly workScale: number;
}

/** T_i = 2 T_a T_b - T_c with a + b = i, c = a - b (T_0 = 1). */
export interface PowerStep extends LevelScale {
  readonly index: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** The product T_a T_b (at the lower of their levels) is read at scale(T_a) scale(T_b) / 2. */
  readonly productScale: number;
  /** c > 0: the integer k with k scale(T_c) ~ productScale (k T_c is subtracted); c = 0: round(productScale). */
  readonly factor: bigint;
  /** Exact integer (a power of two, 1n if none) multiplied after the rescale to keep the scale near q_level. */
  readonly lift: bigint;
}

/**
 * Every node is computed as a sum at `workLevel` = level + 1 and `workScale` = scale *
 * q_workLevel, then (when used on its own: the root and quotients) relinearized if of degree 2
 * and rescaled once to (level, scale). Remainders are summed into their parent before any
 * rescale, so products in a chain of remainders share one relinearization and one rescale.
 */
interface NodeBase extends LevelScale {
  readonly workLevel: number;
  readonly workScale: number;
  /** Degree of the sum: 2 when it holds an unrelinearized product. */
  readonly degree: 1 | 2;
}

/** sum_i factor_i T_i + constant (T_i dropped to workLevel). */
export interface LeafNode extends NodeBase {
  readonly kind: "leaf";
  readonly terms: readonly { readonly index: number; readonly factor: bigint }[];
  readonly constant: bigint;
}

/** quotient * T_m (or the scalar term `top` when the quotient is a constant) + remainder + constant. */
export interface SplitNode extends NodeBase {
  readonly kind: "split";
  readonly m: number;
  /** Delivered rescaled at workLevel and scale workScale / scale(T_m). */
  readonly quotient: PlanNode | undefined;
  readonly top: LeafNode | undefined;
  /** At the same (level, scale): summed unrescaled. */
  readonly remainder: PlanNode | undefined;
  /** round(c * workScale) for the remainder's constant term c. */
  readonly constant: bigint;
}

export type PlanNode = LeafNode | SplitNode;

/** The plan of one polynomial evaluation. */
export interface PolynomialPlan extends Plan {
  readonly polynomial: Polynomial;
  /** The Chebyshev coefficients actually evaluated (negligible ones set to 0). */
  readonly coefficients: readonly number[];
  readonly degree: number;
  readonly babySteps: number;
  readonly linear: LinearStep;
  /** Powers in the order they are computed. */
  readonly powers: readonly PowerStep[];
  readonly root: PlanNode;
}

/** Options of a polynomial evaluation. */
export interface PolynomialOptions {
  /** Scale of the result (default: the parameters' scale). Finite, >= 1, fitting the output level. */
  readonly targetScale?: number;
  /** Baby-step count n1, a power of two >= 2 (default: the one with the fewest key switches, about sqrt(degree + 1)). */
  readonly babySteps?: number;
}

/**
 * Largest scale a power-basis element at `level` (>= 1) is kept at: 2^0.5 q_level. Products
 * of two such elements, read at half their scale and rescaled, stay below it (scale excesses
 * would otherwise double with every squaring); smaller scales are lifted back by exact
 * powers of two.
 */
function bandTop(params: Parameters, level: number): number {
  return Math.SQRT2 * Number(droppedModulus(params, level));
}

/** The scale an unfolded T_1 is brought to at `level`: 2^-0.25 q_level (0.75 bit of margin). */
function bandTarget(params: Parameters, level: number): number {
  return level === 0 ? params.scale : 2 ** -0.25 * Number(droppedModulus(params, level));
}

/**
 * The largest input scale at which the affine map of `polynomial`'s interval onto [-1, 1] is
 * folded in for free at `level` (>= 1): alpha 2^0.5 q_level, alpha = 2 / (b - a). Inputs at a
 * larger scale cost one more level.
 */
export function foldableInputScale(params: Parameters, level: number, polynomial: Polynomial): number {
  params.checkLevel(level, operation);
  if (level === 0) return Infinity;
  return polynomial.change.scale * bandTop(params, level);
}

/** Builds the plan; throws FheError when the input has too few levels or the scales do not fit. */
export function planPolynomial(params: Parameters, input: LevelScale, polynomial: Polynomial, options: PolynomialOptions = {}): PolynomialPlan {
  if (!(polynomial instanceof Polynomial)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Polynomial, got ${describe(polynomial)}`);
  const chebyshev = polynomial.toChebyshev();
  const coefficients = cleanCoefficients(chebyshev.coefficients);
  const degree = coefficients.length - 1;
  if (degree < 1) {
    throw new FheError("INVALID_ARGUMENT", operation, "the polynomial is a constant; add it with Evaluator.addConstant instead");
  }
  const depth = Math.ceil(Math.log2(degree + 1));
  if (input.level < depth) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `degree ${degree} needs ${depth} levels and the ciphertext has ${input.level} left; use a lower degree, a ciphertext at a higher level, or parameters with a larger depth`);
  }
  const targetScale = options.targetScale ?? params.scale;
  if (typeof targetScale !== "number" || !(targetScale >= 1 && targetScale < Infinity)) {
    throw new FheError("INVALID_ARGUMENT", operation, `targetScale must be a finite number >= 1, got ${describe(targetScale)}`);
  }
  const { babySteps } = options;
  if (babySteps !== undefined && (!isInteger(babySteps) || babySteps < 2 || (babySteps & (babySteps - 1)) !== 0 || babySteps > 2 ** 20)) {
    throw new FheError("INVALID_ARGUMENT", operation, `babySteps must be a power of two >= 2, got ${describe(babySteps)}`);
  }
  const build = (n1: number): PolynomialPlan => buildPlan(params, input, polynomial, chebyshev, coefficients, depth, targetScale, n1);
  if (babySteps !== undefined) return build(babySteps);
  // Default: the baby-step count with the fewest key switches (then the fewest products).
  let best: PolynomialPlan | undefined;
  for (let n1 = 2; n1 <= 2 ** Math.ceil(Math.log2(degree + 1)); n1 *= 2) {
    const plan = build(n1);
    if (best === undefined || plan.keySwitches < best.keySwitches ||
      (plan.keySwitches === best.keySwitches && plan.nonScalarProducts < best.nonScalarProducts)) best = plan;
  }
  return best!;
}

function buildPlan(
  params: Parameters, input: LevelScale, polynomial: Polynomial, chebyshev: Polynomial, coefficients: number[],
  depth: number, targetScale: number, babySteps: number,
): PolynomialPlan {
  const degree = coefficients.length - 1;
  const planner = new Planner(params, input, chebyshev, babySteps);
  const levelsUsed = depth + (planner.linear.folded ? 0 : 1);
  if (input.level < levelsUsed) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `degree ${degree} needs ${depth} levels plus one for the change of interval at this input scale, and the ciphertext has ${input.level} left; ` +
      "give the input at a scale of at most foldableInputScale(...) to fold the change of interval in for free");
  }
  const outputLevel = input.level - levelsUsed;
  const root = planner.rescaled(coefficients, outputLevel, targetScale);
  const products = planner.powers.length + planner.splitProducts;
  const keySwitches = planner.powers.length + planner.relinearizations;
  return Object.freeze({
    polynomial, coefficients: Object.freeze(coefficients), degree, babySteps,
    linear: planner.linear, powers: Object.freeze(planner.powers), root,
    input: { level: input.level, scale: input.scale }, output: { level: outputLevel, scale: targetScale },
    levelsUsed, nonScalarProducts: products, keySwitches, rotations: 0,
  });
}

class Planner {
  readonly linear: LinearStep;
  readonly powers: PowerStep[] = [];
  splitProducts = 0;
  /** Relinearizations of sums of products (one per root or quotient that holds a product). */
  relinearizations = 0;
  readonly #byIndex = new Map<number, LevelScale>();

  constructor(readonly params: Parameters, readonly input: LevelScale, polynomial: Polynomial, readonly babySteps: number) {
    const { scale: alpha, shift: beta } = polynomial.change;
    const folded = input.scale / alpha;
    // The same comparison as foldableInputScale, so that an input at exactly that scale folds.
    if (input.level === 0 || input.scale <= alpha * bandTop(params, input.level)) {
      this.linear = { level: input.level, scale: folded, workScale: folded, folded: true, factor: 1n, shift: BigInt(Math.round(beta * folded)) };
    } else {
      // One level: x * round(alpha * w / s) at scale w = target * q_L, plus beta, rescaled to the band.
      const modulus = Number(droppedModulus(params, input.level));
      const target = bandTarget(params, input.level - 1);
      const factor = BigInt(Math.round((alpha * target * modulus) / input.scale));
      const workScale = (input.scale * Number(factor)) / alpha;
      this.linear = {
        level: input.level - 1, scale: workScale / modulus, workScale, folded: false, factor, shift: BigInt(Math.round(beta * workScale)),
      };
    }
    this.#byIndex.set(1, this.linear);
  }

  /** The level of T_i (T_1 at the linear step's level). */
  powerLevel(i: number): number {
    return this.linear.level - Math.ceil(Math.log2(i));
  }

  /** Planned level and scale of T_i, planning the steps that compute it on first use. */
  power(i: number): LevelScale {
    const known = this.#byIndex.get(i);
    if (known !== undefined) return known;
    const isPowerOfTwo = (i & (i - 1)) === 0;
    const a = isPowerOfTwo ? i / 2 : 2 ** Math.floor(Math.log2(i));
    const b = i - a;
    const c = a - b;
    const ta = this.power(a);
    const tb = this.power(b);
    const productLevel = Math.min(ta.level, tb.level);
    const productScale = (ta.scale * tb.scale) / 2;
    this.requireFits(productScale, productLevel, `T_${i}`);
    const factor = c === 0 ? BigInt(Math.round(productScale)) : BigInt(Math.round(productScale / this.power(c).scale));
    const level = productLevel - 1;
    const rescaled = productScale / Number(droppedModulus(this.params, productLevel));
    const lift = level === 0 ? 1 : 2 ** Math.max(0, Math.floor(Math.log2(bandTop(this.params, level) / rescaled)));
    const step: PowerStep = { index: i, a, b, c, productScale, factor, lift: BigInt(lift), level, scale: rescaled * lift };
    this.powers.push(step);
    this.#byIndex.set(i, step);
    return step;
  }

  /** Plans sum c_i T_i delivered at exactly (level, scale), as a root or quotient (rescaled). */
  rescaled(c: readonly number[], level: number, scale: number): PlanNode {
    const node = this.node(c, level, scale);
    if (node.degree === 2) this.relinearizations++;
    return node;
  }

  /** Plans sum c_i T_i as a sum at (level + 1, scale * q_(level+1)). */
  private node(c: readonly number[], level: number, scale: number): PlanNode {
    const degree = degreeOf(c);
    const leafFits = c.every((x, i) => i === 0 || x === 0 || this.powerLevel(i) >= level + 1);
    if (degree < this.babySteps && leafFits) return this.leaf(c, level, scale);
    const m = 2 ** Math.floor(Math.log2(degree));
    if (degree < 2 || this.powerLevel(m) < level + 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `internal planning error: no way to reach level ${level} for degree ${degree}`);
    }
    const { quotient, remainder } = splitByChebyshev(c, m);
    const workLevel = level + 1;
    const workScale = scale * Number(droppedModulus(this.params, workLevel));
    this.requireFits(workScale, workLevel, `the product with T_${m}`);
    const remainderDegree = degreeOf(remainder);
    const rest = remainderDegree === 0 ? undefined : this.node(remainder, level, scale);
    const constant = remainderDegree === 0 ? BigInt(Math.round(remainder[0]! * workScale)) : 0n;
    let q: PlanNode | undefined;
    let top: LeafNode | undefined;
    if (degreeOf(quotient) === 0) {
      const single = new Array<number>(m + 1).fill(0);
      single[m] = quotient[0]!;
      top = this.leaf(single, level, scale);
    } else {
      this.splitProducts++;
      q = this.rescaled(quotient, workLevel, workScale / this.power(m).scale);
    }
    const quadratic = q !== undefined || rest?.degree === 2;
    return { kind: "split", m, level, scale, workLevel, workScale, degree: quadratic ? 2 : 1, quotient: q, top, remainder: rest, constant };
  }

  private leaf(c: readonly number[], level: number, scale: number): LeafNode {
    const workLevel = level + 1;
    const accumulatorScale = scale * Number(droppedModulus(this.params, workLevel));
    this.requireFits(accumulatorScale, workLevel, "a baby-step polynomial");
    const terms = [];
    for (let i = 1; i < c.length; i++) {
      if (c[i] === 0) continue;
      terms.push({ index: i, factor: BigInt(Math.round((c[i]! * accumulatorScale) / this.power(i).scale)) });
    }
    return { kind: "leaf", level, scale, workLevel, workScale: accumulatorScale, degree: 1, terms, constant: BigInt(Math.round(c[0]! * accumulatorScale)) };
  }

  private requireFits(scale: number, level: number, what: string): void {
    if (!scaleFits(this.params, scale, level)) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `${what} would need scale 2^${Math.log2(scale).toFixed(1)} at level ${level}, more than its ${this.params.logModulus(level).toFixed(0)}-bit modulus holds; use a smaller targetScale or input scale`);
    }
  }
}
