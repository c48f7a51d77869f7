// Watches a heap's frees for secret-equivalent data left behind: blocks go back to the free
// list with their contents, so a block that is not all-zero when freed can be read again by
// the next allocation of its size.

import { vi } from "vitest";
import { WasmHeap } from "../../engine/index.js";

export interface FreeWatch {
  /** Sizes (bytes) of the blocks freed since the watch began that were not all-zero. */
  readonly dirty: number[];
  /** Number of blocks freed since the watch began. */
  readonly freed: () => number;
  /** Ends the watch (frees go straight to the heap again). */
  stop(): void;
}

/**
 * Starts recording every block freed on `heap` that is not all-zero at the time it is freed.
 * (Heaps are frozen, so the spy sits on the prototype and looks at frees of `heap` only.)
 */
export function watchFrees(heap: WasmHeap): FreeWatch {
  const free = WasmHeap.prototype.free;
  const dirty: number[] = [];
  let freed = 0;
  const spy = vi.spyOn(WasmHeap.prototype, "free").mockImplementation(function (this: WasmHeap, address: number, bytes: number) {
    if (this === heap) {
      freed++;
      if (new Uint8Array(heap.memory.buffer, address, bytes).some((b) => b !== 0)) dirty.push(bytes);
    }
    free.call(this, address, bytes);
  });
  return { dirty, freed: () => freed, stop: () => spy.mockRestore() };
}
