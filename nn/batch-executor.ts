// Runs a planned model on a batch-packed encrypted tensor: linear stages as scalar
// multiply-accumulates across ciphertexts (one rescale per output, no rotations), squares left
// unrelinearized when a linear stage follows (one relinearization per output of that stage
// instead of one per input), polynomials by the circuits' evaluator. Checks after every stage
// that the level and scale equal the plan.

import { PolynomialEvaluator } from "../engine/circuits/poly-eval.js";
import { planScaleTolerance } from "../engine/circuits/plan.js";
import { combineCiphertexts, ScalarLinearMap } from "../engine/circuits/scalar-combination.js";
import type { Ciphertext } from "../engine/ciphertext.js";
import type { Evaluator } from "../engine/evaluator/evaluator.js";
import { FheError } from "../engine/ring/errors.js";
import { batchLayout } from "./layout.js";
import type { ModelPlan, StagePlan } from "./plan.js";
import { EncryptedTensor } from "./tensor.js";

/** Progress callback: called after each stage with its index and the stage count. */
export type StageProgress = (done: number, total: number, stage: StagePlan) => void;

/** Encoded weights of every linear stage, built once per compiled model and parameters. */
export function linearMaps(plan: ModelPlan): (ScalarLinearMap | undefined)[] {
  return plan.stages.map((s) => (s.stage.kind === "linear" ? new ScalarLinearMap(plan.params, s.stage.map, s.stage.map.bias) : undefined));
}

function disposeAll(cts: readonly Ciphertext[]): void {
  for (const ct of cts) ct.dispose();
}

function checkAgainstPlan(cts: readonly Ciphertext[], stage: StagePlan, index: number): void {
  const ct = cts[0];
  if (ct === undefined) return;
  const { level, scale } = stage.output;
  if (ct.level !== level || Math.abs(ct.scale / scale - 1) > planScaleTolerance) {
    throw new FheError("INVALID_ARGUMENT", "run model",
      `stage ${index} (${stage.stage.layers.join("+")}) gave level ${ct.level} and scale 2^${Math.log2(ct.scale).toFixed(3)}, ` +
      `the plan said level ${level} and scale 2^${Math.log2(scale).toFixed(3)} (internal error: please report)`);
  }
}

/**
 * The model's outputs as a new batch tensor (the input stays untouched). Preconditions
 * (checked by the caller): the input matches the plan's input shape, level and scale.
 */
export function runBatch(
  evaluator: Evaluator, plan: ModelPlan, maps: readonly (ScalarLinearMap | undefined)[], input: EncryptedTensor, progress?: StageProgress,
): EncryptedTensor {
  let current: readonly Ciphertext[] = input.ciphertexts;
  const polynomials = new PolynomialEvaluator(evaluator);
  plan.stages.forEach((stage, index) => {
    let next: Ciphertext[];
    try {
      next = runStage(evaluator, polynomials, stage, maps[index], current);
    } finally {
      if (current !== input.ciphertexts) disposeAll(current);
    }
    current = next;
    checkAgainstPlan(current, stage, index);
    progress?.(index + 1, plan.stages.length, stage);
  });
  if (current === input.ciphertexts) current = current.map((ct) => evaluator.copy(ct));
  const last = plan.stages[plan.stages.length - 1];
  const shape = last?.stage.outputShape ?? input.shape;
  return new EncryptedTensor(batchLayout(shape, input.layout.samples, input.layout.slots), current);
}

function runStage(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, map: ScalarLinearMap | undefined, inputs: readonly Ciphertext[],
): Ciphertext[] {
  if (stage.stage.kind === "linear") {
    const outputs = combineCiphertexts(evaluator, inputs, map!);
    if (stage.relinearizations > 0) for (const ct of outputs) evaluator.relinearizeInPlace(ct);
    return outputs;
  }
  const outputs: Ciphertext[] = [];
  try {
    for (const x of inputs) {
      if (stage.polynomial !== undefined) {
        outputs.push(polynomials.evaluate(x, stage.stage.polynomial, { targetScale: stage.output.scale }));
        continue;
      }
      const y = evaluator.square(x);
      outputs.push(y);
      evaluator.rescaleInPlace(y);
      if (stage.outputDegree === 1) evaluator.relinearizeInPlace(y);
    }
    return outputs;
  } catch (error) {
    disposeAll(outputs);
    throw error;
  }
}
