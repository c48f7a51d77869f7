// The weights manifest of a model.json: groups of shard paths and the weights they hold, in
// stream order (tfjs-core/src/io/types.ts: WeightsManifestConfig, WeightsManifestEntry).

import { describe, isInteger } from "../../engine/ring/errors.js";
import { checkKeys, corruptModel, denseArray, formatShape, isJsonObject, ownField, unsupportedModel } from "./tfjs-json.js";

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

const groupKeys = ["paths", "weights"];
const entryKeys = ["name", "shape", "dtype", "group", "quantization"];
const quantizationKeys = ["dtype", "scale", "min"];
const unsupportedDtypes = ["bool", "string", "complex64"];
/** Larger weights are refused before any byte is read (2^40 elements). */
const maxElements = 2 ** 40;

/** Validates `weightsManifest`; weight names must be unique across all groups. */
export function parseManifest(value: unknown): WeightGroup[] {
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
