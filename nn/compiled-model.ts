// A model compiled for encrypted inference on given parameters: fused stages, the plan, the
// encoded weights, and `predict` on batch-packed or single-packed encrypted tensors.

import "../engine/ring/dispose-symbols.js";
import { Evaluator } from "../engine/evaluator/evaluator.js";
import { checkSameParameters, Parameters } from "../engine/parameters.js";
import { presets } from "../engine/presets.js";
import { describe, FheError } from "../engine/ring/errors.js";
import { executionSteps, runBatch, type StageProgress, type StageStep } from "./batch-executor.js";
import { batchCapacity, batchLayout, type BatchLayout, type SingleLayout } from "./layout.js";
import { conjugationGaloisElement } from "../engine/ring/automorphism.js";
import { evaluatorGaloisKeys } from "../engine/evaluator/evaluator.js";
import { galoisKeyFor } from "../engine/evaluator/key-switched.js";
import { formatShape } from "./layers/layer.js";
import { modelDepth, planStages, presetFor, type ModelPlan } from "./plan.js";
import type { Sequential } from "./sequential.js";
import { fuseStages, type Stage } from "./stages.js";
import { EncryptedTensor } from "./tensor.js";
import { runSingle } from "./single/executor.js";
import { largestTensor, planSingle, singlePresetFor, type SinglePlan } from "./single/plan.js";
import { SingleProgram } from "./single/program.js";

/** Options of {@link compileModel}. */
export interface CompileOptions {
  /** Parameters to run on, or "auto" (default): the cheapest preset deep enough. */
  readonly params?: Parameters | "auto";
  /**
   * Packing: "batch" (default: one sample per slot, for throughput), "complex" (batch packing with
   * two samples per slot, in the real and imaginary parts: half the ciphertexts per sample, one
   * conjugation per activated element; needs the conjugation key; no Soft-Argmax) or "single"
   * (one sample per ciphertext, linear layers as linear transforms, for latency; needs Galois
   * keys).
   */
  readonly packing?: Packing;
  /**
   * Memory bound of batch inference: a linear stage whose output ciphertexts would take more
   * bytes than this (default 0: every such stage), followed by an activation and a linear stage,
   * is run in chunks whose activations are accumulated straight into the next stage (same
   * results, less memory; Infinity runs every stage whole).
   */
  readonly streamAboveBytes?: number;
  /**
   * Single packing only: an integer b >= 2 whose powers 1, b, b^2, ... (below the slots) are the
   * only Galois keys; every other rotation is composed of them (its base-b digits) and nothing is
   * hoisted. Fewer keys to upload, more key switches (plan.rotationSteps, plan.keySwitches).
   * Default: an exact key for every rotation step (hoisted baby steps).
   */
  readonly rotationBase?: number;
}

export type Packing = "batch" | "complex" | "single";

export interface PredictOptions {
  readonly progress?: StageProgress;
  /**
   * Batch and complex packing: dispose the input tensor as soon as the first step has read it
   * (default false: the input stays the caller's). For a server that keeps nothing of the
   * input, this frees its ciphertexts for the rest of the run (CryptoDL-style at N = 2^14:
   * 784 MiB per batch).
   */
  readonly consumeInput?: boolean;
}

export class CompiledModel implements Disposable {
  readonly stages: readonly Stage[];
  /** The plan: a SinglePlan (layouts, rotation steps, Galois key bytes) for single packing. */
  readonly plan: ModelPlan | SinglePlan;
  readonly #steps: readonly StageStep[];
  readonly #program: SingleProgram | undefined;

  constructor(
    readonly model: Sequential, readonly params: Parameters, stages: readonly Stage[], streamAboveBytes?: number, readonly packing: Packing = "batch", rotationBase?: number,
  ) {
    this.stages = Object.freeze([...stages]);
    if (packing === "single") {
      const plan = planSingle(params, stages, model.layers, model.inputShape, "compile model", rotationBase);
      this.plan = plan;
      this.#steps = [];
      this.#program = new SingleProgram(plan);
    } else {
      this.plan = planStages(params, stages, "compile model", packing === "complex");
      this.#steps = executionSteps(this.plan, streamAboveBytes);
      this.#program = undefined;
    }
    Object.freeze(this);
  }

