// The heap's coalescing best-fit free list: blocks never overlap, freed neighbours merge, and
// memory freed at one size serves other sizes (polynomials shrink level by level).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FreeList } from "../../engine/ring/wasm/free-list.js";
import { WasmHeap } from "../../engine/index.js";

describe("FreeList", () => {
  it("hands out non-overlapping blocks and merges everything back (property)", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 })), { maxLength: 200 }), (steps) => {
      const list = new FreeList();
      list.give(0, 64 * 1000);
      const live = new Map<number, number>();
      for (const [allocate, units] of steps) {
        if (allocate || live.size === 0) {
          const address = list.take(64 * units);
          if (address === undefined) continue;
          for (const [other, size] of live) expect(address + 64 * units <= other || other + size <= address).toBe(true);
          live.set(address, 64 * units);
        } else {
          const [address, size] = live.entries().next().value as [number, number];
          live.delete(address);
          list.give(address, size);
        }
      }
      for (const [address, size] of live) list.give(address, size);
      expect(list.length).toBe(1);
      expect(list.take(64 * 1000)).toBe(0);
    }), { numRuns: 300 });
  });

  it("takes the best-fitting block and gives the tail back to the bump region", () => {
    const list = new FreeList();
    list.give(0, 640);
    list.give(1280, 128);
    expect(list.take(128)).toBe(1280);
    expect(list.trimTop(640)).toBe(0);
    expect(list.length).toBe(0);
  });
});

describe("WasmHeap with shrinking blocks", () => {
  it("reuses memory freed at larger sizes for smaller ones (a chain descending level by level)", () => {
    const heap = WasmHeap.create({ warmUp: false });
    const limb = 4 * 4096;
    const run = (): void => {
      for (let limbs = 40; limbs >= 1; limbs--) {
        const blocks = [heap.allocate(limb * limbs), heap.allocate(limb * limbs), heap.allocate(limb * (limbs + 1))];
        for (const [i, address] of blocks.entries()) heap.free(address, limb * (limbs + (i === 2 ? 1 : 0)));
      }
    };
    run();
    const reserved = heap.bytesReserved;
    for (let round = 0; round < 5; round++) run();
    expect(heap.bytesReserved).toBe(reserved);
    expect(heap.bytesInUse).toBe(0);
    expect(reserved).toBeLessThan(4 * limb * 42 + 2 ** 20);
  });
});
