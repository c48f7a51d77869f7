// The slicing-by-8 CRC-32 (JS and kernel) against the byte-at-a-time definition and the
// standard check value.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../engine/serialization/crc32.js";
import { WasmHeap } from "../../engine/ring/wasm/heap.js";

const table = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("has the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("equals the byte-at-a-time CRC on random data, lengths and offsets", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, offset) => {
      const view = bytes.subarray(Math.min(offset, bytes.length));
      expect(crc32(view)).toBe(reference(view));
    }), { numRuns: 300, seed: 8 });
  });

  it("the kernel (inputs of 2 KiB and more, several 64 KiB chunks) equals the reference", () => {
    const heap = WasmHeap.create();
    fc.assert(fc.property(fc.integer({ min: 0, max: 200_000 }), fc.nat(7), fc.integer(), (length, offset, seed) => {
      let x = seed | 0;
      const bytes = Uint8Array.from({ length: length + offset }, () => (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24).subarray(offset);
      expect(crc32(bytes, heap)).toBe(reference(bytes));
    }), { numRuns: 40, seed: 9 });
    expect(crc32(new TextEncoder().encode("123456789".repeat(300)), heap)).toBe(reference(new TextEncoder().encode("123456789".repeat(300))));
  });

  it("leaves no copy of the checksummed bytes in the heap's scratch block", () => {
    const heap = WasmHeap.create();
    const secret = new Uint8Array(100_000).fill(0xa5);
    crc32(secret, heap);
    const memory = new Uint8Array(heap.memory.buffer);
    let run = 0;
    let longest = 0;
    for (const b of memory) {
      run = b === 0xa5 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThan(16);
  });
});
