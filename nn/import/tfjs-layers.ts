// One importer per supported TensorFlow.js layer class: each reads its config, takes its
// weights, appends the equivalent specs and updates the running shape (channels last, no batch
// axis). Geometry follows TensorFlow: "valid" output ⌊(in − k)/s⌋ + 1, "same" ⌈in/s⌉ with the
// extra padding at the bottom/right.

import { describe, isInteger } from "../../engine/ring/errors.js";
import { samePadding, windowOutputs } from "../geometry.js";
import type { BatchNormSpec, LayerSpec, Padding4 } from "../model-spec.js";
import type { Replacements } from "./tfjs-activations.js";
import type { LayerConfig } from "./tfjs-config.js";
import { denseArray, formatShape } from "./tfjs-json.js";
import type { LayerWeights } from "./tfjs-weight-match.js";

/** What the importers share while walking the layers in order. */
export interface ImportState {
  /** Shape of the tensor entering the next layer: [h, w, c] or [n]. */
  shape: readonly number[];
  /** Zero padding [top, bottom, left, right] waiting to be folded into the next Conv2D. */
  pending: { readonly padding: Padding4; readonly layer: LayerConfig } | undefined;
  readonly specs: LayerSpec[];
  readonly weights: LayerWeights;
  readonly replacements: Replacements;
}

export type LayerImporter = (layer: LayerConfig, state: ImportState) => void;

/** The shape as [h, w, c], refusing other ranks. */
function imageShape(layer: LayerConfig, state: ImportState): readonly [number, number, number] {
  const [h, w, c] = state.shape;
  if (state.shape.length !== 3) throw layer.unsupported(`needs an image input (height, width, channels), got shape ${formatShape(state.shape)}`);
  return [h!, w!, c!];
}

/** Output size of a window of size k, stride s over `size` padded by `before` and `after`. */
function windowOutput(layer: LayerConfig, size: number, before: number, after: number, k: number, s: number): number {
  if (size + before + after < k) throw layer.corrupt(`has a window of ${k} larger than its padded input of ${size + before + after}`);
  return windowOutputs(size, before, after, k, s);
}

const dense: LayerImporter = (layer, state) => {
  if (state.shape.length !== 1) {
    throw layer.unsupported(`gets an input of shape ${formatShape(state.shape)}: Dense applies to flat inputs only; add a Flatten layer before it`);
  }
  const units = layer.positiveInteger("units");
  const useBias = layer.flag("use_bias", true);
  const [kernel, bias] = state.weights.take(layer, [
    { role: "kernel", shape: [state.shape[0]!, units] },
    ...(useBias ? [{ role: "bias", shape: [units] }] : []),
  ]);
  state.specs.push({ type: "dense", name: layer.name, units, kernel: Array.from(kernel!), ...(bias === undefined ? {} : { bias: Array.from(bias) }) });
  state.specs.push(...state.replacements.activation(layer, layer.activation()));
  state.shape = [units];
};

