// A TensorFlow.js LayersModel `model.json` (tfjs-core's ModelJSON) parsed and validated: the
// top-level fields, the weights manifest and the Sequential topology, as plain typed data.
// Facts from tfjs-core/src/io/types.ts and tfjs-layers/src/models.ts; tfjs itself is never
// imported. Every field is read as an own property of a checked type, so hostile JSON (null,
// arrays or strings anywhere) gives an FheError, never a TypeError.

import { FheError, describe, isInteger } from "../../engine/ring/errors.js";

/** The operation every importer error names: "cannot import TensorFlow.js model: …". */
export const importOperation = "import TensorFlow.js model";

/** CORRUPT_DATA: the model JSON or the weight bytes are malformed or inconsistent. */
export function corruptModel(reason: string): FheError {
  return new FheError("CORRUPT_DATA", importOperation, reason);
}

/** INVALID_ARGUMENT: a well-formed model (or argument) that cannot be imported as it is. */
export function unsupportedModel(reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", importOperation, reason);
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** True for an object that is neither null nor an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Arrays longer than this are refused unread: no field of a model needs more elements. */
const maxArrayLength = 2 ** 24;

/**
 * A dense copy of `value` when it is an array of at most 2^24 elements (holes of a sparse
 * array read as undefined, so element checks see them), else undefined.
 */
export function denseArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length <= maxArrayLength ? Array.from(value as unknown[]) : undefined;
}

