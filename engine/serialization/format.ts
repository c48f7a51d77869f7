// The binary container shared by every serialized object (all integers little-endian):
//   magic "WCKS" (4 bytes) | version u16 | kind u8 | flags u8 | parameters fingerprint (8 bytes)
//   | body | CRC-32 of everything before it (u32)
// Polynomials are written as their residues (u32 each, limb after limb, NTT form).

import { FheError } from "../ring/errors.js";
import { crc32, RunningCrc32 } from "./crc32.js";
import type { RnsBasis } from "../ring/basis.js";
import type { RnsPoly } from "../ring/poly.js";
import type { Ring } from "../ring/ring.js";
import type { WasmHeap } from "../ring/wasm/heap.js";

export const formatMagic = [0x57, 0x43, 0x4b, 0x53]; // "WCKS"
export const formatVersion = 1;

/** Object kinds in the header. */
export const Kind = {
  parameters: 1,
  plaintext: 2,
  ciphertext: 3,
  publicKey: 4,
  secretKey: 5,
  switchingKey: 6,
  galoisKeys: 7,
  encapsulationKeys: 8,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Header flag: uniform parts are stored as a 32-byte seed. */
export const seededFlag = 1;

/**
 * Growable little-endian byte writer. With `secret` (a secret key), every internal buffer it
 * drops (when growing, and after {@link finish} copies the result out) is zeroed first.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;
  private readonly secret: boolean;
  /** The checksum of the bytes before `checked`; polynomials are checksummed where they live, in the heap. */
  private readonly crc = new RunningCrc32();
  private checked = 0;

  /** `capacity`: the expected size in bytes (a good guess saves regrowing and the final copy). */
  constructor(options: { secret?: boolean; capacity?: number } = {}) {
    this.secret = options.secret === true;
    this.buffer = new Uint8Array(Math.max(1024, options.capacity ?? 0));
    this.view = new DataView(this.buffer.buffer);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    if (this.secret) this.buffer.fill(0);
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Writes the residues of `poly` (every limb, as stored). */
  poly(poly: RnsPoly): void {
    this.crc.update(this.buffer.subarray(this.checked, this.length));
    const words = poly.n * poly.basis.size;
    this.reserve(4 * words);
    const source = poly.ring.heap.u32().subarray(poly.limbAddress(0) >>> 2, (poly.limbAddress(0) >>> 2) + words);
    const target = new Uint8Array(source.buffer, source.byteOffset, 4 * words);
    if (littleEndianHost) {
      this.buffer.set(target, this.length);
    } else {
      for (let i = 0; i < words; i++) this.view.setUint32(this.length + 4 * i, source[i]!, true);
    }
    this.length += 4 * words;
    // The heap is little-endian like the written bytes.
    this.crc.updateInHeap(poly.ring.heap, poly.limbAddress(0), 4 * words);
    this.checked = this.length;
  }

  /** The bytes written so far followed by their CRC-32. */
  finish(): Uint8Array {
    this.crc.update(this.buffer.subarray(this.checked, this.length));
    this.checked = this.length;
    this.u32(this.crc.value);
    // A buffer within 64 bytes of the result is handed out as it is (no copy); secret data is
    // always copied so that the internal buffer can be zeroed.
    const bytes = !this.secret && this.buffer.length - this.length <= 64 ? this.buffer.subarray(0, this.length) : this.buffer.slice(0, this.length);
    if (this.secret) this.buffer.fill(0);
    return bytes;
  }
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bounds-checked little-endian reader; every failure is a CORRUPT_DATA error naming `operation`. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  private readonly data: Uint8Array;

  /**
   * Checks the CRC-32 trailer of `bytes` (in the kernel of `heap` when given); the reader then
   * covers everything before it.
   */
  constructor(bytes: Uint8Array, readonly operation: string, heap?: WasmHeap) {
    if (!(bytes instanceof Uint8Array)) throw new FheError("INVALID_ARGUMENT", operation, "expected a Uint8Array");
    if (bytes.length < 4) throw new FheError("CORRUPT_DATA", operation, "the data is truncated (shorter than its checksum)");
    this.data = bytes.subarray(0, bytes.length - 4);
    const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
    if (crc32(this.data, heap) !== stored) {
      throw new FheError("CORRUPT_DATA", operation, "the checksum does not match: the data is truncated or corrupted");
    }
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  fail(reason: string): never {
    throw new FheError("CORRUPT_DATA", this.operation, reason);
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.data.length) this.fail(`the data is truncated (needed ${bytes} more bytes at offset ${this.offset})`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  bytes(count: number): Uint8Array {
    this.need(count);
    const value = this.data.slice(this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  /** Reads a polynomial over `basis` (NTT form), checking every residue is below its prime. */
  poly(ring: Ring, basis: RnsBasis, options: { secret?: boolean } = {}): RnsPoly {
    const n = ring.n;
    this.need(4 * n * basis.size);
    const poly = ring.allocate(basis, { ntt: true, secret: options.secret ?? false });
    try {
      const { heap } = ring;
      basis.primes.forEach((q, i) => {
        const address = poly.limbAddress(i);
        if (littleEndianHost) {
          new Uint8Array(heap.memory.buffer, address, 4 * n).set(this.data.subarray(this.offset, this.offset + 4 * n));
        } else {
          const words = heap.u32();
          for (let j = 0; j < n; j++) words[(address >>> 2) + j] = this.view.getUint32(this.offset + 4 * j, true);
        }
        const bad = heap.kernels.firstAtLeast(address, n, q);
        if (bad >= 0) this.fail(`residue ${bad} of limb ${i} is ${heap.u32()[(address >>> 2) + bad]}, not below its prime ${q}`);
        this.offset += 4 * n;
      });
    } catch (error) {
      poly.dispose();
      throw error;
    }
    return poly;
  }

  /**
   * Reads a polynomial stored as its residues that must equal `expected` (same basis, NTT
   * form) word for word, e.g. a uniform part stored next to the seed it was expanded from;
   * fails with `mismatch` otherwise. Reads nothing into the heap.
   */
  matchPoly(expected: RnsPoly, mismatch: string): void {
    const words = expected.n * expected.basis.size;
    this.need(4 * words);
    const base = expected.limbAddress(0) >>> 2;
    const stored = expected.ring.heap.u32();
    for (let i = 0; i < words; i++) {
      if (this.view.getUint32(this.offset + 4 * i, true) !== stored[base + i]) this.fail(mismatch);
    }
    this.offset += 4 * words;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.offset !== this.data.length) this.fail(`${this.data.length - this.offset} unexpected trailing bytes`);
  }
}

/** Writes the container header. */
export function writeHeader(writer: ByteWriter, kind: Kind, flags: number, fingerprint: string): void {
  writer.bytes(Uint8Array.from(formatMagic));
  writer.u16(formatVersion);
  writer.u8(kind);
  writer.u8(flags);
  writer.bytes(fingerprintBytes(fingerprint));
}

/** Reads and checks the header; returns the flags and the fingerprint (hex). */
export function readHeader(reader: ByteReader, kind: Kind): { flags: number; fingerprint: string } {
  const magic = reader.bytes(4);
  if (magic.some((b, i) => b !== formatMagic[i])) reader.fail("not a wasm-ckks object (bad magic bytes)");
  const version = reader.u16();
  if (version !== formatVersion) reader.fail(`unsupported format version ${version} (this library reads version ${formatVersion})`);
  const found = reader.u8();
  if (found !== kind) reader.fail(`expected object kind ${kindName(kind)}, found ${kindName(found)}`);
  const flags = reader.u8();
  if ((flags & ~seededFlag) !== 0) reader.fail(`unknown flags ${flags}`);
  const fingerprint = Array.from(reader.bytes(8), (b) => b.toString(16).padStart(2, "0")).join("");
  return { flags, fingerprint };
}

function kindName(kind: number): string {
  const entry = Object.entries(Kind).find(([, value]) => value === kind);
  return entry === undefined ? `#${kind}` : entry[0];
}

function fingerprintBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: 8 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