const conv2d: LayerImporter = (layer, state) => {
  const [h, w, c] = imageShape(layer, state);
  layer.requireChannelsLast();
  const filters = layer.positiveInteger("filters");
  const [kh, kw] = layer.pair("kernel_size");
  const [sh, sw] = layer.pair("strides", [1, 1]);
  const dilation = layer.pair("dilation_rate", [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) throw layer.unsupported(`uses dilation_rate [${dilation.join(", ")}]: only dilation 1 is supported; rebuild the layer without dilation`);
  const groups = layer.value("groups") ?? 1;
  if (groups !== 1) throw layer.unsupported(`uses groups ${describe(groups)}: only groups 1 (an ordinary convolution) is supported`);
  const mode = layer.string("padding", "valid");
  if (mode !== "valid" && mode !== "same") throw layer.unsupported(`uses padding ${describe(mode)}: only "valid", "same" or a preceding ZeroPadding2D is supported`);
  const useBias = layer.flag("use_bias", true);
  const zero = state.pending?.padding ?? [0, 0, 0, 0];
  const [top, bottom] = mode === "same" ? samePadding(h + zero[0] + zero[1], kh, sh) : [0, 0];
  const [left, right] = mode === "same" ? samePadding(w + zero[2] + zero[3], kw, sw) : [0, 0];
  const padding: Padding4 = [zero[0] + top, zero[1] + bottom, zero[2] + left, zero[3] + right];
  const outH = windowOutput(layer, h, padding[0], padding[1], kh, sh);
  const outW = windowOutput(layer, w, padding[2], padding[3], kw, sw);
  const [kernel, bias] = state.weights.take(layer, [
    { role: "kernel", shape: [kh, kw, c, filters] },
    ...(useBias ? [{ role: "bias", shape: [filters] }] : []),
  ]);
  state.specs.push({
    type: "conv2d", name: layer.name, filters, kernelSize: [kh, kw], strides: [sh, sw],
    padding: state.pending === undefined ? mode : padding,
    kernel: Array.from(kernel!), ...(bias === undefined ? {} : { bias: Array.from(bias) }),
  });
  state.pending = undefined;
  state.specs.push(...state.replacements.activation(layer, layer.activation()));
  state.shape = [outH, outW, filters];
};

const averagePooling2d: LayerImporter = (layer, state) => {
  const [h, w, c] = imageShape(layer, state);
  layer.requireChannelsLast();
  const poolSize = layer.pair("pool_size");
  const strides = layer.pair("strides", poolSize);
  const mode = layer.string("padding", "valid");
  if (mode === "same") {
    throw layer.unsupported("uses padding 'same': TensorFlow averages border windows over their real pixels only, which avgPool2d cannot express; retrain with padding 'valid'");
  }
  if (mode !== "valid") throw layer.corrupt(`has padding ${describe(mode)}, expected "valid"`);
  state.specs.push({ type: "avgPool2d", name: layer.name, poolSize, strides });
  state.shape = [windowOutput(layer, h, 0, 0, poolSize[0], strides[0]), windowOutput(layer, w, 0, 0, poolSize[1], strides[1]), c];
};

const flatten: LayerImporter = (layer, state) => {
  layer.requireChannelsLast();
  state.specs.push({ type: "flatten", name: layer.name });
  state.shape = [state.shape.reduce((a, b) => a * b, 1)];
};

const batchNormalization: LayerImporter = (layer, state) => {
  const rank = state.shape.length;
  const axis = layer.value("axis") ?? -1;
  const list = denseArray(axis);
  const single = list?.length === 1 ? list[0] : axis;
  if (single !== -1 && single !== rank) {
    throw layer.unsupported(`normalises axis ${describe(axis)}: only the last (channel) axis, -1, is supported`);
  }
  const channels = state.shape[rank - 1]!;
  const scale = layer.flag("scale", true);
  const center = layer.flag("center", true);
  const epsilon = layer.nonNegative("epsilon", 1e-3);
  const roles = [...(scale ? ["gamma"] : []), ...(center ? ["beta"] : []), "moving_mean", "moving_variance"];
  const values = state.weights.take(layer, roles.map((role) => ({ role, shape: [channels] })));
  const byRole = new Map(roles.map((role, i) => [role, Array.from(values[i]!)]));
  const variance = byRole.get("moving_variance")!;
  const bad = variance.findIndex((v) => !(v + epsilon > 0));
  if (bad >= 0) throw layer.corrupt(`has moving_variance ${variance[bad]} at channel ${bad}: variance + epsilon must be positive`);
  const spec: BatchNormSpec = {
    type: "batchNorm", name: layer.name, movingMean: byRole.get("moving_mean")!, movingVariance: variance, epsilon,
    ...(scale ? { gamma: byRole.get("gamma")! } : {}), ...(center ? { beta: byRole.get("beta")! } : {}),
  };
  state.specs.push(spec);
};

const zeroPadding2d: LayerImporter = (layer, state) => {
  imageShape(layer, state);
  layer.requireChannelsLast();
  const value = layer.value("padding");
  const pairs = denseArray(value)?.map(denseArray) ?? [];
  const flat = pairs.length === 2 ? pairs.flatMap((pair) => (pair?.length === 2 ? pair : [])) : [];
  if (flat.length !== 4 || !flat.every((v) => isInteger(v) && v >= 0)) {
    throw layer.corrupt(`has padding ${describe(value)}, expected [[top, bottom], [left, right]] of non-negative integers`);
  }
  const [t, b, l, r] = flat as number[];
  const before = state.pending?.padding ?? [0, 0, 0, 0];
  state.pending = { padding: [before[0] + t!, before[1] + b!, before[2] + l!, before[3] + r!], layer };
};

const activation: LayerImporter = (layer, state) => {
  state.specs.push(...state.replacements.activation(layer, layer.activation()));
};

const nothing: LayerImporter = () => {};

/** An activation layer class (ReLU, Softmax, …): refused unless replaced; weights (PReLU's alpha) dropped with it. */
function activationLayer(name: string): LayerImporter {
  return (layer, state) => {
    state.specs.push(...state.replacements.activation(layer, name));
    state.weights.discard(layer);
  };
}

/** Importers by TensorFlow.js class_name. InputLayer only fixes the input shape (see tfjs.ts). */
export const layerImporters: ReadonlyMap<string, LayerImporter> = new Map([
  ["Dense", dense],
  ["Conv2D", conv2d],
  ["AveragePooling2D", averagePooling2d],
  ["Flatten", flatten],
  ["BatchNormalization", batchNormalization],
  ["ZeroPadding2D", zeroPadding2d],
  ["Activation", activation],
  ["Dropout", nothing],
  ["InputLayer", nothing],
  ["ReLU", activationLayer("relu")],
  ["LeakyReLU", activationLayer("leaky_relu")],
  ["PReLU", activationLayer("prelu")],
  ["ELU", activationLayer("elu")],
  ["ThresholdedReLU", activationLayer("thresholded_relu")],
  ["Softmax", activationLayer("softmax")],
]);

/** What to use instead of a class without an importer. */
export const unsupportedAdvice: ReadonlyMap<string, string> = new Map([
  ["MaxPooling2D", "max pooling has no polynomial form: use AveragePooling2D and retrain"],
  ["GlobalMaxPooling2D", "max pooling has no polynomial form: use AveragePooling2D and retrain"],
  ["GlobalAveragePooling2D", "use AveragePooling2D with pool_size equal to the input's height and width, followed by Flatten"],
  ["Reshape", "use Flatten"],
  ["DepthwiseConv2D", "use Conv2D"],
  ["SeparableConv2D", "use Conv2D"],
  ["Conv2DTranspose", "use Conv2D"],
]);
