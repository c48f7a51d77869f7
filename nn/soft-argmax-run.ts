// Running a planned Soft-Argmax stage on batch-packed ciphertexts (one per class), following
// layers/soft-argmax.ts operation for operation and checking every step against the plan.

import { IterationEvaluator } from "../engine/circuits/iteration-eval.js";
import { settleToPlan } from "../engine/circuits/plan-execution.js";
import type { PolynomialEvaluator } from "../engine/circuits/poly-eval.js";
import type { Ciphertext } from "../engine/ciphertext.js";
import type { Evaluator } from "../engine/evaluator/evaluator.js";
import type { StagePlan } from "./plan.js";

const operation = "run model";

/** The stage's outputs: [E] (index) or the probabilities. Inputs are not disposed. */
export function runSoftArgmax(evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, inputs: readonly Ciphertext[]): Ciphertext[] {
  const plan = stage.softArgmax!;
  if (stage.stage.kind !== "softArgmax") throw new TypeError("runSoftArgmax needs a softArgmax stage");
  const { layer, polynomial } = stage.stage;
  const owned: Ciphertext[] = [];
  const keep = <T extends Ciphertext>(ct: T): T => {
    owned.push(ct);
    return ct;
  };
  const results: Ciphertext[] = [];
  try {
    const values = inputs.map((x, i) => {
      const e = keep(polynomials.evaluate(x, polynomial, { targetScale: plan.polynomial.output.scale }));
      settleToPlan(e, plan.polynomial.output, operation, `the Soft-Argmax polynomial of class ${i}`);
      return e;
    });
    if (plan.inverse === undefined) {
      // Two classes, probabilities [1 − s, s].
      const s = values[0]!;
      const complement = evaluator.negate(s);
      results.push(complement);
      evaluator.addConstantInPlace(complement, 1);
      results.push(evaluator.copy(s));
      return results;
    }
    // Suffix sums: T_k = Σ_{i ≥ k} ê_i; A = Σ_{k ≥ 1} T_k = Σ_i i·ê_i; S = T_0.
    const n = values.length;
    const suffix = keep(evaluator.copy(values[n - 1]!));
    const weighted = keep(evaluator.copy(suffix));
    for (let k = n - 2; k >= 1; k--) {
      evaluator.addInPlace(suffix, values[k]!);
      evaluator.addInPlace(weighted, suffix);
    }
    evaluator.addInPlace(suffix, values[0]!);
    const inverse = keep(new IterationEvaluator(evaluator).evaluate(suffix, layer.inverse!, { targetScale: plan.inverse.output.scale }));
    settleToPlan(inverse, plan.inverse.output, operation, "the Soft-Argmax inverse 1/S");
    const numerators = layer.output === "index" ? [weighted] : values;
    for (const numerator of numerators) {
      const aligned = keep(evaluator.dropLevel(numerator, inverse.level));
      const product = evaluator.mulRelin(aligned, inverse);
      results.push(product);
      evaluator.rescaleInPlace(product);
      settleToPlan(product, plan.output, operation, "a Soft-Argmax output");
    }
    return results;
  } catch (error) {
    for (const ct of results) ct.dispose();
    throw error;
  } finally {
    for (const ct of owned) ct.dispose();
  }
}
