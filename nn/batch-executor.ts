// Runs a planned model on a batch-packed encrypted tensor: linear stages as scalar
// multiply-accumulates across ciphertexts (one rescale per output, no rotations), squares left
// unrelinearized when a linear stage follows (one relinearization per output of that stage
// instead of one per input), polynomials by the circuits' evaluator; in complex packing the
// biases go to both parts and activations separate them (nn/complex-activation.ts). Checks after
// every stage that the level and scale equal the plan.

import { PolynomialEvaluator } from "../engine/circuits/poly-eval.js";
import { settleToPlan } from "../engine/circuits/plan-execution.js";
import { combineCiphertexts, ScalarLinearMap } from "../engine/circuits/scalar-combination.js";
import type { Ciphertext } from "../engine/ciphertext.js";
import type { Evaluator } from "../engine/evaluator/evaluator.js";
import { columnSlice, rowSlice } from "./affine.js";
import { activateComplex } from "./complex-activation.js";
import { batchLayout, type BatchLayout } from "./layout.js";
import type { ModelPlan, StagePlan } from "./plan.js";
import { runSoftArgmax } from "./soft-argmax-run.js";
import { EncryptedTensor } from "./tensor.js";

/** Progress callback: called after each stage with its index and the stage count. */
export type StageProgress = (done: number, total: number, stage: StagePlan) => void;

/**
 * Default bytes of ciphertexts above which a linear stage's outputs are streamed in chunks (see
 * {@link StageStep}): 0, every eligible stage. Streaming costs one reduction and one addition per
 * output of the next stage and chunk, and saves holding (and first touching) the whole stage:
 * CryptoNets in complex packing, 2 threads, 10,000 digits: 16.2 s instead of 21.5 s, peak RSS
 * 2.3 GiB instead of 3.5.
 */
export const defaultStreamingBytes = 0;
/** Outputs per chunk of a streamed linear stage (128 and 256 measured alike on CryptoNets; 64 and 512 slower). */
const chunkRows = 256;

/**
 * How a stage runs: on its own (its map), or, for a linear stage whose outputs would take more
 * than the streaming threshold (bytes) and that is followed by an activation and another linear
 * stage, streamed: its outputs are computed `chunkRows` at a time, activated, and accumulated into
 * the next linear stage's outputs (a column slice of its matrix per chunk), so only one chunk
 * lives at a time. Levels, scales and results are those of the stage-by-stage run.
 */
export type StageStep =
  | { readonly kind: "single"; readonly index: number; readonly map?: ScalarLinearMap }
  | { readonly kind: "streamed"; readonly index: number; readonly rows: readonly ScalarLinearMap[]; readonly columns: readonly ScalarLinearMap[] };

/** Bytes of `count` ciphertexts of degree `degree` at `level`. */
function ciphertextBytes(plan: ModelPlan, count: number, level: number, degree: number): number {
  return count * (degree + 1) * plan.params.limbsAt(level) * plan.params.n * 4;
}

/** The execution steps of a plan, with the weights of every linear stage encoded once. */
export function executionSteps(plan: ModelPlan, streamAboveBytes = defaultStreamingBytes): StageStep[] {
  const { params } = plan;
  const steps: StageStep[] = [];
  for (let i = 0; i < plan.stages.length; i++) {
    const stage = plan.stages[i]!;
    const activation = plan.stages[i + 1];
    const next = plan.stages[i + 2];
    if (stage.stage.kind !== "linear") {
      steps.push({ kind: "single", index: i });
      continue;
    }
    const map = stage.stage.map;
    const large = ciphertextBytes(plan, map.rows, stage.input.level, 1) > streamAboveBytes;
    if (large && activation?.stage.kind === "activation" && next?.stage.kind === "linear") {
      const rows: ScalarLinearMap[] = [];
      const columns: ScalarLinearMap[] = [];
      for (let a = 0; a < map.rows; a += chunkRows) {
        const b = Math.min(map.rows, a + chunkRows);
        const rowMap = rowSlice(map, a, b);
        rows.push(new ScalarLinearMap(params, rowMap, rowMap.bias));
        const columnMap = columnSlice(next.stage.map, a, b, a === 0);
        columns.push(new ScalarLinearMap(params, columnMap, a === 0 ? columnMap.bias : undefined));
      }
      steps.push({ kind: "streamed", index: i, rows, columns });
      i += 2;
      continue;
    }
    steps.push({ kind: "single", index: i, map: new ScalarLinearMap(params, map, map.bias) });
  }
  return steps;
}

function disposeAll(cts: readonly Ciphertext[]): void {
  for (const ct of cts) ct.dispose();
}

