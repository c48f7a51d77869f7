// Planning a Soft-Argmax stage (batch packing: one ciphertext per class): levels and scales of
// the polynomial, the inverse and the final products, predicted before anything is encrypted.

import { planIteration, type IterationEvaluationPlan } from "../engine/circuits/iteration-plan.js";
import type { LevelScale } from "../engine/circuits/plan.js";
import { planPolynomial, type PolynomialPlan } from "../engine/circuits/poly-plan.js";
import { droppedModulus } from "../engine/evaluator/alignment.js";
import type { Parameters } from "../engine/parameters.js";
import { FheError } from "../engine/ring/errors.js";
import type { SoftArgmaxStage } from "./stages.js";

/** What a Soft-Argmax stage does, predicted. */
export interface SoftArgmaxPlan {
  /** The polynomial on every class (sigmoid or exp / n), ending at the parameters' scale. */
  readonly polynomial: PolynomialPlan;
  /** n classes: 1/S, at the scale that puts the final products on the parameters' scale. */
  readonly inverse?: IterationEvaluationPlan;
  readonly output: LevelScale;
  /** Key switches: the polynomials', the inverse's and one per final product. */
  readonly relinearizations: number;
  readonly products: number;
}

/** Plans `stage` on inputs at `input` (throws FheError from the circuits' planners when levels run out). */
export function planSoftArgmax(params: Parameters, input: LevelScale, stage: SoftArgmaxStage): SoftArgmaxPlan {
  const { layer } = stage;
  const polynomial = planPolynomial(params, input, stage.polynomial, { targetScale: params.scale });
  const perClass = polynomial.keySwitches - polynomial.rotations;
  if (layer.inverse === undefined) {
    // Two classes returning probabilities: [1 − s, s], additions only.
    return { polynomial, output: polynomial.output, relinearizations: perClass, products: polynomial.nonScalarProducts };
  }
  const sum = polynomial.output;
  const untargeted = planIteration(params, sum, layer.inverse);
  if (untargeted.output.level < 1) {
    throw new FheError("INVALID_PARAMETERS", "plan Soft-Argmax",
      `the inverse 1/S ends at level ${untargeted.output.level} and the final product needs one more level: encrypt the input one level higher or use deeper parameters`);
  }
  const q = Number(droppedModulus(params, untargeted.output.level));
  // E = A·r rescaled: scale(A)·scale(r)/q must be the parameters' scale.
  const inverse = planIteration(params, sum, layer.inverse, { targetScale: (params.scale * q) / sum.scale });
  const finals = layer.output === "index" ? 1 : layer.classes;
  return {
    polynomial, inverse,
    output: { level: inverse.output.level - 1, scale: params.scale },
    relinearizations: layer.classes * perClass + inverse.keySwitches + finals,
    products: layer.classes * polynomial.nonScalarProducts + inverse.nonScalarProducts + finals,
  };
}
