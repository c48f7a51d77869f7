import { checkOptions, describe, FheError } from "../errors.js";
import { FreeList } from "./free-list.js";
import type { KernelExports } from "./kernel-exports.js";
import { instantiateKernels, instantiateKernelsAsync } from "./instantiate.js";
import { resolveKernelBuild, type KernelBuild, type KernelBuildOption } from "./loader.js";
import { warmUpKernels } from "./warm-up.js";

const pageBytes = 65536;
const maximumPages = 65536; // 4 GiB, the wasm32 limit
const initialPages = 16;
/** Every block starts on a 64-byte boundary (a cache line; v128 needs 16). */
export const heapAlignment = 64;
const firstAddress = heapAlignment; // address 0 stays unused so that 0 never names a block

/**
 * What the library uses of the heap's `WebAssembly.Memory` (the object itself is one), declared
 * structurally so that users' types need neither the DOM library nor @types/node.
 */
export interface HeapMemory {
  /** The memory's bytes; replaced (the old one detached) by every grow. */
  readonly buffer: ArrayBuffer;
  /** Grows by `delta` 64 KiB pages and returns the previous size in pages; throws a RangeError when it cannot. */
  grow(delta: number): number;
}

export interface HeapOptions {
  /** Kernel build to run; see {@link KernelBuildOption}. Default "auto". */
  readonly build?: KernelBuildOption;
  /** Run every kernel briefly at creation so V8 tiers it up (default true). */
  readonly warmUp?: boolean;
}

/**
 * The WebAssembly memory that holds every polynomial, with the kernel instance bound to it.
 * Blocks (sizes rounded up to {@link heapAlignment}) come from a coalescing best-fit free list
 * or, failing that, a bump pointer; the memory grows as needed and never shrinks.
 * Typed-array views are created on demand: `memory.grow` detaches old views, so callers must
 * not keep a view across any call that may allocate. Frozen: its memory and kernels cannot be
 * replaced, and the allocator's state is private.
 */
export class WasmHeap {
  #top = firstAddress;
  readonly #freeBlocks = new FreeList();
  #inUse = 0;
  #liveBlocks = 0;
  #u32Cache: Uint32Array | undefined;

  private constructor(
    readonly memory: HeapMemory,
    readonly kernels: KernelExports,
    readonly build: KernelBuild,
  ) {
    Object.freeze(this);
  }

  /** Creates a heap synchronously (fine in Node and workers; browsers' main threads prefer {@link createAsync}). */
  static create(options: HeapOptions = {}): WasmHeap {
    checkOptions(options, "create heap");
    const build = resolveKernelBuild(options.build);
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    return WasmHeap.finish(new WasmHeap(memory, instantiateKernels(build, memory), build), options);
  }

  /** Creates a heap with asynchronous compilation. */
  static async createAsync(options: HeapOptions = {}): Promise<WasmHeap> {
    checkOptions(options, "create heap");
    const build = resolveKernelBuild(options.build);
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    const kernels = await instantiateKernelsAsync(build, memory);
    return WasmHeap.finish(new WasmHeap(memory, kernels, build), options);
  }

  private static finish(heap: WasmHeap, options: HeapOptions): WasmHeap {
    if (options.warmUp !== false) warmUpKernels(heap);
    return heap;
  }

  /** Rounds a byte count up to the block granularity. */
  static blockSize(bytes: number): number {
    return Math.ceil(bytes / heapAlignment) * heapAlignment;
  }

  /**
   * Returns the address of a block of at least `bytes` bytes (contents unspecified).
   * Precondition: bytes is a positive integer. May grow the memory (detaching views).
   */
  allocate(bytes: number, operation = "allocate memory"): number {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `block size must be a positive integer, got ${describe(bytes)}`);
    }
    const size = WasmHeap.blockSize(bytes);
    const recycled = this.#freeBlocks.take(size);
    let address: number;
    if (recycled !== undefined) {
      address = recycled;
    } else {
      this.ensureCapacity(this.#top + size, operation);
      address = this.#top;
      this.#top += size;
    }
    this.#inUse += size;
    this.#liveBlocks++;
    return address;
  }

  /** Returns a block obtained from {@link allocate} with the same `bytes`. */
  free(address: number, bytes: number): void {
    const size = WasmHeap.blockSize(bytes);
    this.#freeBlocks.give(address, size);
    this.#top = this.#freeBlocks.trimTop(this.#top);
    this.#inUse -= size;
    this.#liveBlocks--;
  }

  /** Overwrites `bytes` bytes at `address` with zeros (used for secret material). */
  zero(address: number, bytes: number): void {
    new Uint8Array(this.memory.buffer, address, bytes).fill(0);
  }

  /** A u32 view of the whole memory, valid until the next call that may allocate. */
  u32(): Uint32Array {
    if (this.#u32Cache === undefined || this.#u32Cache.buffer !== this.memory.buffer || this.#u32Cache.byteLength === 0) {
      this.#u32Cache = new Uint32Array(this.memory.buffer);
    }
    return this.#u32Cache;
  }

  /** An i32 view of the whole memory, valid until the next call that may allocate. */
  i32(): Int32Array {
    const words = this.u32();
    return new Int32Array(words.buffer, words.byteOffset, words.length);
  }

  /** Bytes currently handed out (rounded block sizes). */
  get bytesInUse(): number {
    return this.#inUse;
  }

  /** Number of blocks currently handed out. */
  get blocksInUse(): number {
    return this.#liveBlocks;
  }

  /** Size of the underlying memory in bytes. */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  private ensureCapacity(end: number, operation: string): void {
    const current = this.memory.buffer.byteLength;
    if (end <= current) return;
    const neededPages = Math.ceil((end - current) / pageBytes);
    const currentPages = current / pageBytes;
    const growth = Math.min(Math.max(neededPages, currentPages >> 1), maximumPages - currentPages);
    if (growth < neededPages) {
      throw new FheError("OUT_OF_MEMORY", operation, `the WebAssembly heap cannot grow beyond ${maximumPages * pageBytes} bytes`);
    }
    try {
      this.memory.grow(growth);
    } catch {
      throw new FheError("OUT_OF_MEMORY", operation, `the engine refused to grow the WebAssembly heap by ${growth} pages`);
    }
  }
}

let sharedHeap: WasmHeap | undefined;
let sharedHeapPending: Promise<WasmHeap> | undefined;

/** The process-wide heap used when no heap is passed explicitly (created on first use). */
export function defaultHeap(): WasmHeap {
  sharedHeap ??= WasmHeap.create();
  return sharedHeap;
}

/**
 * The process-wide heap, created with {@link WasmHeap.createAsync} when it does not exist yet:
 * await it once on a page's main thread before the first `Parameters.create`, so that no
 * synchronous WebAssembly compilation happens there; afterwards {@link defaultHeap} returns it.
 * `options` apply only to the call that creates the heap (concurrent calls share it); a heap
 * that already exists is returned as it is.
 */
export async function defaultHeapAsync(options: HeapOptions = {}): Promise<WasmHeap> {
  if (sharedHeap !== undefined) return sharedHeap;
  sharedHeapPending ??= WasmHeap.createAsync(options).finally(() => {
    sharedHeapPending = undefined;
  });
  const created = await sharedHeapPending;
  sharedHeap ??= created;
  return sharedHeap;
}
