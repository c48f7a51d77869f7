// Trainable twins of the ModelSpec layers: each holds its TensorFlow.js variables, runs forward
// in training or inference mode, and exports itself as a LayerSpec. Built from a plain
// description by {@link buildLayers}, which tracks shapes and draws the initial weights from one
// seeded generator.

import * as tf from "@tensorflow/tfjs";
import { FheError, type Polynomial } from "../../engine/index.js";
import type { LayerSpec, Padding4 } from "../model-spec.js";
import { conv2dValid } from "./conv.js";
import { polyActivation } from "./poly-activation.js";
import type { SeededRandom } from "../random.js";

/** A layer of an architecture, before weights exist. */
export type LayerConfig =
  | { readonly type: "conv2d"; readonly name: string; readonly filters: number; readonly kernelSize: readonly [number, number];
      readonly strides: readonly [number, number]; readonly padding: Padding4; readonly useBias: boolean; readonly initScale?: number }
  | { readonly type: "dense"; readonly name: string; readonly units: number; readonly useBias: boolean; readonly initScale?: number }
  | { readonly type: "avgPool2d"; readonly name: string; readonly poolSize: readonly [number, number] }
  | { readonly type: "flatten"; readonly name: string }
  | { readonly type: "square"; readonly name: string }
  | { readonly type: "polyActivation"; readonly name: string; readonly poly: Polynomial; readonly approximates: string }
  | { readonly type: "batchNorm"; readonly name: string; readonly momentum: number; readonly epsilon: number };

export type Mode = "train" | "infer";

export interface TrainableLayer {
  readonly name: string;
  /** Shape of one output item (no batch axis). */
  readonly outputShape: readonly number[];
  /** Variables the optimizer updates (empty for parameter-free layers). */
  readonly variables: readonly tf.Variable[];
  apply(x: tf.Tensor, mode: Mode): tf.Tensor;
  /** After an optimizer step: folds the statistics of the last training batch into the moving ones. */
  commit?(): void;
  /** The layer's weights as read now (float32 values as JS numbers). */
  toSpec(): LayerSpec;
}

/** Glorot (Xavier) uniform weights, times `scale`: U(±scale·√(6 / (fanIn + fanOut))). */
function glorot(random: SeededRandom, shape: number[], fanIn: number, fanOut: number, scale: number): tf.Variable {
  const limit = scale * Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = random.symmetric(limit);
  return tf.variable(tf.tensor(values, shape), true);
}

function zeros(length: number, trainable = true): tf.Variable {
  return tf.variable(tf.zeros([length]), trainable);
}

function ones(length: number, trainable = true): tf.Variable {
  return tf.variable(tf.ones([length]), trainable);
}

function values(v: tf.Variable): number[] {
  return Array.from(v.dataSync());
}

function shapeError(name: string, reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", `build layer ${name}`, reason);
}

function conv2d(config: Extract<LayerConfig, { type: "conv2d" }>, input: readonly number[], random: SeededRandom, first: boolean): TrainableLayer {
  const [h, w, c] = input as [number, number, number];
  if (input.length !== 3) throw shapeError(config.name, `conv2d needs an input of shape (h, w, c), got (${input.join(", ")})`);
  const [kh, kw] = config.kernelSize;
  const [sh, sw] = config.strides;
  const [top, bottom, left, right] = config.padding;
  const outH = Math.floor((h + top + bottom - kh) / sh) + 1;
  const outW = Math.floor((w + left + right - kw) / sw) + 1;
  if (outH < 1 || outW < 1) throw shapeError(config.name, `a ${kh} x ${kw} kernel does not fit the padded ${h + top + bottom} x ${w + left + right} input`);
  const kernel = glorot(random, [kh, kw, c, config.filters], kh * kw * c, kh * kw * config.filters, config.initScale ?? 1);
  const bias = config.useBias ? zeros(config.filters) : undefined;
  const padded = top + bottom + left + right > 0;
  return {
    name: config.name,
    outputShape: [outH, outW, config.filters],
    variables: bias ? [kernel, bias] : [kernel],
    apply(x) {
      const input4 = padded ? tf.pad(x as tf.Tensor4D, [[0, 0], [top, bottom], [left, right], [0, 0]]) : (x as tf.Tensor4D);
      const y = conv2dValid(input4, kernel as tf.Tensor4D, config.strides, { inputGradient: !first });
      return bias ? tf.add(y, bias) : y;
    },
    toSpec: () => ({
      type: "conv2d", name: config.name, filters: config.filters, kernelSize: [kh, kw], strides: [sh, sw],
      padding: [top, bottom, left, right], kernel: values(kernel), ...(bias ? { bias: values(bias) } : {}),
    }),
  };
}

