// The safetensors element types this library reads and writes, with their little-endian
// encodings. F64 decodes to a Float64Array; F32, F16 and BF16 decode to a Float32Array, which
// holds every value of those three formats exactly.

import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from "./minifloat.js";

/** A supported dtype: IEEE binary64, binary32, binary16 or bfloat16. */
export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16";

interface DtypeCodec {
  /** Bytes per element. */
  readonly size: number;
  /** True when the values decode to a Float64Array, false for a Float32Array. */
  readonly float64: boolean;
  read(view: DataView, offset: number): number;
  /** Writes the nearest representable value (ties to even); ±Infinity beyond the range. */
  write(view: DataView, offset: number, value: number): void;
}

export const dtypeCodecs: Readonly<Record<SafetensorsDtype, DtypeCodec>> = {
  F64: { size: 8, float64: true, read: (v, o) => v.getFloat64(o, true), write: (v, o, x) => v.setFloat64(o, x, true) },
  F32: { size: 4, float64: false, read: (v, o) => v.getFloat32(o, true), write: (v, o, x) => v.setFloat32(o, x, true) },
  F16: { size: 2, float64: false, read: (v, o) => decodeFloat16(v.getUint16(o, true)), write: (v, o, x) => v.setUint16(o, encodeFloat16(x), true) },
  BF16: { size: 2, float64: false, read: (v, o) => decodeBfloat16(v.getUint16(o, true)), write: (v, o, x) => v.setUint16(o, encodeBfloat16(x), true) },
};

export const supportedDtypes = Object.keys(dtypeCodecs) as SafetensorsDtype[];

export function isSupportedDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(dtypeCodecs, value);
}

/** The name under which a safetensors header keeps its string-to-string metadata. */
export const metadataKey = "__metadata__";

/**
 * The reference implementation's bound on the JSON header (100,000,000 bytes): a larger
 * header length is refused before anything is allocated.
 */
export const maxHeaderBytes = 100_000_000;
