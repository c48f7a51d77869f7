// The weight bytes of a TensorFlow.js model: the shards of every manifest group, concatenated in
// manifest order, form one little-endian stream in which the weights follow one another in
// manifest order (tfjs-core io_utils: getWeightSpecs, decodeWeight). A weight may cross a
// shard boundary; the stream's length must equal the manifest's exactly.

import { describe } from "../../engine/ring/errors.js";
import { decodeFloat16 } from "./minifloat.js";
import { corruptModel, denseArray, unsupportedModel } from "./tfjs-json.js";
import type { WeightEntry, WeightGroup } from "./tfjs-manifest.js";

/** A buffer of weight bytes: an ArrayBuffer, or a view of one (a Node Buffer, a Uint8Array). */
export type WeightBytes = ArrayBuffer | ArrayBufferView;

/**
 * Where the weights come from: one buffer holding every shard concatenated; one buffer per
 * shard path, in manifest order; or a synchronous loader called once per path, in order (an
 * exception it throws reaches the caller unchanged).
 */
export type WeightsSource = WeightBytes | readonly WeightBytes[] | ((path: string) => WeightBytes);

/** A model weight's values, dequantised, as float64 (float32 and int32 values are exact). */
export interface DecodedWeight {
  readonly entry: WeightEntry;
  readonly values: Float64Array;
}

/**
 * Reads every weight of the manifest from `source`. Weights of the "optimizer" group are
 * skipped; every other value must be finite (INVALID_ARGUMENT names the weight and index).
 */
export function decodeWeights(manifest: readonly WeightGroup[], source: unknown): DecodedWeight[] {
  const entries = manifest.flatMap((group) => group.weights);
  const stream = new ShardStream(shardsOf(source, manifest.flatMap((group) => group.paths)));
  const expected = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  if (stream.length !== expected) {
    const what = stream.length < expected ? "truncated or a shard is missing" : "longer than the manifest describes";
    throw corruptModel(`the weight bytes hold ${stream.length} bytes but the manifest describes ${expected}: the data is ${what}`);
  }
  const decoded: DecodedWeight[] = [];
  for (const entry of entries) {
    const bytes = stream.read(entry.bytes);
    if (entry.group === "model") decoded.push({ entry, values: checkFinite(entry, decodeValues(entry, bytes)) });
  }
  return decoded;
}

function isBytes(value: unknown): value is WeightBytes {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function asUint8(bytes: WeightBytes): Uint8Array {
  return bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The shards as byte views, validating the `weights` argument against the manifest's paths. */
function shardsOf(source: unknown, paths: readonly string[]): Uint8Array[] {
  if (isBytes(source)) return [asUint8(source)];
  const buffers = denseArray(source);
  if (buffers !== undefined) {
    if (buffers.length !== paths.length) {
      throw unsupportedModel(`weights has ${buffers.length} buffers but the manifest lists ${paths.length} shard paths: pass one buffer per path, in manifest order`);
    }
    return buffers.map((shard, i) => {
      if (!isBytes(shard)) throw unsupportedModel(`weights[${i}] (shard ${describe(paths[i])}) must be an ArrayBuffer or a Uint8Array, got ${describe(shard)}`);
      return asUint8(shard);
    });
  }
  if (typeof source === "function") {
    return paths.map((path) => {
      const shard: unknown = source(path);
      if (typeof (shard as { then?: unknown } | null)?.then === "function") {
        throw unsupportedModel(`the weights loader returned a Promise for ${describe(path)}: the import is synchronous; load the shards first and pass them as an array of ArrayBuffers`);
      }
      if (!isBytes(shard)) throw unsupportedModel(`the weights loader returned ${describe(shard)} for ${describe(path)}, expected an ArrayBuffer or a Uint8Array`);
      return asUint8(shard);
    });
  }
  throw unsupportedModel(`weights must be an ArrayBuffer, an array of ArrayBuffers (one per shard path) or a loader (path) => ArrayBuffer, got ${describe(source)}`);
}

/** Sequential reads over concatenated shards; a read may span several shards. */
class ShardStream {
  readonly length: number;
  private shard = 0;
  private offset = 0;

  constructor(private readonly shards: readonly Uint8Array[]) {
    this.length = shards.reduce((sum, s) => sum + s.byteLength, 0);
  }

  /** The next `count` bytes as a copy (precondition: that many remain). */
  read(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const shard = this.shards[this.shard]!;
      const take = Math.min(count - filled, shard.byteLength - this.offset);
      out.set(shard.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === shard.byteLength) {
        this.shard++;
        this.offset = 0;
      }
    }
    return out;
  }
}

/** The values of one weight from its bytes: little-endian, dequantised as tfjs does. */
function decodeValues(entry: WeightEntry, bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(entry.elements);
  const q = entry.quantization;
  if (q === undefined) {
    for (let i = 0; i < values.length; i++) values[i] = entry.dtype === "float32" ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  } else if (q.dtype === "float16") {
    for (let i = 0; i < values.length; i++) values[i] = decodeFloat16(view.getUint16(2 * i, true));
  } else {
    // tfjs computes v·scale + min into a Float32Array (float32 weights) or rounds it (int32).
    const round = entry.dtype === "float32" ? Math.fround : Math.round;
    for (let i = 0; i < values.length; i++) {
      const v = q.dtype === "uint8" ? view.getUint8(i) : view.getUint16(2 * i, true);
      values[i] = round(v * q.scale + q.min);
    }
  }
  return values;
}

function checkFinite(entry: WeightEntry, values: Float64Array): Float64Array {
  const index = values.findIndex((v) => !Number.isFinite(v));
  if (index >= 0) {
    throw unsupportedModel(`weight ${describe(entry.name)} holds ${values[index]} at index ${index}: every weight must be finite; retrain or repair the model`);
  }
  return values;
}
