// Encrypted execution of iteration plans (1/x, 1/sqrt(x)): runPlan over ciphertexts, in
// lockstep with the planner's arithmetic of levels and scales (iteration-plan.ts), which decides
// every step; after each step the ciphertext's level and scale are checked against it.

import { type Ciphertext, ciphertextState } from "../ciphertext.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { describe, FheError } from "../ring/errors.js";
import type { IterationPlan, PlanOps } from "./approx/inverse.js";
import { runPlan } from "./approx/inverse.js";
import {
  type IterationEvaluationOptions, type IterationEvaluationPlan, iterationOperation as operation, IterationPlanner, planIteration, type PlannedValue,
} from "./iteration-plan.js";
import type { LevelScale } from "./plan.js";
import { accumulateScaled, settleToPlan } from "./plan-execution.js";
import { PolynomialEvaluator } from "./poly-eval.js";
import type { Polynomial } from "./polynomial.js";

/**
 * Evaluates iteration plans (approx.inverse: 1/x by Goldschmidt; approx.invSqrt: 1/sqrt(x) by
 * Newton) on every slot of a ciphertext whose slots lie in the plan's interval [a, b]: the
 * minimax initial guess with the polynomial evaluator, then the iterations, at depth plan.depth
 * (one more when the input's scale is above foldableInputScale(params, level, plan.initial),
 * for the change of interval) and the result at the requested scale. Needs an evaluator with a
 * relinearization key. Owns no keys; results are new ciphertexts owned by the caller.
 */
export class IterationEvaluator {
  readonly #polynomials: PolynomialEvaluator;

  constructor(readonly evaluator: Evaluator) {
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", "create iteration evaluator", `expected an Evaluator, got ${describe(evaluator)}`);
    this.#polynomials = new PolynomialEvaluator(evaluator);
  }

  /** The plan for `iteration` on a ciphertext at `input` (level and scale), without evaluating. */
  plan(input: LevelScale, iteration: IterationPlan, options: IterationEvaluationOptions = {}): IterationEvaluationPlan {
    return planIteration(this.evaluator.params, input, iteration, options);
  }

  /**
   * f(x) slot-wise (1/x or 1/sqrt(x), within iteration.predictedError plus the CKKS noise), at
   * level input - plan.levelsUsed and scale options.targetScale. Slots outside [a, b] give
   * unspecified values.
   */
  evaluate(ciphertext: Ciphertext, iteration: IterationPlan, options: IterationEvaluationOptions = {}): Ciphertext {
    const x = checkCiphertext(this.evaluator.params, ciphertext, operation, 1);
    const plan = this.plan({ level: x.level, scale: x.scale }, iteration, options);
    if (plan.keySwitches > 0 && !this.evaluator.canRelinearize) {
      throw new FheError("MISSING_KEY", operation,
        `the plan relinearizes ${plan.keySwitches} products and the evaluator has no relinearization key: pass { relinearizationKey: keyGenerator.createRelinearizationKey() } to the Evaluator`);
    }
    return new Execution(this.evaluator, this.#polynomials, plan).run(ciphertext);
  }
}

/** A ciphertext with the planner's value it must match. */
interface CipherValue {
  readonly planned: PlannedValue;
  readonly ct: Ciphertext;
}

/** One execution: PlanOps over ciphertexts, owning every intermediate until the end. */
class Execution implements PlanOps<CipherValue> {
  readonly #planner: IterationPlanner;
  readonly #owned: Ciphertext[] = [];
  readonly #rescaled = new Map<CipherValue, CipherValue>();

  constructor(readonly evaluator: Evaluator, readonly polynomials: PolynomialEvaluator, readonly plan: IterationEvaluationPlan) {
    this.#planner = new IterationPlanner(evaluator.params, plan.iteration, plan.initialScale);
  }

  run(input: Ciphertext): Ciphertext {
    let result: Ciphertext | undefined;
    try {
      const x: CipherValue = { planned: { ...this.plan.input, pending: false, exponent: 0 }, ct: input };
      const output = this.ready(runPlan(this.plan.iteration, x, this)).ct;
      settleToPlan(output, this.plan.output, operation, "the result");
      result = output;
      return output;
    } finally {
      for (const ct of this.#owned) if (ct !== result) ct.dispose();
    }
  }

  polynomial(x: CipherValue, p: Polynomial): CipherValue {
    const planned = this.#planner.polynomial(x.planned, p);
    return this.settled(this.owned(this.polynomials.evaluate(x.ct, p, { targetScale: this.plan.initialScale })), planned, "the initial guess");
  }

  mul(a: CipherValue, b: CipherValue): CipherValue {
    const planned = this.#planner.mul(a.planned, b.planned);
    const x = this.ready(a);
    const product = this.owned(a === b ? this.evaluator.square(x.ct) : this.evaluator.multiply(x.ct, this.ready(b).ct));
    this.evaluator.relinearizeInPlace(product);
    return this.settled(product, planned, "a product");
  }

  mulConstant(a: CipherValue, c: number): CipherValue {
    const planned = this.#planner.mulConstant(a.planned, c);
    const ct = this.owned(this.evaluator.copy(a.ct));
    ciphertextState(ct).scale = planned.scale;
    return { planned, ct };
  }

  addConstant(a: CipherValue, c: number): CipherValue {
    return this.settled(this.owned(this.evaluator.addConstant(a.ct, c)), this.#planner.addConstant(a.planned), "a sum with a constant");
  }

  add(a: CipherValue, b: CipherValue): CipherValue {
    return this.sum(a, b, 1n);
  }

  sub(a: CipherValue, b: CipherValue): CipherValue {
    return this.sum(a, b, -1n);
  }

  /** a + sign * b as the planner decides: the pending product, plus the other operand times an integer. */
  private sum(a: CipherValue, b: CipherValue, sign: 1n | -1n): CipherValue {
    const step = this.#planner.sum(a.planned, b.planned, sign);
    const [pending, other] = step.pendingOperand === 0 ? [a, b] : [b, a];
    const ct = this.owned(this.evaluator.copy(pending.ct));
    if (step.pendingSign < 0n) this.evaluator.negateInPlace(ct);
    accumulateScaled(this.evaluator.params, ciphertextState(ct).polys, step.value.level, this.ready(other).ct, step.factor);
    return this.settled(ct, step.value, "a sum");
  }

  /** The value as a multiplication operand: rescaled once if pending. */
  private ready(v: CipherValue): CipherValue {
    if (!v.planned.pending) return v;
    let rescaled = this.#rescaled.get(v);
    if (rescaled === undefined) {
      rescaled = this.settled(this.owned(this.evaluator.rescale(v.ct)), this.#planner.ready(v.planned), "a rescaled product");
      this.#rescaled.set(v, rescaled);
    }
    return rescaled;
  }

  /** Checks ct (owned) against the plan and pairs them. */
  private settled(ct: Ciphertext, planned: PlannedValue, what: string): CipherValue {
    settleToPlan(ct, planned, operation, what);
    return { planned, ct };
  }

  /** Records ct as an intermediate of this execution (disposed at the end unless it is the result). */
  private owned(ct: Ciphertext): Ciphertext {
    this.#owned.push(ct);
    return ct;
  }
}