/** `object[key]` when it is an own property, else undefined (never an inherited member). */
export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A shape for messages: "[3, 3, 1, 8]" (long shapes shortened). */
export function formatShape(shape: readonly number[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(", ")}, … (${shape.length} dimensions)]` : `[${shape.join(", ")}]`;
}

/** The message part for the first key of `object` outside `known`, if there is one. */
export function unknownField(object: JsonObject, known: readonly string[]): string | undefined {
  const extra = Object.keys(object).find((key) => !known.includes(key));
  return extra === undefined ? undefined : `has an unknown field ${describe(extra)} (known fields: ${known.join(", ")})`;
}

/** Throws CORRUPT_DATA naming the first key of `object` outside `known`. */
function checkKeys(object: JsonObject, known: readonly string[], where: string): void {
  const unknown = unknownField(object, known);
  if (unknown !== undefined) throw corruptModel(`${where} ${unknown}`);
}

/** Storage type of a weight, after dequantisation. */
export type WeightDtype = "float32" | "int32";

/** How a weight is stored when quantised: uint8/uint16 codes v mean v·scale + min. */
export type Quantization =
  | { readonly dtype: "uint8" | "uint16"; readonly scale: number; readonly min: number }
  | { readonly dtype: "float16" };

/** One weight of the manifest; `bytes` is its length in the shard stream. */
export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype;
  /** "optimizer" weights (saved with includeOptimizer) are skipped by the importer. */
  readonly group: "model" | "optimizer";
  readonly quantization?: Quantization;
  readonly elements: number;
  readonly bytes: number;
}

/** One manifest group: shard paths (fetched in order) and the weights they hold. */
export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

/** One layer of the Sequential topology; `config` is its snake_case config, unread. */
export interface TopologyLayer {
  readonly className: string;
  readonly name: string;
  readonly config: JsonObject;
}

/** A validated model.json. */
export interface ModelJson {
  readonly name?: string;
  readonly layers: readonly TopologyLayer[];
  readonly manifest: readonly WeightGroup[];
  readonly generatedBy?: string;
  readonly convertedBy?: string;
}

const modelJsonKeys = [
  "modelTopology", "weightsManifest", "format", "generatedBy", "convertedBy",
  "trainingConfig", "signature", "userDefinedMetadata", "modelInitializer", "initializerSignature",
];
const groupKeys = ["paths", "weights"];
const entryKeys = ["name", "shape", "dtype", "group", "quantization"];
const quantizationKeys = ["dtype", "scale", "min"];
const unsupportedDtypes = ["bool", "string", "complex64"];
/** Larger weights are refused before any byte is read (2^40 elements). */
const maxElements = 2 ** 40;

const graphModelAdvice =
  "a graph model (tf.saved_model or a frozen graph) cannot be imported: a LayersModel is needed; " +
  "convert the Keras model with tensorflowjs_converter --input_format keras, or save a tf.LayersModel";

/**
 * Validates a parsed `model.json`. Known top-level fields besides modelTopology,
 * weightsManifest, format, generatedBy and convertedBy are ignored (training configuration,
 * signatures, user metadata); unknown ones are refused. `format` may be absent (files written
 * before tfjs added it); when present it must be "layers-model".
 */
export function parseModelJson(json: unknown): ModelJson {
  if (typeof json === "string") throw unsupportedModel("modelJson is a string: pass the parsed model.json (JSON.parse its text first)");
  if (!isJsonObject(json)) throw unsupportedModel(`modelJson must be the parsed model.json object, got ${describe(json)}`);
  checkKeys(json, modelJsonKeys, "model.json");
  const format = ownField(json, "format");
  if (format === "graph-model") throw unsupportedModel(`model.json has format "graph-model": ${graphModelAdvice}`);
  if (format !== undefined && format !== "layers-model") {
    throw corruptModel(`model.json has format ${describe(format)}, expected "layers-model"`);
  }
  const generatedBy = optionalString(ownField(json, "generatedBy"), "model.json generatedBy");
  const convertedBy = optionalString(ownField(json, "convertedBy"), "model.json convertedBy");
  const topology = parseTopology(ownField(json, "modelTopology"));
  const manifest = parseManifest(ownField(json, "weightsManifest"));
  return { ...topology, manifest, ...(generatedBy === undefined ? {} : { generatedBy }), ...(convertedBy === undefined ? {} : { convertedBy }) };
}

/** A string, or undefined for an absent or null field; anything else is CORRUPT_DATA. */
function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw corruptModel(`${what} must be a string, got ${describe(value)}`);
  return value;
}

/**
 * The Sequential topology: `{class_name: "Sequential", config: {name, layers}}`, or the legacy
 * form whose config is the bare array of layers; a `model_config` wrapper (written by the
 * Keras converter) is unwrapped first, as tfjs does.
 */
function parseTopology(value: unknown): Pick<ModelJson, "name" | "layers"> {
  if (!isJsonObject(value)) throw corruptModel(`model.json modelTopology must be an object, got ${describe(value)}`);
  if (Object.hasOwn(value, "node")) throw unsupportedModel(`modelTopology is a GraphDef: ${graphModelAdvice}`);
  const wrapped = ownField(value, "model_config");
  const topology = wrapped === undefined || wrapped === null ? value : wrapped;
  if (!isJsonObject(topology)) throw corruptModel(`modelTopology.model_config must be an object, got ${describe(topology)}`);
  const className = ownField(topology, "class_name");
  if (className === "Model" || className === "Functional") {
    throw unsupportedModel(`the model is a functional ${className}: only Sequential models can be imported; rebuild it as a Sequential model (tf.sequential or keras.Sequential)`);
  }
  if (className !== "Sequential") throw corruptModel(`modelTopology class_name must be "Sequential", got ${describe(className)}`);
  const config = ownField(topology, "config");
  const legacy = denseArray(config);
  if (legacy !== undefined) return { layers: parseLayers(legacy) };
  if (!isJsonObject(config)) throw corruptModel(`modelTopology config must be an object or an array of layers, got ${describe(config)}`);
  const name = optionalString(ownField(config, "name"), "modelTopology config.name");
  const layers = denseArray(ownField(config, "layers"));
  if (layers === undefined) throw corruptModel(`modelTopology config.layers must be an array, got ${describe(layers)}`);
  return { ...(name === undefined ? {} : { name }), layers: parseLayers(layers) };
}

function parseLayers(entries: readonly unknown[]): TopologyLayer[] {
  if (entries.length === 0) throw corruptModel("the Sequential model has no layers");
  const names = new Set<string>();
  return entries.map((entry, index) => {
    const where = `layer ${index} of the topology`;
    if (!isJsonObject(entry)) throw corruptModel(`${where} must be an object {class_name, config}, got ${describe(entry)}`);
    const className = ownField(entry, "class_name");
    if (typeof className !== "string" || className === "") throw corruptModel(`${where} has class_name ${describe(className)}, expected a layer class name`);
    const config = ownField(entry, "config");
    if (!isJsonObject(config)) throw corruptModel(`${where} (${className}) has config ${describe(config)}, expected an object`);
    const name = ownField(config, "name");
    if (typeof name !== "string" || name === "") throw corruptModel(`${where} (${className}) has name ${describe(name)}, expected a non-empty string`);
    if (names.has(name)) throw corruptModel(`two layers are named ${describe(name)}: layer names must be unique`);
    names.add(name);
    return { className, name, config };
  });
}

function parseManifest(value: unknown): WeightGroup[] {
  const groups = denseArray(value);
  if (groups === undefined) throw corruptModel(`model.json weightsManifest must be an array of groups, got ${describe(value)}`);
  const names = new Set<string>();
  return groups.map((group, g) => {
    const where = `weightsManifest[${g}]`;
    if (!isJsonObject(group)) throw corruptModel(`${where} must be an object {paths, weights}, got ${describe(group)}`);
    checkKeys(group, groupKeys, where);
    const paths = denseArray(ownField(group, "paths"));
    if (paths === undefined || !paths.every((p) => typeof p === "string" && p !== "")) {
      throw corruptModel(`${where}.paths must be an array of non-empty strings, got ${describe(ownField(group, "paths"))}`);
    }
    const weights = denseArray(ownField(group, "weights"));
    if (weights === undefined) throw corruptModel(`${where}.weights must be an array, got ${describe(ownField(group, "weights"))}`);
    const entries = weights.map((entry, w) => parseEntry(entry, `${where}.weights[${w}]`));
    for (const entry of entries) {
      if (names.has(entry.name)) throw corruptModel(`the manifest lists the weight ${describe(entry.name)} twice`);
      names.add(entry.name);
    }
    return { paths: paths as string[], weights: entries };
  });
}

function parseEntry(entry: unknown, where: string): WeightEntry {
  if (!isJsonObject(entry)) throw corruptModel(`${where} must be an object {name, shape, dtype}, got ${describe(entry)}`);
  checkKeys(entry, entryKeys, where);
  const name = ownField(entry, "name");
  if (typeof name !== "string" || name === "") throw corruptModel(`${where}.name must be a non-empty string, got ${describe(name)}`);
  const label = `weight ${describe(name)}`;
  const shape = denseArray(ownField(entry, "shape"));
  if (shape === undefined || !shape.every((d) => isInteger(d) && d >= 0)) {
    throw corruptModel(`${label} has shape ${describe(ownField(entry, "shape"))}, expected an array of non-negative integers`);
  }
  const dims = shape as number[];
  const elements = dims.includes(0) ? 0 : dims.reduce((product, d) => product * d, 1);
  if (elements > maxElements) throw corruptModel(`${label} has shape ${formatShape(dims)}, more than 2^40 elements`);
  const dtype = ownField(entry, "dtype");
  if (typeof dtype === "string" && unsupportedDtypes.includes(dtype)) {
    throw unsupportedModel(`${label} has dtype ${dtype}: only float32 and int32 weights can be imported`);
  }
  if (dtype !== "float32" && dtype !== "int32") throw corruptModel(`${label} has dtype ${describe(dtype)}, expected "float32" or "int32"`);
  const group = ownField(entry, "group") ?? "model";
  if (group !== "model" && group !== "optimizer") throw corruptModel(`${label} has group ${describe(group)}, expected "model" or "optimizer"`);
  const rawQuantization = ownField(entry, "quantization");
  const quantization = rawQuantization === undefined ? undefined : parseQuantization(rawQuantization, dtype, label);
  const bytesPerValue = quantization === undefined ? 4 : quantization.dtype === "uint8" ? 1 : 2;
  return {
    name, shape: dims, dtype, group, elements, bytes: elements * bytesPerValue,
    ...(quantization === undefined ? {} : { quantization }),
  };
}

/** uint8/uint16 need finite scale and min; float16 applies to float32 weights only (as in tfjs). */
function parseQuantization(value: unknown, dtype: WeightDtype, label: string): Quantization {
  if (!isJsonObject(value)) throw corruptModel(`${label} has quantization ${describe(value)}, expected an object {dtype, scale, min}`);
  checkKeys(value, quantizationKeys, `the quantization of ${label}`);
  const quantized = ownField(value, "dtype");
  if (quantized === "float16") {
    if (dtype !== "float32") throw corruptModel(`${label} is quantised to float16 but has dtype ${dtype}: float16 applies to float32 weights only`);
    return { dtype: quantized };
  }
  if (quantized !== "uint8" && quantized !== "uint16") {
    throw corruptModel(`${label} has quantization dtype ${describe(quantized)}, expected "uint8", "uint16" or "float16"`);
  }
  const scale = ownField(value, "scale");
  const min = ownField(value, "min");
  if (typeof scale !== "number" || !Number.isFinite(scale) || typeof min !== "number" || !Number.isFinite(min)) {
    throw corruptModel(`${label} is quantised to ${quantized} with scale ${describe(scale)} and min ${describe(min)}: both must be finite numbers`);
  }
  return { dtype: quantized, scale, min };
}
