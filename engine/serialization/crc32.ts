// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the integrity check of serialized
// objects: it catches accidental corruption (bit flips, truncation), not tampering. Computed
// eight bytes at a time ("slicing-by-8": eight 256-entry tables), the same value as the
// byte-at-a-time definition. Given a heap, long inputs run in the kernel (asm/checksum.ts),
// read in place or copied through a scratch block of that heap: several times faster than the
// JS loop.

import type { WasmHeap } from "../ring/wasm/heap.js";

const tables = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i]! >>> 8) ^ t[t[(s - 1) * 256 + i]! & 0xff]!;
  }
  return t;
})();

/** Bytes copied into the heap per kernel call. */
const scratchBytes = 1 << 16;
/** Below this length the JS loop is as fast as the copy and the call. */
const kernelThreshold = 2048;

interface HeapTables {
  readonly tables: number;
  readonly scratch: number;
}
const heapTables = new WeakMap<WasmHeap, HeapTables>();

/** The tables and the scratch block of `heap` (allocated once per heap, 72 KiB). */
function tablesIn(heap: WasmHeap): HeapTables {
  let entry = heapTables.get(heap);
  if (entry === undefined) {
    const address = heap.allocate(tables.byteLength + scratchBytes, "compute a checksum");
    new Uint32Array(heap.memory.buffer, address, tables.length).set(tables);
    entry = { tables: address, scratch: address + tables.byteLength };
    heapTables.set(heap, entry);
  }
  return entry;
}

/** The running CRC register after `bytes`, in JS. */
function updateJs(register: number, bytes: Uint8Array): number {
  const t = tables;
  let crc = register;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const a = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    crc = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc >>> 0;
}

/** The running CRC register after `bytes`, in the kernel; the scratch block is zeroed after use (the bytes may be secret). */
function updateKernel(register: number, bytes: Uint8Array, heap: WasmHeap): number {
  const { tables: t, scratch } = tablesIn(heap);
  let crc = register;
  for (let start = 0; start < bytes.length; start += scratchBytes) {
    const chunk = bytes.subarray(start, Math.min(bytes.length, start + scratchBytes));
    new Uint8Array(heap.memory.buffer, scratch, chunk.length).set(chunk);
    crc = heap.kernels.crc32Update(crc, scratch, chunk.length, t) >>> 0;
  }
  heap.zero(scratch, Math.min(scratchBytes, bytes.length));
  return crc;
}

/** A CRC-32 over bytes given in order, from JS arrays or read in place from a heap. */
export class RunningCrc32 {
  private register = 0xffffffff;

  /** Continues over `bytes` (in the kernel of `heap` when given and the input is 2 KiB or more). */
  update(bytes: Uint8Array, heap?: WasmHeap): void {
    this.register = heap !== undefined && bytes.length >= kernelThreshold ? updateKernel(this.register, bytes, heap) : updateJs(this.register, bytes);
  }

  /** Continues over the `length` bytes at `address` in `heap`, read in place by the kernel. */
  updateInHeap(heap: WasmHeap, address: number, length: number): void {
    this.register = heap.kernels.crc32Update(this.register, address, length, tablesIn(heap).tables) >>> 0;
  }

  /** The CRC-32 of everything so far. */
  get value(): number {
    return (this.register ^ 0xffffffff) >>> 0;
  }
}

/** CRC-32 of the `length` bytes at `address` in `heap`, read in place by the kernel. */
export function crc32InHeap(heap: WasmHeap, address: number, length: number): number {
  const crc = new RunningCrc32();
  crc.updateInHeap(heap, address, length);
  return crc.value;
}

/**
 * CRC-32 of `bytes` (the value of crc32("123456789") is 0xCBF43926). With `heap`, inputs of
 * 2 KiB or more are checksummed by the kernel in that heap (the same value).
 */
export function crc32(bytes: Uint8Array, heap?: WasmHeap): number {
  const crc = new RunningCrc32();
  crc.update(bytes, heap);
  return crc.value;
}
