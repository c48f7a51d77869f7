// importTfjs: a TensorFlow.js LayersModel (model.json + weight shards, which Keras models
// convert to with tensorflowjs_converter) as a ModelSpec. The JSON and the bytes are parsed
// here; TensorFlow.js itself is never imported.

import { type FheError, checkOptions, describe, isInteger } from "../../engine/ring/errors.js";
import { MODEL_FORMAT, MODEL_VERSION, type LayerSpec, type ModelSpec } from "../model-spec.js";
import { Replacements } from "./tfjs-activations.js";
import { LayerConfig } from "./tfjs-config.js";
import { parseModelJson } from "./tfjs-format.js";
import { denseArray, importOperation, ownField, unknownField, unsupportedModel, type JsonObject } from "./tfjs-json.js";
import { layerImporters, unsupportedAdvice, type ImportState } from "./tfjs-layers.js";
import { LayerWeights } from "./tfjs-weight-match.js";
import { decodeWeights, type WeightsSource } from "./tfjs-weights.js";

export type { WeightBytes, WeightsSource } from "./tfjs-weights.js";

export interface ImportTfjsOptions {
  /**
   * Stand-ins for activations the importer refuses, keyed by layer name or by activation name
   * (a layer-name key wins): `{ relu: spec }` replaces every ReLU, whether a layer's
   * `activation: "relu"` (the spec follows the layer's linear part) or a ReLU/Activation layer;
   * `{ dense_1: spec }` replaces that layer's activation only. Values are one spec or an array
   * of specs applied in order, each "polyActivation" or "square" (element-wise, so the shapes
   * and the imported weights stay valid). With a replacement the import succeeds, but the
   * model computes the polynomial, not the original activation: fine-tune it with the
   * polynomial in place for accuracy. Every key must replace something.
   */
  readonly replace?: Readonly<Record<string, LayerSpec | readonly LayerSpec[]>>;
}

const optionKeys = ["replace"];

/** Classes whose layers the importer maps (see tfjs-layers.ts), for the refusal of others. */
const supportedClasses = "Dense, Conv2D, AveragePooling2D, Flatten, BatchNormalization, ZeroPadding2D, Activation('linear'), Dropout and InputLayer";

/**
 * The ModelSpec of a TensorFlow.js Sequential LayersModel.
 *
 * `modelJson` is the parsed model.json (format "layers-model"); `weights` its weight bytes:
 * one buffer with every shard concatenated, one buffer per manifest path in order, or a
 * synchronous loader (path) => buffer (buffers may be ArrayBuffers or views such as a Node
 * Buffer). Layers map to specs: Dense → dense, Conv2D (channels_last, dilation 1, groups 1,
 * padding valid/same) → conv2d, ZeroPadding2D → folded into the next Conv2D's explicit
 * padding, AveragePooling2D (padding valid) → avgPool2d, Flatten → flatten,
 * BatchNormalization (last axis) → batchNorm; Dropout, InputLayer and linear activations map
 * to nothing. The input shape comes from the first layer's batch_input_shape (or an
 * InputLayer's batch_shape) and must be (height, width, channels) or (n).
 *
 * Throws FheError: CORRUPT_DATA when the JSON or bytes are malformed or disagree (a field of
 * the wrong type, a weight of the wrong shape, missing or extra bytes); INVALID_ARGUMENT for
 * a graph model, a layer, activation or option the importer cannot map (naming the layer,
 * its class and what to use instead), a non-finite weight, or a bad argument.
 */
export function importTfjs(modelJson: unknown, weights: WeightsSource, options?: ImportTfjsOptions): ModelSpec {
  checkOptions(options, importOperation);
  const given = options as JsonObject | undefined;
  const unknown = given === undefined ? undefined : unknownField(given, optionKeys);
  if (unknown !== undefined) throw unsupportedModel(`options ${unknown}`);
  const replacements = new Replacements(given === undefined ? undefined : ownField(given, "replace"));
  const model = parseModelJson(modelJson);
  const layers = model.layers.map((layer) => new LayerConfig(layer));
  const input = inputShape(layers);
  const state: ImportState = {
    shape: input,
    pending: undefined,
    specs: [],
    weights: new LayerWeights(decodeWeights(model.manifest, weights)),
    replacements,
  };
  layers.forEach((layer, index) => {
    if (layer.layer.className === "InputLayer" && index > 0) throw layer.corrupt("is not the first layer: an InputLayer must start the model");
    const importer = layerImporters.get(layer.layer.className);
    if (importer === undefined) throw refusedClass(layer);
    const pending = state.pending;
    const before = state.specs.length;
    importer(layer, state);
    if (pending !== undefined && state.pending !== undefined && state.specs.length > before) throw notFollowedByConv(pending.layer, layer);
  });
  if (state.pending !== undefined) throw notFollowedByConv(state.pending.layer, undefined);
  state.weights.checkAllClaimed(layers);
  replacements.checkAllUsed(layers);
  const metadata = {
    importedFrom: "TensorFlow.js LayersModel",
    ...(model.generatedBy === undefined ? {} : { generatedBy: model.generatedBy }),
    ...(model.convertedBy === undefined ? {} : { convertedBy: model.convertedBy }),
  };
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, ...(model.name === undefined ? {} : { name: model.name }),
    inputShape: input, layers: state.specs, metadata,
  };
}

function refusedClass(layer: LayerConfig): FheError {
  const advice = unsupportedAdvice.get(layer.layer.className);
  if (advice !== undefined) return layer.unsupported(`is not supported: ${advice}`);
  return layer.unsupported(`is not supported: the importer maps ${supportedClasses}`);
}

function notFollowedByConv(padding: LayerConfig, next: LayerConfig | undefined): FheError {
  const by = next === undefined ? "ends the model" : `is followed by ${next.label}`;
  return padding.unsupported(`${by}, not by a Conv2D: zero padding is supported only folded into the next Conv2D's padding`);
}

/**
 * [h, w, c] or [n] from the first layer's batch_input_shape (an InputLayer may give Keras 3's
 * batch_shape instead); the batch axis (null or an integer) is dropped.
 */
function inputShape(layers: readonly LayerConfig[]): number[] {
  const first = layers[0]!;
  const keras3 = first.layer.className === "InputLayer" ? first.value("batch_shape") : undefined;
  const value = first.value("batch_input_shape") ?? keras3;
  if (value === undefined) {
    throw first.unsupported("has no batch_input_shape: give the first layer an inputShape (tfjs) or start the model with an Input layer (Keras)");
  }
  const dims = denseArray(value);
  if (dims === undefined || dims.length === 0 || !(dims[0] === null || (isInteger(dims[0]) && dims[0] >= 1))) {
    throw first.corrupt(`has batch_input_shape ${describeShape(value)}, expected [batch, ...dimensions] with batch null or a positive integer`);
  }
  const shape = dims.slice(1);
  if (!shape.every((d) => isInteger(d) && d >= 1)) throw first.corrupt(`has batch_input_shape ${describeShape(value)}: every dimension must be a positive integer`);
  if (shape.length !== 1 && shape.length !== 3) {
    throw first.unsupported(`has input shape ${describeShape(shape)}: inputs must be images (height, width, channels) or vectors (n)`);
  }
  return shape as number[];
}

function describeShape(value: unknown): string {
  const dims = denseArray(value);
  return dims !== undefined && dims.length <= 8 ? `[${dims.map((d) => describe(d)).join(", ")}]` : describe(value);
}
