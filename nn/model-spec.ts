// The JSON form of a model: what the training scripts write, what `importTfjs` produces and
// what `Sequential.fromSpec` reads. Plain data only (no classes), so that a spec survives
// JSON.stringify/parse unchanged. Tensors are channels-last (height, width, channels), as in
// TensorFlow.js; Flatten orders elements the same way (row, column, channel).

/** Format tag of a model file. */
export const MODEL_FORMAT = "wasm-ckks-nn";
/** Version of the model file layout. */
export const MODEL_VERSION = 1;

/** Explicit zero padding [top, bottom, left, right], each ≥ 0. */
export type Padding4 = readonly [number, number, number, number];

/**
 * 2-D convolution, channels last. `kernel` holds kh·kw·inChannels·filters numbers in the
 * TensorFlow.js order [kh][kw][inChannels][filters]; `bias` holds `filters` numbers (absent:
 * zero). "valid" pads nothing; "same" pads as TensorFlow does (output ⌈in/stride⌉, the extra
 * row/column at the bottom/right).
 */
export interface Conv2DSpec {
  readonly type: "conv2d";
  readonly name?: string;
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: "valid" | "same" | Padding4;
  readonly kernel: readonly number[];
  readonly bias?: readonly number[];
}

/** Fully connected layer on a flat input: `kernel` is [inputs][units] (TensorFlow.js order). */
export interface DenseSpec {
  readonly type: "dense";
  readonly name?: string;
  readonly units: number;
  readonly kernel: readonly number[];
  readonly bias?: readonly number[];
}

/** Average pooling, "valid" padding; `strides` default to `poolSize`. */
export interface AvgPool2DSpec {
  readonly type: "avgPool2d";
  readonly name?: string;
  readonly poolSize: readonly [number, number];
  readonly strides?: readonly [number, number];
}

/** Relabels a (h, w, c) tensor as a vector of h·w·c elements, row-major channels-last. */
export interface FlattenSpec {
  readonly type: "flatten";
  readonly name?: string;
}

/** x ↦ x² element-wise (CryptoNets' activation). */
export interface SquareSpec {
  readonly type: "square";
  readonly name?: string;
}

/**
 * A polynomial activation: Σ c_i·T_i(t) with t the affine map of `interval` onto [-1, 1]
 * ("chebyshev"), or Σ c_i·x^i ("monomial"). `approximates` names the function it stands for
 * ("relu", "sigmoid", …), for documentation and error messages only.
 */
export interface PolyActivationSpec {
  readonly type: "polyActivation";
  readonly name?: string;
  readonly basis: "chebyshev" | "monomial";
  readonly interval: readonly [number, number];
  readonly coefficients: readonly number[];
  readonly approximates?: string;
}

/**
 * Batch normalisation in inference form: y = gamma·(x − movingMean)/√(movingVariance + epsilon)
 * + beta per channel (last axis). Folded into the neighbouring linear layer at compile time.
 */
export interface BatchNormSpec {
  readonly type: "batchNorm";
  readonly name?: string;
  readonly gamma?: readonly number[];
  readonly beta?: readonly number[];
  readonly movingMean: readonly number[];
  readonly movingVariance: readonly number[];
  readonly epsilon: number;
}

/**
 * The Differentiable Soft-Argmax (HNN): Σ_i softmax(x / T)_i · i, the expected class index, on a
 * vector of 2 to 256 logits; the last layer of a model. Two classes: sigmoid((x1 − x0) / T) by a
 * minimax polynomial of `degree` on `interval` (the range of (x1 − x0) / T). n classes: exp by a
 * minimax polynomial of `degree` on `interval` (the range of the centred logits (x − mean x) / T,
 * containing 0), 1/S for S = Σ exp(y_i) / n by Goldschmidt iterations on `sumInterval`
 * ([a, b] with 0 < a < 1 < b) to relative `precision` (default 1e-3). `output` "index" (default)
 * returns the expected index, "probabilities" the n probabilities. `fitSoftArgmax` chooses the
 * intervals from training logits.
 */
export interface SoftArgmaxSpec {
  readonly type: "softArgmax";
  readonly name?: string;
  readonly temperature: number;
  readonly interval: readonly [number, number];
  readonly degree: number;
  readonly sumInterval?: readonly [number, number];
  readonly precision?: number;
  readonly output?: "index" | "probabilities";
}

export type LayerSpec =
  | Conv2DSpec | DenseSpec | AvgPool2DSpec | FlattenSpec | SquareSpec | PolyActivationSpec | BatchNormSpec | SoftArgmaxSpec;

export type LayerType = LayerSpec["type"];

/** A whole model: a sequence of layers on an input of shape (h, w, c) or (n). */
export interface ModelSpec {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly name?: string;
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
  /** Free-form provenance (dataset, training script, measured accuracy, …). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}
