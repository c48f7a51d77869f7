// Training a small fully connected network on feature vectors with TensorFlow.js: dense layers,
// squares and polynomial activations (the same polynomial the encrypted model evaluates), Adam
// on the softmax cross-entropy, seeded. Exports the trained network as nn layer specs. Used by
// the HNN command line for the text classifiers; not part of the core library.

import * as tf from "@tensorflow/tfjs";
import type { Polynomial } from "../../engine/circuits/polynomial.js";
import { FheError } from "../../engine/ring/errors.js";
import type { DenseSpec, LayerSpec, PolyActivationSpec } from "../model-spec.js";
import { polyActivation } from "./poly-activation.js";
import { SeededRandom } from "../random.js";

/**
 * One layer of the network: dense (Glorot-uniform weights and zero bias, or `initial` weights),
 * square, a polynomial activation, or ReLU (training only: replace it by a polynomial before
 * exporting, see {@link trainMlp}).
 */
export type MlpLayer =
  | { readonly type: "dense"; readonly units: number; readonly name?: string; readonly initial?: { readonly kernel: ArrayLike<number>; readonly bias: ArrayLike<number> } }
  | { readonly type: "square"; readonly name?: string }
  | { readonly type: "relu"; readonly name?: string }
  | { readonly type: "polyActivation"; readonly polynomial: Polynomial; readonly approximates?: string; readonly name?: string };

export interface MlpOptions {
  readonly layers: readonly MlpLayer[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on dense kernels (default 0). */
  readonly weightDecay?: number;
  readonly seed: number;
  /** Called after every epoch with its number (1-based), the mean loss and the training accuracy (each batch scored before its update). */
  readonly progress?: (epoch: number, loss: number, accuracy: number) => void;
}

/** Rows of `features` (count × width, row-major) and their class labels. */
export interface FeatureSet {
  readonly count: number;
  readonly width: number;
  readonly features: Float32Array;
  readonly labels: Uint8Array;
}

interface DenseVariables {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

function forward(x: tf.Tensor2D, layers: readonly MlpLayer[], dense: readonly (DenseVariables | undefined)[]): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  layers.forEach((layer, i) => {
    if (layer.type === "dense") h = tf.add(tf.matMul(h, dense[i]!.kernel), dense[i]!.bias);
    else if (layer.type === "square") h = tf.square(h);
    else if (layer.type === "relu") h = tf.relu(h);
    else h = polyActivation(h, layer.polynomial) as tf.Tensor2D;
  });
  return h;
}

/**
 * Trains the network; returns its layers as specs (float32 weights as float64 numbers). A ReLU
 * layer has no encrypted form: it is returned as {"type": "relu"} for the caller to replace.
 */
export function trainMlp(data: FeatureSet, options: MlpOptions): (LayerSpec | { readonly type: "relu" })[] {
  const random = new SeededRandom(options.seed);
  const classes = Math.max(...data.labels) + 1;
  let width = data.width;
  const dense = options.layers.map((layer) => {
    if (layer.type !== "dense") return undefined;
    const limit = Math.sqrt(6 / (width + layer.units));
    const initial = layer.initial ?? {
      kernel: Float32Array.from({ length: width * layer.units }, () => random.symmetric(limit)), bias: new Float32Array(layer.units),
    };
    if (initial.kernel.length !== width * layer.units || initial.bias.length !== layer.units) {
      throw new FheError("INVALID_ARGUMENT", "train network", `initial weights of dense layer ${layer.name ?? ""} must be ${width}×${layer.units} and ${layer.units}, got ${initial.kernel.length} and ${initial.bias.length}`);
    }
    const kernel = tf.variable(tf.tensor2d(Float32Array.from(initial.kernel), [width, layer.units]));
    const bias = tf.variable(tf.tensor1d(Float32Array.from(initial.bias)));
    width = layer.units;
    return { kernel, bias };
  });
  const optimizer = tf.train.adam(options.learningRate);
  const decay = options.weightDecay ?? 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = random.permutation(data.count);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < data.count; start += options.batchSize) {
      const rows = order.subarray(start, Math.min(data.count, start + options.batchSize));
      const xs = new Float32Array(rows.length * data.width);
      const ys = new Int32Array(rows.length);
      rows.forEach((r, i) => {
        xs.set(data.features.subarray(r * data.width, (r + 1) * data.width), i * data.width);
        ys[i] = data.labels[r]!;
      });
      tf.tidy(() => {
        const x = tf.tensor2d(xs, [rows.length, data.width]);
        const y = tf.oneHot(tf.tensor1d(ys, "int32"), classes);
        let predicted: tf.Tensor | undefined;
        const loss = optimizer.minimize(() => {
          const logits = forward(x, options.layers, dense);
          predicted = tf.keep(logits.argMax(1));
          let total = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
          if (decay > 0) for (const d of dense) if (d !== undefined) total = tf.add(total, tf.mul(decay, tf.sum(tf.square(d.kernel))));
          return total;
        }, true)!;
        lossSum += loss.dataSync()[0]! * rows.length;
        // The batch's predictions before this step's update (no second forward pass).
        predicted!.dataSync().forEach((p, i) => { if (p === ys[i]) correct++; });
        predicted!.dispose();
      });
    }
    options.progress?.(epoch, lossSum / data.count, correct / data.count);
  }
  const specs = options.layers.map((layer, i): LayerSpec | { readonly type: "relu" } => {
    const name = layer.name === undefined ? {} : { name: layer.name };
    if (layer.type === "dense") {
      const d = dense[i]!;
      const out: DenseSpec = { type: "dense", ...name, units: layer.units, kernel: Array.from(d.kernel.dataSync()), bias: Array.from(d.bias.dataSync()) };
      return out;
    }
    if (layer.type === "square") return { type: "square", ...name };
    if (layer.type === "relu") return { type: "relu" };
    const p = layer.polynomial.toChebyshev();
    const out: PolyActivationSpec = {
      type: "polyActivation", ...name, basis: "chebyshev", interval: [p.interval[0], p.interval[1]], coefficients: [...p.coefficients],
      ...(layer.approximates === undefined ? {} : { approximates: layer.approximates }),
    };
    return out;
  });
  for (const d of dense) if (d !== undefined) { d.kernel.dispose(); d.bias.dispose(); }
  optimizer.dispose();
  return specs;
}