/** Throws (internal error) unless every ciphertext has the level and scale `stage` planned; records the planned scale exactly. */
export function checkAgainstPlan(cts: readonly Ciphertext[], stage: StagePlan, index: number): void {
  const what = `stage ${index} (${stage.stage.layers.join("+")})`;
  for (const ct of cts) settleToPlan(ct, stage.output, "run model", what);
}

/**
 * The model's outputs as a new batch tensor. The input stays untouched, or with `consumeInput`
 * is disposed once the first step has run (or failed). Preconditions (checked by the caller):
 * the input matches the plan's input shape, level and scale.
 */
export function runBatch(
  evaluator: Evaluator, plan: ModelPlan, steps: readonly StageStep[], input: EncryptedTensor<BatchLayout>, progress?: StageProgress, consumeInput = false,
): EncryptedTensor<BatchLayout> {
  const { samples, slots } = input.layout;
  const inputShape = input.shape;
  let current: readonly Ciphertext[] = input.ciphertexts;
  const polynomials = new PolynomialEvaluator(evaluator);
  const total = plan.stages.length;
  for (const step of steps) {
    let next: Ciphertext[];
    try {
      next = step.kind === "single"
        ? runStage(evaluator, polynomials, plan.stages[step.index]!, step.map, current, plan.complex)
        : runStreamed(evaluator, polynomials, plan, step, current, progress);
    } finally {
      if (current !== input.ciphertexts) disposeAll(current);
      else if (consumeInput) input.dispose();
    }
    current = next;
    const last = step.kind === "single" ? step.index : step.index + 2;
    checkAgainstPlan(current, plan.stages[last]!, last);
    progress?.(last + 1, total, plan.stages[last]!);
  }
  if (current === input.ciphertexts) {
    current = current.map((ct) => evaluator.copy(ct));
    if (consumeInput) input.dispose();
  }
  const last = plan.stages[plan.stages.length - 1];
  const shape = last?.stage.outputShape ?? inputShape;
  return new EncryptedTensor(batchLayout(shape, samples, slots, plan.complex), current);
}

/** A streamed linear → activation → linear triple (see {@link StageStep}). */
function runStreamed(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, plan: ModelPlan, step: Extract<StageStep, { kind: "streamed" }>,
  inputs: readonly Ciphertext[], progress?: StageProgress,
): Ciphertext[] {
  const [first, activation, second] = [plan.stages[step.index]!, plan.stages[step.index + 1]!, plan.stages[step.index + 2]!];
  let sums: Ciphertext[] | undefined;
  try {
    step.rows.forEach((rowMap, c) => {
      const linear = runStage(evaluator, polynomials, first, rowMap, inputs, plan.complex);
      let activated: Ciphertext[];
      try {
        checkAgainstPlan(linear, first, step.index);
        activated = runStage(evaluator, polynomials, activation, undefined, linear, plan.complex);
      } finally {
        disposeAll(linear);
      }
      try {
        checkAgainstPlan(activated, activation, step.index + 1);
        const partial = combineCiphertexts(evaluator, activated, step.columns[c]!, { rescale: false, imaginaryBias: plan.complex });
        if (sums === undefined) {
          sums = partial;
        } else {
          partial.forEach((p, j) => evaluator.addInPlace(sums![j]!, p));
          disposeAll(partial);
        }
      } finally {
        disposeAll(activated);
      }
    });
    if (progress !== undefined) {
      progress(step.index + 1, plan.stages.length, first);
      progress(step.index + 2, plan.stages.length, activation);
    }
    for (const ct of sums!) {
      evaluator.rescaleInPlace(ct);
      if (second.relinearizations > 0) evaluator.relinearizeInPlace(ct);
    }
    return sums!;
  } catch (error) {
    if (sums !== undefined) disposeAll(sums);
    throw error;
  }
}

function runStage(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, map: ScalarLinearMap | undefined, inputs: readonly Ciphertext[],
  complex: boolean,
): Ciphertext[] {
  if (stage.stage.kind === "linear") {
    const outputs = combineCiphertexts(evaluator, inputs, map!, { imaginaryBias: complex });
    if (stage.relinearizations > 0) for (const ct of outputs) evaluator.relinearizeInPlace(ct);
    return outputs;
  }
  if (stage.stage.kind === "softArgmax") return runSoftArgmax(evaluator, polynomials, stage, inputs);
  const outputs: Ciphertext[] = [];
  try {
    for (const x of inputs) {
      if (complex) {
        outputs.push(activateComplex(evaluator, polynomials, stage, x));
        continue;
      }
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
