// Many serialized objects in one buffer, so a batch of ciphertexts crosses a thread or a
// network boundary as one transferable ArrayBuffer.

import { FheError } from "../engine/ring/errors.js";

/** Serialized objects laid end to end; `lengths[i]` bytes for object i. */
export interface ByteBundle {
  readonly bytes: Uint8Array;
  readonly lengths: Uint32Array;
}

export function bundle(parts: readonly Uint8Array[]): ByteBundle {
  const lengths = Uint32Array.from(parts, (p) => p.length);
  const bytes = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, lengths };
}

/** Views of the objects of a bundle (no copies). Refuses lengths that do not add up (CORRUPT_DATA). */
export function unbundle(data: ByteBundle): Uint8Array[] {
  const ok = data !== null && typeof data === "object" && data.bytes instanceof Uint8Array && data.lengths instanceof Uint32Array &&
    data.lengths.reduce((a, b) => a + b, 0) === data.bytes.length;
  if (!ok) throw new FheError("CORRUPT_DATA", "unbundle bytes", "the lengths do not add up to the bundle's size");
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const length of data.lengths) {
    parts.push(data.bytes.subarray(offset, offset + length));
    offset += length;
  }
  return parts;
}

/** The buffers to transfer for a bundle. */
export function bundleTransfer(data: ByteBundle): ArrayBuffer[] {
  return [data.bytes.buffer as ArrayBuffer, data.lengths.buffer as ArrayBuffer];
}
