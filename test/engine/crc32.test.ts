// The slicing-by-8 CRC-32 against the byte-at-a-time definition and the standard check value.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../engine/serialization/crc32.js";

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
});
