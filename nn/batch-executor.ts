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
import { columnSlice, rowSlice, usedColumns, type Affine } from "./affine.js";
import { activateComplex } from "./complex-activation.js";
import { batchLayout, type BatchLayout } from "./layout.js";
import type { ModelPlan, StagePlan } from "./plan.js";
import { runSoftArgmax } from "./soft-argmax-run.js";
import type { ActivationStage } from "./stages.js";
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
 * Outputs of the next linear stage per block of its partial sums: a chunk's contribution to a
 * block is computed and added at once, so the temporaries are one block, not the whole stage.
 */
const accumulateRows = 128;

/** Rows [first, first + map.outputs) of the next linear stage, restricted to one chunk's columns. */
export interface ColumnBlock {
  readonly first: number;
  readonly map: ScalarLinearMap;
}

/**
 * How a stage runs: on its own (its map), or, for a linear stage whose outputs would take more
 * than the streaming threshold (bytes) and that is followed by an activation and another linear
 * stage, streamed: its outputs are computed `chunkRows` at a time, activated, and accumulated into
 * the next linear stage's outputs (a column slice of its matrix per chunk), so only one chunk
 * lives at a time. Levels, scales and results are those of the stage-by-stage run.
 */
export type StageStep =
  | { readonly kind: "single"; readonly index: number; readonly map?: ScalarLinearMap }
  | {
    readonly kind: "streamed"; readonly index: number;
    /** rows[c]: chunk c's outputs of the linear stage, over inputs inputsOf[c] (the ones it reads). */
    readonly rows: readonly ScalarLinearMap[];
    readonly inputsOf: readonly Int32Array[];
    /** columns[c]: the blocks of the next stage that chunk c contributes to (a block's bias comes with its first contribution). */
    readonly columns: readonly (readonly ColumnBlock[])[];
    /** lastChunk[i]: the last chunk that reads input i (-1: none), so a consumed input can go once it is past. */
    readonly lastChunk: Int32Array;
    /** closes[c]: the blocks (by index) that receive their last contribution from chunk c: they are rescaled (and relinearized) then. */
    readonly closes: readonly number[][];
  };

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
      steps.push(streamedStep(plan, i, map, next.stage.map));
      i += 2;
      continue;
    }
    steps.push({ kind: "single", index: i, map: new ScalarLinearMap(params, map, map.bias) });
  }
  return steps;
}

/** The streamed step of the linear stage `index` (map `map`), its activation and the linear stage after (map `next`). */
function streamedStep(plan: ModelPlan, index: number, map: Affine, next: Affine): Extract<StageStep, { kind: "streamed" }> {
  const { params } = plan;
  const rows: ScalarLinearMap[] = [];
  const inputsOf: Int32Array[] = [];
  const chunks: Affine[][] = [];
  const lastChunk = new Int32Array(map.cols).fill(-1);
  for (let a = 0; a < map.rows; a += chunkRows) {
    const b = Math.min(map.rows, a + chunkRows);
    const sliced = rowSlice(map, a, b);
    // A chunk of all-zero rows reads nothing; it keeps input 0 so that the combination has an operand.
    const { map: rowMap, used } = sliced.values.length > 0 ? usedColumns(sliced) : { map: { ...sliced, cols: 1 }, used: Int32Array.of(0) };
    rows.push(new ScalarLinearMap(params, rowMap, rowMap.bias));
    inputsOf.push(used);
    for (const column of used) lastChunk[column] = rows.length - 1;
    const columnMap = columnSlice(next, a, b, false);
    const blocks: Affine[] = [];
    for (let r = 0; r < next.rows; r += accumulateRows) blocks.push(rowSlice(columnMap, r, Math.min(next.rows, r + accumulateRows)));
    chunks.push(blocks);
  }
  // A block starts (with its bias) at the first chunk that has weights in it (chunk 0 if none has).
  const opensAt = (chunks[0] ?? []).map((_, k) => Math.max(0, chunks.findIndex((blocks) => blocks[k]!.values.length > 0)));
  const columns = chunks.map((blocks, c) => blocks.flatMap((block, k): ColumnBlock[] => {
    const first = k * accumulateRows;
    const opening = c === opensAt[k];
    if (!opening && block.values.length === 0) return [];
    const bias = opening ? next.bias.slice(first, first + block.rows) : undefined;
    return [{ first, map: new ScalarLinearMap(params, block, bias) }];
  }));
  const closes: number[][] = columns.map(() => []);
  const lastContribution = new Map<number, number>();
  columns.forEach((blocks, c) => { for (const block of blocks) lastContribution.set(block.first / accumulateRows, c); });
  for (const [k, c] of lastContribution) closes[c]!.push(k);
  return { kind: "streamed", index, rows, inputsOf, columns, lastChunk, closes };
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
    // Intermediate ciphertexts are ours, and so is the input when consumed: a step frees them as it goes.
    const owned = consumeInput || current !== input.ciphertexts;
    try {
      next = step.kind === "single"
        ? runStage(evaluator, polynomials, plan.stages[step.index]!, step.map, current, plan.complex, owned)
        : runStreamed(evaluator, polynomials, plan, step, current, progress, owned);
    } finally {
      if (current !== input.ciphertexts) disposeAll(current);
      else if (consumeInput) input.dispose();
    }
    current = next;
    const last = step.kind === "single" ? step.index : step.index + 2;
    try {
      checkAgainstPlan(current, plan.stages[last]!, last);
      progress?.(last + 1, total, plan.stages[last]!);
    } catch (error) {
      disposeAll(current);
      throw error;
    }
  }
  if (current === input.ciphertexts) {
    current = current.map((ct) => evaluator.copy(ct));
    if (consumeInput) input.dispose();
  }
  const last = plan.stages[plan.stages.length - 1];
  const shape = last?.stage.outputShape ?? inputShape;
  return new EncryptedTensor(batchLayout(shape, samples, slots, plan.complex), current);
}

