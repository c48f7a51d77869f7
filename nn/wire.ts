// Many serialized objects in one buffer, so a batch of ciphertexts crosses a thread or a
// network boundary as one transferable ArrayBuffer.

import { FheError } from "../engine/ring/errors.js";

/** Serialized objects laid end to end; `lengths[i]` bytes for object i. */
export interface ByteBundle {
  readonly bytes: Uint8Array;
  readonly lengths: Uint32Array;
}

export function bundle(parts: readonly Uint8Array[]): ByteBundle {
  const builder = new BundleBuilder(parts.length, parts.reduce((a, p) => a + p.length, 0));
  for (const p of parts) builder.add(p);
  return builder.finish();
}

/**
 * Builds a bundle part by part, copying each part in as it comes, so that a caller serializing
 * many objects holds one part at a time instead of all of them (and touches the bundle's memory
 * once). `count` parts are expected; `bytes` is the expected total (0: guess from the first
 * part, count times its size); the buffer grows when the guess is short.
 */
export class BundleBuilder {
  #bytes: Uint8Array;
  readonly #lengths: Uint32Array;
  #parts = 0;
  #size = 0;

  constructor(readonly count: number, bytes = 0) {
    if (!Number.isSafeInteger(count) || count < 0) throw new FheError("INVALID_ARGUMENT", "build bundle", `count must be an integer >= 0, got ${count}`);
    this.#lengths = new Uint32Array(count);
    this.#bytes = new Uint8Array(bytes);
  }

  add(part: Uint8Array): void {
    if (this.#parts === this.count) throw new FheError("INVALID_ARGUMENT", "build bundle", `the bundle was built for ${this.count} parts`);
    if (this.#parts === 0 && this.#bytes.length === 0) this.#bytes = new Uint8Array(part.length * this.count);
    if (this.#size + part.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#size + part.length));
      grown.set(this.#bytes.subarray(0, this.#size));
      this.#bytes = grown;
    }
    this.#bytes.set(part, this.#size);
    this.#size += part.length;
    this.#lengths[this.#parts++] = part.length;
  }

  /** The bundle; every expected part must have been added. */
  finish(): ByteBundle {
    if (this.#parts !== this.count) throw new FheError("INVALID_ARGUMENT", "build bundle", `${this.#parts} of ${this.count} parts were added`);
    const bytes = this.#size === this.#bytes.length ? this.#bytes : this.#bytes.slice(0, this.#size);
    return { bytes, lengths: this.#lengths };
  }
}

/** Views of the objects of a bundle (no copies). Refuses lengths that do not add up (CORRUPT_DATA). */
export function unbundle(data: ByteBundle): Uint8Array[] {
  const shaped = data !== null && typeof data === "object" && data.bytes instanceof Uint8Array && data.lengths instanceof Uint32Array;
  if (!shaped) throw new FheError("CORRUPT_DATA", "unbundle bytes", "expected { bytes: Uint8Array, lengths: Uint32Array }");
  let total: number;
  try {
    total = data.lengths.reduce((a, b) => a + b, 0);
  } catch {
    throw new FheError("CORRUPT_DATA", "unbundle bytes", "the bundle's buffers were detached (released or transferred): unbundle it before releaseBundle or a transfer");
  }
  if (total !== data.bytes.length) throw new FheError("CORRUPT_DATA", "unbundle bytes", "the lengths do not add up to the bundle's size");
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

/**
 * Detaches the bundle's buffers (their contents move to a clone that nothing keeps), so their
 * memory can be reclaimed before whoever received them lets go of the bundle object: a worker
 * that has loaded a batch of ciphertexts holds no second copy of it through the task. The bundle
 * is empty afterwards (zero-length views).
 */
export function releaseBundle(data: ByteBundle): void {
  structuredClone(bundleTransfer(data), { transfer: bundleTransfer(data) });
}

