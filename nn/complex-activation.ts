// Activations in complex batch packing (nn/layout.ts): a slot holds x = a + i b, two samples'
// values. Real-weighted linear stages act on a and b at once; an activation f must return
// f(a) + i f(b), which a product of x with itself does not (x^2 mixes them). One conjugation
// separates the parts: u = x + conj(x) = 2a and v = -i (x - conj(x)) = 2b, real in every slot.
// The planner halves the linear stage before an activation, so u and v are then the parts
// themselves. Otherwise (an activation first or after another) they are twice the parts at the
// scale of x (reading them at twice the scale would cost polynomials a level): a square returns
// 4 (a^2 + i b^2), read at 4 times the scale, and a polynomial p is evaluated as p(y / 2).

import type { PolynomialEvaluator } from "../engine/circuits/poly-eval.js";
import { type Ciphertext, ciphertextState } from "../engine/ciphertext.js";
import type { Evaluator } from "../engine/evaluator/evaluator.js";
import { Polynomial } from "../engine/circuits/polynomial.js";
import type { StagePlan } from "./plan.js";
import type { ActivationStage } from "./stages.js";

/** [2a, 2b] of x = a + i b at the scale of x (exact: additions and a product by -i). */
function separateParts(evaluator: Evaluator, x: Ciphertext): [Ciphertext, Ciphertext] {
  using conjugate = evaluator.conjugate(x);
  const a = evaluator.add(x, conjugate);
  let b: Ciphertext | undefined;
  try {
    b = evaluator.sub(x, conjugate);
    evaluator.multiplyByIInPlace(b, -1);
    return [a, b];
  } catch (error) {
    a.dispose();
    b?.dispose();
    throw error;
  }
}

const halvedArguments = new WeakMap<Polynomial, Polynomial>();

/** q(y) = p(y / 2) on twice p's interval (the same depth): p of a part from its double. */
export function argumentHalved(p: Polynomial): Polynomial {
  let q = halvedArguments.get(p);
  if (q === undefined) {
    const interval = [2 * p.interval[0], 2 * p.interval[1]] as const;
    q = p.basis === "chebyshev" ? Polynomial.chebyshev(p.coefficients, interval) : Polynomial.monomial(p.coefficients.map((c, i) => c / 2 ** i), interval);
    halvedArguments.set(p, q);
  }
  return q;
}

/**
 * f(a) + i f(b) for the activation stage `stage` (a square or a polynomial; the caller checks
 * its kind) of x = a + i b, or of x = (a + i b) / 2 after a halved linear stage
 * (stage.halvedInput),
 * at the plan's output level and scale; a square stays of degree 2 when the plan says so (a
 * linear stage follows). Costs one conjugation and two activations of one part each.
 */
export function activateComplex(evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, x: Ciphertext): Ciphertext {
  const activation = stage.stage as ActivationStage;
  const doubled = stage.halvedInput !== true;
  const [a, b] = separateParts(evaluator, x);
  try {
    const activate = (part: Ciphertext): Ciphertext => stage.polynomial !== undefined
      ? polynomials.evaluate(part, doubled ? argumentHalved(activation.polynomial) : activation.polynomial, { targetScale: stage.output.scale })
      : evaluator.square(part);
    const fa = activate(a);
    try {
      using fb = activate(b);
      evaluator.multiplyByIInPlace(fb, 1);
      evaluator.addInPlace(fa, fb);
      if (stage.polynomial === undefined) {
        evaluator.rescaleInPlace(fa);
        if (doubled) ciphertextState(fa).scale *= 4;
        if (stage.outputDegree === 1) evaluator.relinearizeInPlace(fa);
      }
    } catch (error) {
      fa.dispose();
      throw error;
    }
    return fa;
  } finally {
    a.dispose();
    b.dispose();
  }
}
