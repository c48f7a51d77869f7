// A sequential model: layers built and checked from a ModelSpec, the float64 twin, JSON
// save/load, and compilation for encrypted inference.

import { describe, FheError } from "../engine/ring/errors.js";
import { compileModel, type CompileOptions, type CompiledModel } from "./compiled-model.js";
import { requireModel } from "./errors.js";
import { Conv2D } from "./layers/conv2d.js";
import { Dense } from "./layers/dense.js";
import { BatchNorm } from "./layers/batch-norm.js";
import { AvgPool2D, Flatten } from "./layers/pooling.js";
import { PolyActivation, Square } from "./layers/activation.js";
import { SoftArgmax } from "./layers/soft-argmax.js";
import { formatShape, shapeSize, type AnyLayer, type Shape } from "./layers/layer.js";
import { MODEL_FORMAT, MODEL_VERSION, type LayerSpec, type ModelSpec } from "./model-spec.js";

const operation = "build model";

function buildLayer(input: Shape, spec: LayerSpec, index: number): AnyLayer {
  requireModel(spec !== null && typeof spec === "object", operation, `layer ${index} must be an object, got ${describe(spec)}`);
  switch (spec.type) {
    case "dense": return new Dense(input, spec, operation);
    case "conv2d": return new Conv2D(input, spec, operation);
    case "avgPool2d": return new AvgPool2D(input, spec, operation);
    case "flatten": return new Flatten(input, spec);
    case "batchNorm": return new BatchNorm(input, spec, operation);
    case "square": return new Square(input, spec);
    case "polyActivation": return new PolyActivation(input, spec, operation);
    case "softArgmax": return new SoftArgmax(input, spec, operation);
    default:
      throw new FheError("INVALID_ARGUMENT", operation,
        `layer ${index} has unknown type ${describe((spec as { type?: unknown }).type)}; supported: dense, conv2d, avgPool2d, flatten, batchNorm, square, polyActivation, softArgmax`);
  }
}

/** A model as a list of layers on a fixed input shape; immutable once built. */
export class Sequential {
  readonly layers: readonly AnyLayer[];
  readonly inputShape: Shape;
  readonly name: string;
  readonly metadata: Readonly<Record<string, unknown>>;

  private constructor(spec: ModelSpec) {
    requireModel(spec !== null && typeof spec === "object", operation, `expected a model spec object, got ${describe(spec)}`);
    requireModel(spec.format === MODEL_FORMAT && spec.version === MODEL_VERSION, operation,
      `expected format "${MODEL_FORMAT}" version ${MODEL_VERSION}, got ${describe(spec.format)} version ${describe(spec.version)}`);
    requireModel(Array.isArray(spec.inputShape) && spec.inputShape.length >= 1 && spec.inputShape.length <= 3 &&
      spec.inputShape.every((d) => Number.isSafeInteger(d) && d > 0), operation, "inputShape must be [length] or [height, width, channels] of positive integers");
    requireModel(Array.isArray(spec.layers) && spec.layers.length >= 1, operation, "a model needs at least one layer");
    this.inputShape = Object.freeze([...spec.inputShape]);
    this.name = typeof spec.name === "string" ? spec.name : "model";
    this.metadata = Object.freeze({ ...(spec.metadata ?? {}) });
    const layers: AnyLayer[] = [];
    let shape: Shape = this.inputShape;
    spec.layers.forEach((layerSpec, i) => {
      const layer = buildLayer(shape, layerSpec, i);
      requireModel(layer.kind !== "softArgmax" || i === spec.layers.length - 1, operation,
        `softArgmax layer '${layer.name}' (layer ${i}) must be the last layer: it turns the logits into the model's output`);
      layers.push(layer);
      shape = layer.outputShape;
    });
    this.layers = Object.freeze(layers);
    Object.freeze(this);
  }

  /** Builds and validates a model (shapes, weight counts, finite weights). Throws FheError naming the layer at fault. */
  static fromSpec(spec: ModelSpec): Sequential {
    return new Sequential(spec);
  }

  /** Parses a model file (JSON text of a ModelSpec). */
  static fromJSON(text: string): Sequential {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new FheError("CORRUPT_DATA", "load model", `the model file is not valid JSON (${(error as Error).message})`);
    }
    return new Sequential(parsed as ModelSpec);
  }

  get outputShape(): Shape {
    return this.layers[this.layers.length - 1]!.outputShape;
  }

  get inputSize(): number {
    return shapeSize(this.inputShape);
  }

  toSpec(): ModelSpec {
    return { format: MODEL_FORMAT, version: MODEL_VERSION, name: this.name, inputShape: this.inputShape, layers: this.layers.map((l) => l.toSpec()), metadata: this.metadata };
  }

  toJSON(): ModelSpec {
    return this.toSpec();
  }

  /** Fuses, plans and encodes the model for encrypted inference (see CompileOptions). */
  compile(options: CompileOptions = {}): CompiledModel {
    return compileModel(this, options);
  }

  /** The float64 twin on one sample (flat, channels last, `inputSize` numbers): the model's outputs (logits). */
  predictPlain(sample: ArrayLike<number>): Float64Array {
    requireModel(sample !== null && typeof sample === "object" && sample.length === this.inputSize, "predict (plain)",
      `expected ${this.inputSize} inputs for shape ${formatShape(this.inputShape)}, got ${describe(sample)}`);
    let x: Float64Array = Float64Array.from(sample);
    for (const layer of this.layers) x = layer.forwardPlain(x);
    return x;
  }
}

/** Index of the largest entry (first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
