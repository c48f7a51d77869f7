// Runs a single-image plan on one ciphertext: linear stages as one linear transform (hoisted
// baby steps, lazy giant steps, one rescale), the log-step rotations that replicate the output,
// and the bias; squares relinearized at once (a transform takes degree-1 input); polynomials by
// the circuits' evaluator. Checks every Galois key before any work and, after every stage, that
// the level and scale equal the plan.

import { applyComposed, rotateBySteps } from "../../engine/circuits/lintrans-composed.js";
import { LinearTransformEvaluator } from "../../engine/circuits/lintrans-eval.js";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import { RotationKeys } from "../../engine/circuits/rotation-keys.js";
import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { checkAgainstPlan, type StageProgress } from "../batch-executor.js";
import type { SingleLayout } from "../layout.js";
import { EncryptedTensor } from "../tensor.js";
import type { SinglePlan, SingleStagePlan } from "./plan.js";
import type { EncodedStage, SingleProgram } from "./program.js";

const operation = "run model";

/**
 * The model's outputs as a new single-packed tensor (the input stays untouched). Throws
 * MISSING_KEY naming every rotation step without an exact Galois key. Preconditions (checked
 * by the caller): the input is in plan.inputLayout at the plan's input level and scale.
 */
export function runSingle(
  evaluator: Evaluator, plan: SinglePlan, program: SingleProgram, input: EncryptedTensor<SingleLayout>, progress?: StageProgress,
): EncryptedTensor<SingleLayout> {
  RotationKeys.require(evaluator, plan.rotationSteps, plan.inputLayout.slots, operation);
  const transforms = new LinearTransformEvaluator(evaluator);
  const polynomials = new PolynomialEvaluator(evaluator);
  const source = input.ciphertexts[0]!;
  let current = source;
  plan.stages.forEach((stage, index) => {
    let next: Ciphertext;
    try {
      const encoded = program.stages[index];
      next = encoded === undefined ? activation(evaluator, polynomials, stage, current) : linear(evaluator, transforms, stage, encoded, current);
    } finally {
      if (current !== source) current.dispose();
    }
    current = next;
    checkAgainstPlan([current], stage, index);
    progress?.(index + 1, plan.stages.length, stage);
  });
  return new EncryptedTensor(plan.outputLayout, [current === source ? evaluator.copy(source) : current]);
}

function linear(evaluator: Evaluator, transforms: LinearTransformEvaluator, stage: SingleStagePlan, encoded: EncodedStage, x: Ciphertext): Ciphertext {
  const y = stage.composed === undefined ? transforms.apply(x, encoded.transform) : applyComposed(evaluator, x, encoded.transform, stage.composed);
  try {
    for (const steps of stage.replicationSteps) {
      using rotated = rotateBySteps(evaluator, y, steps);
      evaluator.addInPlace(y, rotated);
    }
    evaluator.addPlainInPlace(y, encoded.bias);
    return y;
  } catch (error) {
    y.dispose();
    throw error;
  }
}

function activation(evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: SingleStagePlan, x: Ciphertext): Ciphertext {
  if (stage.stage.kind === "activation" && stage.polynomial !== undefined) {
    return polynomials.evaluate(x, stage.stage.polynomial, { targetScale: stage.output.scale });
  }
  const y = evaluator.square(x);
  try {
    evaluator.rescaleInPlace(y);
    evaluator.relinearizeInPlace(y);
    return y;
  } catch (error) {
    y.dispose();
    throw error;
  }
}