/**
 * A streamed linear → activation → linear triple (see {@link StageStep}). With `consumeInputs`,
 * each input is disposed after the last chunk that reads it.
 */
function runStreamed(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, plan: ModelPlan, step: Extract<StageStep, { kind: "streamed" }>,
  inputs: readonly Ciphertext[], progress: StageProgress | undefined, consumeInputs: boolean,
): Ciphertext[] {
  const [first, activation, second] = [plan.stages[step.index]!, plan.stages[step.index + 1]!, plan.stages[step.index + 2]!];
  const sums: Ciphertext[][] = [];
  try {
    step.rows.forEach((rowMap, c) => {
      const linear = runStage(evaluator, polynomials, first, rowMap, Array.from(step.inputsOf[c]!, (i) => inputs[i]!), plan.complex, false);
      let activated: Ciphertext[];
      try {
        checkAgainstPlan(linear, first, step.index);
        activated = runStage(evaluator, polynomials, activation, undefined, linear, plan.complex, true);
      } finally {
        disposeAll(linear);
      }
      try {
        if (consumeInputs) step.lastChunk.forEach((last, i) => { if (last === c) inputs[i]!.dispose(); });
        checkAgainstPlan(activated, activation, step.index + 1);
        for (const block of step.columns[c]!) {
          const partial = combineCiphertexts(evaluator, activated, block.map, { rescale: false, imaginaryBias: plan.complex });
          const k = block.first / accumulateRows;
          const sum = sums[k];
          if (sum === undefined) {
            sums[k] = partial;
          } else {
            try {
              partial.forEach((p, j) => evaluator.addInPlace(sum[j]!, p));
            } finally {
              disposeAll(partial);
            }
          }
        }
      } finally {
        disposeAll(activated);
      }
      // A complete block shrinks now (one limb and, relinearized, one part less) rather than at the end.
      for (const k of step.closes[c]!) {
        for (const ct of sums[k]!) {
          evaluator.rescaleInPlace(ct);
          if (second.relinearizations > 0) evaluator.relinearizeInPlace(ct);
        }
      }
    });
    if (progress !== undefined) {
      progress(step.index + 1, plan.stages.length, first);
      progress(step.index + 2, plan.stages.length, activation);
    }
    return sums.flat();
  } catch (error) {
    for (const block of sums) if (block !== undefined) disposeAll(block);
    throw error;
  }
}

/** The activation stage `stage` of one ciphertext (a new ciphertext at the plan's output level and scale). */
function activate(evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, x: Ciphertext, complex: boolean): Ciphertext {
  if (complex) return activateComplex(evaluator, polynomials, stage, x);
  if (stage.polynomial !== undefined) return polynomials.evaluate(x, (stage.stage as ActivationStage).polynomial, { targetScale: stage.output.scale });
  const y = evaluator.square(x);
  try {
    evaluator.rescaleInPlace(y);
    if (stage.outputDegree === 1) evaluator.relinearizeInPlace(y);
    return y;
  } catch (error) {
    y.dispose();
    throw error;
  }
}

/**
 * One stage on `inputs`: new ciphertexts. With `consume`, an activation disposes each input once
 * it is activated (the caller must own them and not use them afterwards).
 */
function runStage(
  evaluator: Evaluator, polynomials: PolynomialEvaluator, stage: StagePlan, map: ScalarLinearMap | undefined, inputs: readonly Ciphertext[],
  complex: boolean, consume: boolean,
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
      outputs.push(activate(evaluator, polynomials, stage, x, complex));
      // An input the caller no longer needs goes as soon as it is activated (its memory serves the next outputs).
      if (consume) x.dispose();
    }
    return outputs;
  } catch (error) {
    disposeAll(outputs);
    throw error;
  }
}
