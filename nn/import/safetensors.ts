// A reader and a writer for the safetensors format (huggingface/safetensors): an 8-byte
// little-endian unsigned header length N, N bytes of UTF-8 JSON describing each tensor
// { dtype, shape, data_offsets: [begin, end] } plus optional "__metadata__" strings, then the
// raw little-endian data, offsets counted from the first byte after the header. Reads F64,
// F32, F16 and BF16 tensors (pretrained heads, exported classifiers); no Node API.

import { checkOptions, describe, FheError } from "../../engine/ring/errors.js";
import { dtypeCodecs, type SafetensorsDtype } from "./safetensors-dtypes.js";
import { parseHeader, readOperation, type HeaderEntry } from "./safetensors-header.js";

export { writeSafetensors, type TensorToWrite } from "./safetensors-writer.js";
export { maxHeaderBytes, type SafetensorsDtype } from "./safetensors-dtypes.js";

/** One decoded tensor: row-major values, Float64Array for F64, Float32Array (exact) otherwise. */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array;
}

export interface SafetensorsFile {
  /** The tensors by name, in the order of their data in the file. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  /** The header's "__metadata__" strings ({} when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ReadSafetensorsOptions {
  /** Accept NaN and ±Infinity values. Default false: the first one is an INVALID_ARGUMENT error. */
  readonly allowNonFinite?: boolean;
}

/**
 * Decodes a whole safetensors file. Every inconsistency is CORRUPT_DATA naming what is wrong:
 * fewer than 8 bytes, a header length beyond the file or above {@link maxHeaderBytes}, a header
 * that is not UTF-8 JSON or not an object, a key given twice, a tensor entry with a missing,
 * unknown or ill-typed field, a shape whose size in bytes differs from end − begin, offsets
 * outside the data section, tensors that overlap, leave a gap or stop before the end of the
 * file. A dtype other than F64, F32, F16 and BF16, and (unless `allowNonFinite`) a NaN or
 * infinite value are INVALID_ARGUMENT.
 */
export function readSafetensors(bytes: ArrayBuffer | ArrayBufferView, options: ReadSafetensorsOptions = {}): SafetensorsFile {
  if (!(bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes))) {
    throw new FheError("INVALID_ARGUMENT", readOperation, `bytes must be an ArrayBuffer or a Uint8Array, got ${describe(bytes)}`);
  }
  checkOptions(options, readOperation);
  const allowNonFinite = options.allowNonFinite ?? false;
  if (typeof allowNonFinite !== "boolean") {
    throw new FheError("INVALID_ARGUMENT", readOperation, `allowNonFinite must be a boolean, got ${describe(allowNonFinite)}`);
  }
  const file = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = parseHeader(file);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const entry of header.entries) {
    tensors.set(entry.name, { dtype: entry.dtype, shape: [...entry.shape], data: decodeTensor(view, entry, allowNonFinite) });
  }
  return { tensors, metadata: header.metadata };
}

function decodeTensor(view: DataView, entry: HeaderEntry, allowNonFinite: boolean): Float64Array | Float32Array {
  const codec = dtypeCodecs[entry.dtype];
  const data = codec.float64 ? new Float64Array(entry.elements) : new Float32Array(entry.elements);
  for (let i = 0; i < data.length; i++) {
    const value = codec.read(view, entry.begin + i * codec.size);
    if (!allowNonFinite && !Number.isFinite(value)) {
      throw new FheError("INVALID_ARGUMENT", readOperation,
        `tensor ${describe(entry.name)} holds ${value} at index ${i}: pass { allowNonFinite: true } to accept non-finite values`);
    }
    data[i] = value;
  }
  return data;
}
