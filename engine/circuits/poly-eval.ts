// Encrypted evaluation of polynomials: executes a PolynomialPlan (poly-plan.ts) with the
// scheme's evaluator and checks, after every step, that the level and scale are the planned ones.

import { Ciphertext, ciphertextState } from "../ciphertext.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { addScalar, mulScalar } from "../ring/arithmetic.js";
import { describe, FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import type { LevelScale } from "./plan.js";
import { accumulateScaled, settleToPlan } from "./plan-execution.js";
import { planPolynomial, type PlanNode, type PolynomialOptions, type PolynomialPlan } from "./poly-plan.js";
import type { Polynomial } from "./polynomial.js";
import { relinearizeRescaleInPlace } from "./relinearize-rescale.js";

const operation = "evaluate polynomial";

/**
 * Evaluates polynomials on every slot of a ciphertext with baby-step giant-step over
 * Chebyshev polynomials: depth ceil(log2(degree + 1)) with the interval's affine map folded
 * in, about 2 sqrt(degree) + log2(degree) ciphertext products (odd and even polynomials only
 * compute the powers they use), and the result at the requested scale. Needs an evaluator
 * with a relinearization key. Owns no keys; results are new ciphertexts owned by the caller.
 */
export class PolynomialEvaluator {
  constructor(readonly evaluator: Evaluator) {
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", "create polynomial evaluator", `expected an Evaluator, got ${describe(evaluator)}`);
  }

  /** The plan for `polynomial` on a ciphertext at `input` (level and scale), without evaluating. */
  plan(input: LevelScale, polynomial: Polynomial, options: PolynomialOptions = {}): PolynomialPlan {
    return planPolynomial(this.evaluator.params, input, polynomial, options ?? {});
  }

  /** p(x) slot-wise, at level input - ceil(log2(degree + 1)) and scale options.targetScale. */
  evaluate(ciphertext: Ciphertext, polynomial: Polynomial, options: PolynomialOptions = {}): Ciphertext {
    const { params } = this.evaluator;
    const x = checkCiphertext(params, ciphertext, operation, 1);
    const plan = this.plan({ level: x.level, scale: x.scale }, polynomial, options);
    return new PlanExecution(this.evaluator, ciphertext, plan).run();
  }
}

/** One execution of a plan: owns the power basis while it runs. */
class PlanExecution {
  readonly #powers = new Map<number, Ciphertext>();

  constructor(readonly evaluator: Evaluator, readonly input: Ciphertext, readonly plan: PolynomialPlan) {}

  run(): Ciphertext {
    try {
      this.linear();
      for (const step of this.plan.powers) this.power(step);
      return this.rescaled(this.plan.root);
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
    const product = ev.multiply(this.#powers.get(step.a)!, this.#powers.get(step.b)!);
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
  private rescaled(node: PlanNode): Ciphertext {
    const ct = this.sum(node);
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

  /** The node's sum at (workLevel, workScale), of the node's degree. */
  private sum(node: PlanNode): Ciphertext {
    const { params } = this.evaluator;
    let result: Ciphertext;
    if (node.kind === "leaf") {
      const basis = params.basisQ(node.workLevel);
      result = new Ciphertext(params, [params.ring.zero(basis, { ntt: true }), params.ring.zero(basis, { ntt: true })], node.workLevel, node.workScale, this.input.slots);
    } else if (node.quotient !== undefined) {
      using quotient = this.rescaled(node.quotient);
      result = this.evaluator.multiply(quotient, this.#powers.get(node.m)!);
    } else {
      result = this.sum(node.top!);
    }
    try {
      const state = ciphertextState(result);
      this.settle(result, { level: node.workLevel, scale: node.workScale }, "a polynomial term");
      if (node.kind === "leaf") {
        for (const term of node.terms) this.accumulate(state.polys, node.workLevel, this.#powers.get(term.index)!, term.factor);
      } else if (node.remainder !== undefined) {
        using remainder = this.sum(node.remainder);
        this.evaluator.addInPlace(result, remainder);
      }
      addScalar(state.polys[0]!, state.polys[0]!, node.constant);
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
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