function dense(config: Extract<LayerConfig, { type: "dense" }>, input: readonly number[], random: SeededRandom): TrainableLayer {
  if (input.length !== 1) throw shapeError(config.name, `dense needs a flat input, got (${input.join(", ")}); add a flatten layer`);
  const inputs = input[0]!;
  const kernel = glorot(random, [inputs, config.units], inputs, config.units, config.initScale ?? 1);
  const bias = config.useBias ? zeros(config.units) : undefined;
  return {
    name: config.name,
    outputShape: [config.units],
    variables: bias ? [kernel, bias] : [kernel],
    apply(x) {
      const y = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
      return bias ? tf.add(y, bias) : y;
    },
    toSpec: () => ({ type: "dense", name: config.name, units: config.units, kernel: values(kernel), ...(bias ? { bias: values(bias) } : {}) }),
  };
}

function avgPool2d(config: Extract<LayerConfig, { type: "avgPool2d" }>, input: readonly number[]): TrainableLayer {
  if (input.length !== 3) throw shapeError(config.name, `avgPool2d needs an input of shape (h, w, c), got (${input.join(", ")})`);
  const [h, w, c] = input as [number, number, number];
  const [ph, pw] = config.poolSize;
  if (h % ph !== 0 || w % pw !== 0) throw shapeError(config.name, `a ${ph} x ${pw} pool does not tile the ${h} x ${w} input`);
  return {
    name: config.name,
    outputShape: [h / ph, w / pw, c],
    variables: [],
    apply: (x) => tf.avgPool(x as tf.Tensor4D, [ph, pw], [ph, pw], "valid"),
    toSpec: () => ({ type: "avgPool2d", name: config.name, poolSize: [ph, pw] }),
  };
}

function batchNorm(config: Extract<LayerConfig, { type: "batchNorm" }>, input: readonly number[]): TrainableLayer {
  const channels = input[input.length - 1]!;
  const axes = input.map((_, i) => i);                       // every axis but the channels, batch included
  const gamma = ones(channels);
  const beta = zeros(channels);
  const movingMean = zeros(channels, false);
  const movingVariance = ones(channels, false);
  let pending: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
  return {
    name: config.name,
    outputShape: input,
    variables: [gamma, beta],
    apply(x, mode) {
      let mean: tf.Tensor = movingMean;
      let variance: tf.Tensor = movingVariance;
      if (mode === "train") {
        ({ mean, variance } = tf.moments(x, axes));
        pending?.mean.dispose();
        pending?.variance.dispose();
        pending = { mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)) };
      }
      const factor = tf.mul(tf.rsqrt(tf.add(variance, config.epsilon)), gamma);
      return tf.add(tf.mul(tf.sub(x, mean), factor), beta);
    },
    commit() {
      if (pending === undefined) return;
      const m = config.momentum;
      const { mean, variance } = pending;
      tf.tidy(() => {
        movingMean.assign(tf.add(tf.mul(movingMean, m), tf.mul(mean, 1 - m)));
        movingVariance.assign(tf.add(tf.mul(movingVariance, m), tf.mul(variance, 1 - m)));
      });
      mean.dispose();
      variance.dispose();
      pending = undefined;
    },
    toSpec: () => ({
      type: "batchNorm", name: config.name, gamma: values(gamma), beta: values(beta),
      movingMean: values(movingMean), movingVariance: values(movingVariance), epsilon: config.epsilon,
    }),
  };
}

function parameterFree(name: string, outputShape: readonly number[], apply: (x: tf.Tensor) => tf.Tensor, spec: LayerSpec): TrainableLayer {
  return { name, outputShape, variables: [], apply, toSpec: () => spec };
}

/**
 * Builds the layers of `configs` on items of shape `inputShape` (channels last), drawing every
 * initial weight from `random` in layer order. The first layer's input is data: a conv2d there
 * skips its input gradient.
 */
export function buildLayers(inputShape: readonly number[], configs: readonly LayerConfig[], random: SeededRandom): TrainableLayer[] {
  const layers: TrainableLayer[] = [];
  let shape = inputShape;
  for (const config of configs) {
    let layer: TrainableLayer;
    switch (config.type) {
      case "conv2d": layer = conv2d(config, shape, random, layers.length === 0); break;
      case "dense": layer = dense(config, shape, random); break;
      case "avgPool2d": layer = avgPool2d(config, shape); break;
      case "batchNorm": layer = batchNorm(config, shape); break;
      case "flatten": {
        const size = shape.reduce((a, b) => a * b, 1);
        layer = parameterFree(config.name, [size], (x) => tf.reshape(x, [x.shape[0]!, size]), { type: "flatten", name: config.name });
        break;
      }
      case "square":
        layer = parameterFree(config.name, shape, (x) => tf.square(x), { type: "square", name: config.name });
        break;
      case "polyActivation":
        layer = parameterFree(config.name, shape, (x) => polyActivation(x, config.poly), {
          type: "polyActivation", name: config.name, basis: config.poly.basis, interval: [...config.poly.interval],
          coefficients: [...config.poly.coefficients], approximates: config.approximates,
        });
        break;
    }
    layers.push(layer);
    shape = layer.outputShape;
  }
  return layers;
}
