// Encrypted evaluation of polynomials: executes a PolynomialPlan (poly-plan.ts) with the
// scheme's evaluator and checks, after every step, that the level and scale are the planned ones.

import { Ciphertext, ciphertextState } from "../ciphertext.js";
import { Encoder } from "../encoding/encoder.js";
import { viewsAtLevel } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { add, addScalar, mulCoeffsAdd, mulScalar } from "../ring/arithmetic.js";
import { describe, FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import type { LevelScale } from "./plan.js";
import { accumulateScaled, settleToPlan } from "./plan-execution.js";
import { planPolynomial, type PlanNode, type PolynomialOptions, type PolynomialPlan } from "./poly-plan.js";
import { splitByChebyshev } from "./chebyshev-split.js";
import type { Plaintext } from "../plaintext.js";
import type { Polynomial } from "./polynomial.js";
import { PolynomialVector } from "./poly-vector.js";
import { relinearizeRescaleInPlace } from "./relinearize-rescale.js";

/** Coefficient arrays of a node, one per polynomial of a vector (undefined for a single polynomial). */
type VectorCoefficients = readonly (readonly number[])[] | undefined;

const operation = "evaluate polynomial";

/**
 * Evaluates polynomials on every slot of a ciphertext with baby-step giant-step over
 * Chebyshev polynomials: depth ceil(log2(degree + 1)) with the interval's affine map folded
 * in, about 2 sqrt(degree) + log2(degree) ciphertext products (odd and even polynomials only
 * compute the powers they use), and the result at the requested scale. A PolynomialVector
 * (a polynomial per slot) costs the same levels and key switches; its coefficients are encoded
 * as plaintexts once per plan and cached with the vector. Needs an evaluator with a relinearization key. Owns no keys;
 * results are new ciphertexts owned by the caller.
 */
export class PolynomialEvaluator {
  #encoder: Encoder | undefined;
  /** Encoded coefficients of each vector, by plan input, tree path and coefficient (freed with the vector). */
  readonly #encoded = new WeakMap<PolynomialVector, Map<string, Plaintext>>();

  constructor(readonly evaluator: Evaluator) {
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", "create polynomial evaluator", `expected an Evaluator, got ${describe(evaluator)}`);
  }

  /** The plan for `polynomial` (a vector: its representative's) on a ciphertext at `input` (level and scale), without evaluating. */
  plan(input: LevelScale, polynomial: Polynomial | PolynomialVector, options: PolynomialOptions = {}): PolynomialPlan {
    const single = polynomial instanceof PolynomialVector ? polynomial.representative : polynomial;
    return planPolynomial(this.evaluator.params, input, single, options ?? {});
  }

  /**
   * p(x) slot-wise (p_{assignment[s]}(x[s]) for a vector, whose assignment must have the
   * ciphertext's slot count), at level input - ceil(log2(degree + 1)) and scale options.targetScale.
   */
  evaluate(ciphertext: Ciphertext, polynomial: Polynomial | PolynomialVector, options: PolynomialOptions = {}): Ciphertext {
    const { params } = this.evaluator;
    const x = checkCiphertext(params, ciphertext, operation, 1);
    const plan = this.plan({ level: x.level, scale: x.scale }, polynomial, options);
    if (!(polynomial instanceof PolynomialVector)) return new PlanExecution(this.evaluator, ciphertext, plan).run();
    if (polynomial.slots !== x.slots) {
      throw new FheError("INVALID_ARGUMENT", operation, `the polynomial vector assigns ${polynomial.slots} slots and the ciphertext has ${x.slots}; give one polynomial index per slot`);
    }
    this.#encoder ??= new Encoder(params);
    let cache = this.#encoded.get(polynomial);
    if (cache === undefined) this.#encoded.set(polynomial, (cache = new Map()));
    return new PlanExecution(this.evaluator, ciphertext, plan, { vector: polynomial, encoder: this.#encoder, cache, key: `${x.level}:${x.scale}:${plan.babySteps}:${plan.output.scale}` }).run();
  }
}

/** One execution of a plan: owns the power basis while it runs. */
class PlanExecution {
  readonly #powers = new Map<number, Ciphertext>();

  constructor(
    readonly evaluator: Evaluator, readonly input: Ciphertext, readonly plan: PolynomialPlan,
    readonly vector?: { readonly vector: PolynomialVector; readonly encoder: Encoder; readonly cache: Map<string, Plaintext>; readonly key: string },
  ) {}

  run(): Ciphertext {
    try {
      this.linear();
      for (const step of this.plan.powers) this.power(step);
      return this.rescaled(this.plan.root, this.vector?.vector.coefficients, "root");
    } finally {
      for (const ct of this.#powers.values()) ct.dispose();
    }
  }

  private linear(): void {
    const { linear } = this.plan;
    const t1 = this.evaluator.copy(this.input);
    try {
      const state = ciphertextState(t1);
      if (!linear.folded) for (const poly of state.polys) mulScalar(poly, poly, linear.factor);
      state.scale = linear.workScale;
      addScalar(state.polys[0]!, state.polys[0]!, linear.shift);
      if (!linear.folded) this.evaluator.rescaleInPlace(t1);
      this.settle(t1, linear, "T_1");
    } catch (error) {
      t1.dispose();
      throw error;
    }
    this.#powers.set(1, t1);
  }

  private power(step: PolynomialPlan["powers"][number]): void {
    const ev = this.evaluator;
    const a = this.#powers.get(step.a)!;
    const product = step.a === step.b ? ev.square(a) : ev.multiply(a, this.#powers.get(step.b)!);
    try {
      const state = ciphertextState(product);
      state.scale = step.productScale;
      if (step.c === 0) {
        addScalar(state.polys[0]!, state.polys[0]!, -step.factor);
      } else {
        this.accumulate(state.polys, state.level, this.#powers.get(step.c)!, -step.factor);
      }
      relinearizeRescaleInPlace(ev, product, operation);
      if (step.lift !== 1n) {
        for (const poly of state.polys) mulScalar(poly, poly, step.lift);
        state.scale *= Number(step.lift);
      }
      this.settle(product, step, `T_${step.index}`);
    } catch (error) {
      product.dispose();
      throw error;
    }
    this.#powers.set(step.index, product);
  }

  /** A root or quotient: its sum, relinearized if of degree 2, rescaled to (level, scale). */
  private rescaled(node: PlanNode, coefficients: VectorCoefficients, path: string): Ciphertext {
    const ct = this.sum(node, coefficients, path);
    try {
      if (node.degree === 2) relinearizeRescaleInPlace(this.evaluator, ct, operation);
      else this.evaluator.rescaleInPlace(ct);
      this.settle(ct, node, "a polynomial term");
    } catch (error) {
      ct.dispose();
      throw error;
    }
    return ct;
  }

  /**
   * The node's sum at (workLevel, workScale), of the node's degree. With `coefficients` (a
   * vector), its coefficients are those arrays, split along the plan's tree, instead of the
   * plan's integer factors; `path` names the node in the tree (the key of its encoded coefficients).
   */
  private sum(node: PlanNode, coefficients: VectorCoefficients, path: string): Ciphertext {
    const { params } = this.evaluator;
    const splits = node.kind === "split" ? coefficients?.map((c) => splitAt(c, node.m)) : undefined;
    let result: Ciphertext;
    if (node.kind === "leaf") {
      const basis = params.basisQ(node.workLevel);
      result = new Ciphertext(params, [params.ring.zero(basis, { ntt: true }), params.ring.zero(basis, { ntt: true })], node.workLevel, node.workScale, this.input.slots);
    } else if (node.quotient !== undefined) {
      using quotient = this.rescaled(node.quotient, splits?.map((s) => s.quotient), `${path}.q`);
      result = this.evaluator.multiply(quotient, this.#powers.get(node.m)!);
    } else {
      result = this.sum(node.top!, splits?.map((s) => Array.from({ length: node.m + 1 }, (_, i) => (i === node.m ? s.quotient[0] ?? 0 : 0))), `${path}.t`);
    }
    try {
      const state = ciphertextState(result);
      this.settle(result, { level: node.workLevel, scale: node.workScale }, "a polynomial term");
      if (node.kind === "leaf") {
        if (coefficients !== undefined) this.checkSupport(coefficients, node.terms.map((t) => t.index));
        for (const term of node.terms) {
          const power = this.#powers.get(term.index)!;
          if (coefficients === undefined) this.accumulate(state.polys, node.workLevel, power, term.factor);
          else this.accumulateVector(state.polys, node.workLevel, power, this.encodeVector(coefficients, term.index, node.workLevel, node.workScale / power.scale, path));
        }
      } else if (node.remainder !== undefined) {
        using remainder = this.sum(node.remainder, splits?.map((s) => s.remainder), `${path}.r`);
        this.evaluator.addInPlace(result, remainder);
      } else if (splits !== undefined) {
        this.checkSupport(splits.map((s) => s.remainder), []);
      }
      if (coefficients === undefined) addScalar(state.polys[0]!, state.polys[0]!, node.constant);
      else if (node.kind === "leaf" || node.remainder === undefined) {
        const constants = node.kind === "leaf" ? coefficients : splits!.map((s) => s.remainder);
        add(state.polys[0]!, state.polys[0]!, this.encodeVector(constants, 0, node.workLevel, node.workScale, path).poly);
      }
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  /** The plaintext of coefficient i of every slot's polynomial at node `path`, at `level` and `scale`: encoded once per plan (cached, owned by the cache). */
  private encodeVector(coefficients: readonly (readonly number[])[], i: number, level: number, scale: number, path: string): Plaintext {
    const { vector, encoder, cache, key } = this.vector!;
    const name = `${key}:${path}:${i}`;
    let plaintext = cache.get(name);
    if (plaintext === undefined) {
      plaintext = encoder.encode(vector.slotValues(coefficients, i), { level, scale, slots: this.input.slots });
      cache.set(name, plaintext);
    }
    return plaintext;
  }

  /** target += plaintext ⊙ source (dropped to `level`). */
  private accumulateVector(target: readonly RnsPoly[], level: number, source: Ciphertext, plaintext: Plaintext): void {
    const views = viewsAtLevel(this.evaluator.params, ciphertextState(source), level);
    try {
      views.forEach((view, j) => mulCoeffsAdd(target[j]!, view, plaintext.poly));
    } finally {
      for (const view of views) view.dispose();
    }
  }

  /** Throws when a polynomial of the vector has a non-zero coefficient (index >= 1) the plan's node has no term for. */
  private checkSupport(coefficients: readonly (readonly number[])[], indices: readonly number[]): void {
    for (const c of coefficients) {
      const missing = c.findIndex((x, i) => i >= 1 && x !== 0 && !indices.includes(i));
      if (missing !== -1) throw new FheError("INVALID_ARGUMENT", operation, `internal error: the plan of the polynomial vector has no term for T_${missing}`);
    }
  }

  /** target (polynomials at `level`) += factor * source (dropped to `level`), both parts. */
  private accumulate(target: readonly RnsPoly[], level: number, source: Ciphertext, factor: bigint): void {
    accumulateScaled(this.evaluator.params, target, level, source, factor);
  }

  /** Checks a step's result against the plan, then records the planned scale exactly. */
  private settle(ct: Ciphertext, planned: LevelScale, what: string): void {
    settleToPlan(ct, planned, operation, what);
  }
}

/** splitByChebyshev for coefficient arrays of any length (a polynomial of degree below m has quotient 0). */
function splitAt(coefficients: readonly number[], m: number): { quotient: number[]; remainder: number[] } {
  return coefficients.length > m ? splitByChebyshev(coefficients, m) : { quotient: [0], remainder: coefficients.slice() };
}
