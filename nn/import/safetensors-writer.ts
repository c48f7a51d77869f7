// Writes tensors as a safetensors file that the reference reader (and readSafetensors) accepts:
// data in the given order with no gaps, the JSON header padded with spaces to a multiple of 8
// bytes so that every tensor starts 8-byte aligned, as the reference writer does.

import { describe, FheError, isInteger } from "../../engine/ring/errors.js";
import { dtypeCodecs, isSupportedDtype, metadataKey, supportedDtypes, type SafetensorsDtype } from "./safetensors-dtypes.js";
import { isJsonObject } from "./tfjs-json.js";

const operation = "write safetensors";

/** A tensor to write: row-major `data` of exactly the shape's size. */
export interface TensorToWrite {
  /** Default: F32 for a Float32Array, F64 for anything else. */
  readonly dtype?: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

interface Planned {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  readonly begin: number;
  readonly end: number;
}

function invalid(reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", operation, reason);
}

/**
 * The safetensors bytes of `tensors` (a Map, or a plain object; names in iteration order) and
 * optional `metadata` strings. Values are rounded to the dtype (ties to even); every value must
 * be finite and stay finite in its dtype (F32 up to about 3.4e38, F16 up to 65504, BF16 up to
 * about 3.39e38), else INVALID_ARGUMENT names the tensor and index, as it does for a name
 * "__metadata__", an unknown dtype, a shape that is not an array of non-negative integers or
 * data whose length differs from the shape's size.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Readonly<Record<string, TensorToWrite>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const named = tensors instanceof Map ? [...tensors] : isJsonObject(tensors) ? Object.entries(tensors) : undefined;
  if (named === undefined) throw invalid(`tensors must be a Map or an object of tensors, got ${describe(tensors)}`);
  if (metadata !== undefined && !(isJsonObject(metadata) && Object.values(metadata).every((v) => typeof v === "string"))) {
    throw invalid(`metadata must be an object of strings, got ${describe(metadata)}`);
  }
  let offset = 0;
  const planned = named.map(([name, tensor]): Planned => {
    const entry = checkTensor(name, tensor);
    const begin = offset;
    offset += entry.data.length * dtypeCodecs[entry.dtype].size;
    return { ...entry, begin, end: offset };
  });
  const header: Record<string, unknown> = metadata === undefined ? {} : { [metadataKey]: { ...metadata } };
  for (const t of planned) header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [t.begin, t.end] };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength, true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const t of planned) {
    const codec = dtypeCodecs[t.dtype];
    for (let i = 0; i < t.data.length; i++) {
      const at = dataStart + t.begin + i * codec.size;
      const value: unknown = t.data[i];
      if (typeof value === "number") codec.write(view, at, value);
      if (typeof value !== "number" || !Number.isFinite(codec.read(view, at))) {
        throw invalid(`tensor ${describe(t.name)} holds ${describe(value)} at index ${i}, which is not a finite ${t.dtype} value`);
      }
    }
  }
  return bytes;
}

function checkTensor(name: string, tensor: TensorToWrite): Omit<Planned, "begin" | "end"> {
  if (typeof name !== "string") throw invalid(`tensor names must be strings, got ${describe(name)}`);
  const label = `tensor ${describe(name)}`;
  if (name === metadataKey) throw invalid(`${metadataKey} is reserved for the metadata and cannot name a tensor`);
  if (!isJsonObject(tensor)) throw invalid(`${label} must be an object {shape, data, dtype?}, got ${describe(tensor)}`);
  const data: unknown = tensor.data;
  const dtype: unknown = tensor.dtype ?? (data instanceof Float32Array ? "F32" : "F64");
  if (!isSupportedDtype(dtype)) throw invalid(`${label} has dtype ${describe(dtype)}, expected one of ${supportedDtypes.join(", ")}`);
  const shape: unknown = tensor.shape;
  if (!Array.isArray(shape) || !shape.every((d) => isInteger(d) && d >= 0)) {
    throw invalid(`${label} has shape ${describe(shape)}, expected an array of non-negative integers`);
  }
  const size = shape.reduce((product: number, d: number) => product * d, 1);
  const length = (data as { length?: unknown } | null)?.length;
  if (typeof data !== "object" || data === null || length !== size) {
    throw invalid(`${label} has shape [${shape.join(", ")}] (${size} values) but its data ${typeof length === "number" ? `has ${length} values` : `is ${describe(data)}`}`);
  }
  return { name, dtype, shape: [...(shape as number[])], data: data as ArrayLike<number> };
}
