import { affineFromRows, type Affine } from "../affine.js";
import { finiteArray, requireModel } from "../errors.js";
import type { BatchNormSpec } from "../model-spec.js";
import { shapeSize, type LinearLayer, type Shape } from "./layer.js";

/**
 * Batch normalisation in inference form, per channel (last axis): y = a·x + c with
 * a = gamma/√(variance + ε), c = beta − a·mean. Runs encrypted only folded into a neighbouring
 * linear layer (compile-time fusion), never as a layer of its own.
 */
export class BatchNorm implements LinearLayer {
  readonly kind = "linear";
  readonly name: string;
  readonly outputShape: Shape;
  readonly multiplier: Float64Array;
  readonly offset: Float64Array;
  readonly #spec: BatchNormSpec;

  constructor(readonly inputShape: Shape, spec: BatchNormSpec, operation: string) {
    this.name = spec.name ?? "batchNorm";
    const channels = inputShape[inputShape.length - 1]!;
    const what = (field: string) => `${field} of batchNorm layer '${this.name}'`;
    const mean = finiteArray(spec.movingMean, channels, operation, what("movingMean"));
    const variance = finiteArray(spec.movingVariance, channels, operation, what("movingVariance"));
    const gamma = spec.gamma === undefined ? new Float64Array(channels).fill(1) : finiteArray(spec.gamma, channels, operation, what("gamma"));
    const beta = spec.beta === undefined ? new Float64Array(channels) : finiteArray(spec.beta, channels, operation, what("beta"));
    requireModel(typeof spec.epsilon === "number" && spec.epsilon >= 0 && Number.isFinite(spec.epsilon), operation, `${what("epsilon")} must be a finite number ≥ 0`);
    variance.forEach((v, i) => requireModel(v + spec.epsilon > 0, operation, `${what("movingVariance")}[${i}] + epsilon must be positive`));
    this.multiplier = gamma.map((g, i) => g / Math.sqrt(variance[i]! + spec.epsilon));
    this.offset = beta.map((b, i) => b - this.multiplier[i]! * mean[i]!);
    this.outputShape = inputShape;
    this.#spec = spec;
  }

  forwardPlain(x: Float64Array): Float64Array {
    const c = this.multiplier.length;
    return x.map((v, i) => this.multiplier[i % c]! * v + this.offset[i % c]!);
  }

  toAffine(): Affine {
    const size = shapeSize(this.inputShape);
    const c = this.multiplier.length;
    return affineFromRows(size, size, Float64Array.from({ length: size }, (_, i) => this.offset[i % c]!), (j, push) => push(j, this.multiplier[j % c]!));
  }

  toSpec(): BatchNormSpec {
    return { ...this.#spec, name: this.name };
  }
}
