// A model compiled for encrypted inference on given parameters: fused stages, the plan, the
// encoded weights, and `predict` on batch-packed encrypted tensors.

import { Evaluator } from "../engine/evaluator/evaluator.js";
import { checkSameParameters, Parameters } from "../engine/parameters.js";
import { presets } from "../engine/presets.js";
import { describe, FheError } from "../engine/ring/errors.js";
import { executionSteps, runBatch, type StageProgress, type StageStep } from "./batch-executor.js";
import { batchLayout, type BatchLayout } from "./layout.js";
import { formatShape } from "./layers/layer.js";
import { modelDepth, planStages, presetFor, type ModelPlan } from "./plan.js";
import type { Sequential } from "./sequential.js";
import { fuseStages, type Stage } from "./stages.js";
import { EncryptedTensor } from "./tensor.js";

/** Options of {@link compileModel}. */
export interface CompileOptions {
  /** Parameters to run on, or "auto" (default): the cheapest preset deep enough. */
  readonly params?: Parameters | "auto";
  /** Packing: "batch" (one sample per slot). */
  readonly packing?: "batch";
  /**
   * Memory bound of batch inference: a linear stage whose output ciphertexts would take more
   * bytes than this (default 512 MiB), followed by an activation and a linear stage, is run in
   * chunks whose activations are accumulated straight into the next stage (same results).
   */
  readonly streamAboveBytes?: number;
}

export interface PredictOptions {
  readonly progress?: StageProgress;
}

export class CompiledModel implements Disposable {
  readonly stages: readonly Stage[];
  readonly plan: ModelPlan;
  readonly #steps: readonly StageStep[];

  constructor(readonly model: Sequential, readonly params: Parameters, stages: readonly Stage[], streamAboveBytes?: number) {
    this.stages = Object.freeze([...stages]);
    this.plan = planStages(params, stages, "compile model");
    this.#steps = executionSteps(this.plan, streamAboveBytes);
    Object.freeze(this);
  }

  /** Frees the encoded weights (they are encoded again if the model is used afterwards). */
  dispose(): void {
    for (const step of this.#steps) {
      if (step.kind === "single") step.map?.dispose();
      else for (const map of [...step.rows, ...step.columns]) map.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** How many linear stages run streamed (chunked) under the memory bound. */
  get streamedStages(): number {
    return this.#steps.filter((s) => s.kind === "streamed").length;
  }

  /** Levels the model consumes. */
  get depth(): number {
    return this.plan.depth;
  }

  /** The layout of a batch of `samples` inputs (at most params.maxSlots). */
  inputLayout(samples: number): BatchLayout {
    return batchLayout(this.model.inputShape, samples, this.params.maxSlots);
  }

  /**
   * Encrypted inference on a batch tensor from `encryptBatch` (shape, level and scale of the
   * plan's input): a new tensor of the model's outputs (logits), one ciphertext per output.
   */
  predict(evaluator: Evaluator, input: EncryptedTensor, options: PredictOptions = {}): EncryptedTensor {
    const operation = "run model";
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", operation, `expected an Evaluator, got ${describe(evaluator)}`);
    checkSameParameters(this.params, evaluator.params, operation, "evaluator");
    if (!(input instanceof EncryptedTensor)) throw new FheError("INVALID_ARGUMENT", operation, `expected an EncryptedTensor, got ${describe(input)}`);
    const expected = this.model.inputShape;
    if (input.shape.length !== expected.length || input.shape.some((d, i) => d !== expected[i])) {
      throw new FheError("INVALID_ARGUMENT", operation, `the model takes inputs of shape ${formatShape(expected)}, got ${formatShape(input.shape)}`);
    }
    for (const ct of input.ciphertexts) checkSameParameters(this.params, ct.params, operation, "input ciphertext");
    const { level, scale } = this.plan.input;
    if (input.level !== level || input.scale !== scale) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `the input must be encrypted at level ${level} (encryptBatch(..., { level: plan.input.level })) and scale 2^${Math.log2(scale)}, got level ${input.level} and scale 2^${Math.log2(input.scale).toFixed(2)}`);
    }
    if (this.plan.needsRelinearizationKey && !evaluator.canRelinearize) {
      throw new FheError("MISSING_KEY", operation,
        "the model multiplies ciphertexts and the evaluator has no relinearization key: pass { relinearizationKey: keyGenerator.createRelinearizationKey() } to the Evaluator");
    }
    return runBatch(evaluator, this.plan, this.#steps, input, options.progress);
  }
}

/** Compiles `model` (see {@link CompileOptions}); refuses parameters too shallow for it with the levels it needs and a preset that fits. */
export function compileModel(model: Sequential, options: CompileOptions = {}): CompiledModel {
  const operation = "compile model";
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object, got ${describe(options)}`);
  if (options.packing !== undefined && options.packing !== "batch") {
    throw new FheError("INVALID_ARGUMENT", operation, `packing ${describe(options.packing)} is not available: use "batch" (single-image packing is not implemented yet)`);
  }
  const stages = fuseStages(model.layers);
  let params = options.params ?? "auto";
  if (params === "auto") {
    const depth = modelDepth(stages);
    const preset = presetFor(depth);
    if (preset === undefined) throw new FheError("INVALID_PARAMETERS", operation, `the model needs ${depth} levels and no preset has that many: use fewer or lower-degree activations`);
    params = Parameters.create(presets[preset]);
  } else if (!(params instanceof Parameters)) {
    throw new FheError("INVALID_ARGUMENT", operation, `params must be Parameters or "auto", got ${describe(params)}`);
  }
  const bytes = options.streamAboveBytes;
  if (bytes !== undefined && !(typeof bytes === "number" && bytes >= 0)) {
    throw new FheError("INVALID_ARGUMENT", operation, `streamAboveBytes must be a number ≥ 0, got ${describe(bytes)}`);
  }
  return new CompiledModel(model, params, stages, bytes);
}