  /** Frees the encoded weights (otherwise reclaimed after garbage collection; batch maps re-encode on later use). */
  dispose(): void {
    this.#program?.dispose();
    for (const step of this.#steps) {
      if (step.kind === "single") step.map?.dispose();
      else for (const map of [...step.rows, ...step.columns.flat().map((block) => block.map)]) map.dispose();
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

  /** The layout of a batch of `samples` inputs (at most batchSize). Batch and complex packing only. */
  inputLayout(samples: number): BatchLayout {
    if (this.#program !== undefined) throw new FheError("INVALID_ARGUMENT", "create batch layout", "the model is compiled for single packing: use singleInputLayout()");
    return batchLayout(this.model.inputShape, samples, this.params.maxSlots, this.packing === "complex");
  }

  /** Samples one batch holds: the slots, twice that in complex packing (single packing: 1). */
  get batchSize(): number {
    if (this.packing === "single") return 1;
    return batchCapacity(this.params.maxSlots, this.packing === "complex");
  }

  /** The layout to encrypt one image in (encryptSingle). Single packing only. */
  singleInputLayout(): SingleLayout {
    if (this.#program === undefined) throw new FheError("INVALID_ARGUMENT", "create single layout", "the model is compiled for batch packing: compile with { packing: \"single\" }");
    return (this.plan as SinglePlan).inputLayout;
  }

  /**
   * Encrypted inference on a tensor from `encryptBatch` (batch packing) or `encryptSingle`
   * (single packing, in singleInputLayout()), at the plan's input level and scale: a new tensor
   * of the model's outputs (logits): one ciphertext per output, or one ciphertext in
   * plan.outputLayout. Single packing needs the Galois keys of plan.rotationSteps (MISSING_KEY
   * names those absent).
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
    const inputPacking: Packing = input.layout.kind === "single" ? "single" : input.layout.complex === true ? "complex" : "batch";
    if (inputPacking !== this.packing) {
      const layout = this.packing === "single" ? "compiled.singleInputLayout()" : "compiled.inputLayout(count)";
      throw new FheError("INVALID_ARGUMENT", operation, `the model is compiled for ${this.packing} packing and the input is ${inputPacking}-packed: encrypt it with encrypt${this.packing === "single" ? "Single" : "Batch"} in ${layout}`);
    }
    for (const ct of input.ciphertexts) checkSameParameters(this.params, ct.params, operation, "input ciphertext");
    if (input.layout.kind === "single") checkSingleLayout(input.layout, (this.plan as SinglePlan).inputLayout, operation);
    const { level, scale } = this.plan.input;
    if (input.level !== level || input.scale !== scale) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `the input must be encrypted at level ${level} (encrypt${this.packing === "batch" ? "Batch" : "Single"}(..., { level: plan.input.level })) and scale 2^${Math.log2(scale)}, got level ${input.level} and scale 2^${Math.log2(input.scale).toFixed(2)}`);
    }
    if (this.plan.needsRelinearizationKey && !evaluator.canRelinearize) {
      throw new FheError("MISSING_KEY", operation,
        "the model multiplies ciphertexts and the evaluator has no relinearization key: pass { relinearizationKey: keyGenerator.createRelinearizationKey() } to the Evaluator");
    }
    if (this.packing === "complex" && (this.plan as ModelPlan).needsConjugationKey) {
      galoisKeyFor(evaluatorGaloisKeys(evaluator), conjugationGaloisElement(this.params.n), operation, "{ conjugate: true }");
    }
    const consume = options.consumeInput ?? false;
    if (typeof consume !== "boolean") throw new FheError("INVALID_ARGUMENT", operation, `consumeInput must be a boolean, got ${describe(consume)}`);
    if (consume && new Set(input.ciphertexts).size !== input.ciphertexts.length) {
      throw new FheError("INVALID_ARGUMENT", operation, "consumeInput needs a tensor of distinct ciphertexts (this one holds a ciphertext twice): copy the repeated ones or leave consumeInput out");
    }
    if (this.#program !== undefined) {
      if (consume) throw new FheError("INVALID_ARGUMENT", operation, "consumeInput applies to batch and complex packing (single packing reads its one input ciphertext throughout): leave it out");
      return runSingle(evaluator, this.plan as SinglePlan, this.#program, input as EncryptedTensor<SingleLayout>, options.progress);
    }
    return runBatch(evaluator, this.plan, this.#steps, input as EncryptedTensor<BatchLayout>, options.progress, consume);
  }

}

function checkSingleLayout(got: SingleLayout, want: SingleLayout, operation: string): void {
  const same = got.slots === want.slots && got.replicas.length === want.replicas.length && got.replicas.every((r, i) => r === want.replicas[i]) &&
    got.positions.every((p, i) => p === want.positions[i]);
  if (!same) throw new FheError("INVALID_ARGUMENT", operation, "the input is not in the model's single layout: encrypt it with encryptSingle(encryptor, encoder, compiled.singleInputLayout(), image)");
}

/** Compiles `model` (see {@link CompileOptions}); refuses parameters too shallow for it with the levels it needs and a preset that fits. */
export function compileModel(model: Sequential, options: CompileOptions = {}): CompiledModel {
  const operation = "compile model";
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object, got ${describe(options)}`);
  const packing = options.packing ?? "batch";
  if (packing !== "batch" && packing !== "complex" && packing !== "single") {
    throw new FheError("INVALID_ARGUMENT", operation, `packing must be "batch", "complex" or "single", got ${describe(options.packing)}`);
  }
  const stages = fuseStages(model.layers);
  let params = options.params ?? "auto";
  if (params === "auto") {
    const depth = modelDepth(stages);
    const preset = packing === "single" ? singlePresetFor(stages, model.inputShape) : presetFor(depth);
    if (preset === undefined) {
      const what = packing === "single" ? `${depth} levels and ${largestTensor(stages, model.inputShape)} slots` : `${depth} levels`;
      throw new FheError("INVALID_PARAMETERS", operation, `the model needs ${what} and no preset has that many: use fewer or lower-degree activations${packing === "single" ? ", or batch packing" : ""}`);
    }
    params = Parameters.create(presets[preset]);
  } else if (!(params instanceof Parameters)) {
    throw new FheError("INVALID_ARGUMENT", operation, `params must be Parameters or "auto", got ${describe(params)}`);
  }
  const bytes = options.streamAboveBytes;
  if (bytes !== undefined && !(typeof bytes === "number" && bytes >= 0)) {
    throw new FheError("INVALID_ARGUMENT", operation, `streamAboveBytes must be a number ≥ 0, got ${describe(bytes)}`);
  }
  if (options.rotationBase !== undefined && packing !== "single") {
    throw new FheError("INVALID_ARGUMENT", operation, `rotationBase applies to single packing (batch packing has no rotations): compile with { packing: "single" } or without rotationBase`);
  }
  return new CompiledModel(model, params, stages, bytes, packing, options.rotationBase);
}
