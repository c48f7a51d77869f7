// The layer abstraction of nn/: a layer knows its input and output shapes, computes its float64
// plaintext twin (the test oracle and the reference accuracy), and says how it runs encrypted:
// linear layers as an affine map, activations as a square or a polynomial.

import type { IterationPlan } from "../../engine/circuits/approx/inverse.js";
import type { Polynomial } from "../../engine/circuits/polynomial.js";
import type { Affine } from "../affine.js";
import type { LayerSpec } from "../model-spec.js";

/** A tensor shape: (height, width, channels) for images, (length) for vectors. */
export type Shape = readonly number[];

/** Number of elements of a shape. */
export function shapeSize(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** "[h, w, c]" for messages (long shapes shortened). */
export function formatShape(shape: Shape): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(", ")}, … (${shape.length} dimensions)]` : `[${shape.join(", ")}]`;
}

/** What every layer provides. Samples are flat Float64Arrays in channels-last order. */
export interface Layer {
  readonly name: string;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** The float64 twin on one sample (length shapeSize(inputShape)). */
  forwardPlain(x: Float64Array): Float64Array;
  /** The spec this layer was built from (weights included), for saving. */
  toSpec(): LayerSpec;
}

/** A layer that is an affine map of its input (dense, convolution, pooling, normalisation, flatten). */
export interface LinearLayer extends Layer {
  readonly kind: "linear";
  /** The same map as a sparse affine map on flat samples. */
  toAffine(): Affine;
}

/** An element-wise activation evaluated encrypted as x² or as a polynomial. */
export interface ActivationLayer extends Layer {
  readonly kind: "activation";
  /** The polynomial (x² for Square). */
  readonly polynomial: Polynomial;
  /** True when the activation is exactly x² (one product, no constant terms). */
  readonly isSquare: boolean;
}

/**
 * The Soft-Argmax output layer (layers/soft-argmax.ts): an affine pre-map folded into the
 * previous linear stage, then a polynomial (sigmoid or exp) and, for n classes, a normalisation.
 */
export interface SoftArgmaxLayer extends Layer {
  readonly kind: "softArgmax";
  readonly classes: number;
  readonly temperature: number;
  readonly output: "index" | "probabilities";
  /** Two classes: sigmoid of (x1 − x0) / T; n classes: exp(y) / n of the centred logits y. */
  readonly polynomial: Polynomial;
  /** n classes: the plan for 1/S. */
  readonly inverse?: IterationPlan;
  /** The pre-map from the logits to the polynomial's input. */
  toAffine(): Affine;
}

export type AnyLayer = LinearLayer | ActivationLayer | SoftArgmaxLayer;
