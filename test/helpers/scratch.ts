// Raw heap buffers for calling kernels directly: write JS arrays in, run a kernel, read back.
// Every buffer sits between guard words so tests can check a kernel wrote nothing outside it.

import type { WasmHeap } from "../../engine/index.js";

/** Words placed before and after each buffer, and the sentinel they hold. */
export const guardWords = 8;
export const guardValue = 0xdeadbeef;

/** Buffers allocated on one heap for the duration of one test case. */
export class Scratch {
  private readonly blocks: { address: number; bytes: number }[] = [];
  private readonly lengths = new Map<number, number>();

  constructor(readonly heap: WasmHeap) {}

  /** A buffer of `words` u32 (contents: the guard sentinel everywhere, guards included). */
  alloc(words: number): number {
    const bytes = 4 * (words + 2 * guardWords);
    const block = this.heap.allocate(bytes);
    this.blocks.push({ address: block, bytes });
    this.heap.u32().fill(guardValue, block >>> 2, (block >>> 2) + words + 2 * guardWords);
    const address = block + 4 * guardWords;
    this.lengths.set(address, words);
    return address;
  }

  /** A buffer holding `values` (u32; negative numbers are stored as their 32-bit pattern). */
  put(values: ArrayLike<number>): number {
    const address = this.alloc(values.length);
    const words = this.heap.u32();
    const base = address >>> 2;
    for (let i = 0; i < values.length; i++) words[base + i] = values[i]! >>> 0;
    return address;
  }

  /** Overwrites the buffer at `address` with `values`. */
  write(address: number, values: ArrayLike<number>): void {
    const words = this.heap.u32();
    const base = address >>> 2;
    for (let i = 0; i < values.length; i++) words[base + i] = values[i]! >>> 0;
  }

  /** The n u32 at `address`, as plain numbers. */
  read(address: number, n: number): number[] {
    const base = address >>> 2;
    return Array.from(this.heap.u32().subarray(base, base + n));
  }

  /** The n u32 at `address` as BigInts. */
  readBig(address: number, n: number): bigint[] {
    return this.read(address, n).map((v) => BigInt(v));
  }

  /** The guard words before and after the buffer at `address`; all equal guardValue if untouched. */
  guards(address: number): number[] {
    const words = this.lengths.get(address);
    if (words === undefined) throw new Error(`no scratch buffer starts at ${address}`);
    return [...this.read(address - 4 * guardWords, guardWords), ...this.read(address + 4 * words, guardWords)];
  }

  /** Frees every buffer. */
  release(): void {
    for (const { address, bytes } of this.blocks) this.heap.free(address, bytes);
    this.blocks.length = 0;
    this.lengths.clear();
  }
}

/** Runs `body` with a fresh Scratch that is released afterwards, even on failure. */
export function withScratch<T>(heap: WasmHeap, body: (scratch: Scratch) => T): T {
  const scratch = new Scratch(heap);
  try {
    return body(scratch);
  } finally {
    scratch.release();
  }
}

/** What {@link Scratch.guards} returns for an untouched buffer. */
export const untouchedGuards: readonly number[] = new Array<number>(2 * guardWords).fill(guardValue);

/**
 * Copies `buffers` into the heap, runs `call` with their addresses, and returns the contents
 * of buffer `outIndex` afterwards. Asserts (by throwing) that no guard word changed and that
 * every other buffer, except those listed in `mutable` (intermediate outputs), is unchanged,
 * i.e. the kernels wrote only to their outputs.
 */
export function runOnBuffers(
  heap: WasmHeap, buffers: readonly (readonly number[])[], outIndex: number,
  call: (addresses: readonly number[]) => void, mutable: readonly number[] = [],
): number[] {
  return withScratch(heap, (s) => {
    const addresses = buffers.map((values) => s.put(values));
    call(addresses);
    buffers.forEach((values, i) => {
      const guards = s.guards(addresses[i]!);
      if (guards.some((g, j) => g !== untouchedGuards[j])) {
        throw new Error(`kernel wrote outside buffer ${i}: guards ${guards.join(",")}`);
      }
      if (i === outIndex || mutable.includes(i)) return;
      const now = s.read(addresses[i]!, values.length);
      if (now.some((v, j) => v !== values[j]! >>> 0)) throw new Error(`kernel modified input buffer ${i}`);
    });
    return s.read(addresses[outIndex]!, buffers[outIndex]!.length);
  });
}
