// binary16 and bfloat16 conversions: known bit patterns, every pattern round-trips, and encoding
// rounds to the nearest value with ties to even (checked at every midpoint between neighbours).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from "../../nn/import/minifloat.js";

const formats = [
  { name: "binary16", decode: decodeFloat16, encode: encodeFloat16, max: 65504 },
  { name: "bfloat16", decode: decodeBfloat16, encode: encodeBfloat16, max: 3.3895313892515355e38 },
];

/** Reinterprets float32 bits as a number (bfloat16 is the upper half of a binary32). */
function float32FromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits);
  return view.getFloat32(0);
}

/** The first few failures of `check` over 0..count-1 (empty when all pass). */
function failures(count: number, check: (i: number) => string | undefined): string[] {
  const found: string[] = [];
  for (let i = 0; i < count && found.length < 5; i++) {
    const failure = check(i);
    if (failure !== undefined) found.push(failure);
  }
  return found;
}

describe("binary16 and bfloat16 conversions", () => {
  it("decode known binary16 patterns", () => {
    const known: [number, number][] = [
      [0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
      [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x0000, 0], [0x7c00, Infinity], [0xfc00, -Infinity],
    ];
    for (const [bits, value] of known) expect(decodeFloat16(bits)).toBe(value);
    expect(Object.is(decodeFloat16(0x8000), -0)).toBe(true);
    expect(decodeFloat16(0x7e00)).toBeNaN();
    expect(encodeFloat16(NaN)).toBe(0x7e00);
  });

  it("decode every bfloat16 pattern as the float32 with those upper 16 bits", () => {
    expect(failures(0x10000, (bits) => {
      const expected = float32FromBits(bits * 0x10000);
      const value = decodeBfloat16(bits);
      const same = Number.isNaN(expected) ? Number.isNaN(value) : Object.is(value, expected);
      return same ? undefined : `${bits}: ${value} instead of ${expected}`;
    })).toEqual([]);
    expect(encodeBfloat16(NaN)).toBe(0x7fc0);
  });

  for (const format of formats) {
    it(`${format.name}: every non-NaN pattern round-trips`, () => {
      expect(failures(0x10000, (bits) => {
        const value = format.decode(bits);
        return Number.isNaN(value) || format.encode(value) === bits ? undefined : `${bits} -> ${value} -> ${format.encode(value)}`;
      })).toEqual([]);
    });

    it(`${format.name}: rounds to nearest, ties to even, at every midpoint`, () => {
      // Positive finite patterns in increasing order; negative ones mirror them through the sign bit.
      const top = format.encode(Infinity);
      expect(failures(top - 1, (bits) => {
        const low = format.decode(bits);
        const high = format.decode(bits + 1);
        const middle = (low + high) / 2;
        const even = bits % 2 === 0 ? bits : bits + 1;
        const got = [format.encode(middle), format.encode(-middle), format.encode((low + middle) / 2), format.encode((middle + high) / 2)];
        const want = [even, even + 0x8000, bits, bits + 1];
        return got.every((g, i) => g === want[i]) ? undefined : `between ${bits} and ${bits + 1}: ${got} instead of ${want}`;
      })).toEqual([]);
    });

    it(`${format.name}: overflows to Infinity only beyond the largest finite value`, () => {
      const top = format.encode(Infinity);
      const ulp = format.max - format.decode(top - 2);
      expect(format.encode(format.max + ulp / 2 - ulp / 1024)).toBe(top - 1);
      expect(format.encode(format.max + ulp / 2)).toBe(top);
      expect(format.encode(-1e300)).toBe(top + 0x8000);
    });

    it(`${format.name}: encoding any double is monotone and idempotent (fast-check)`, () => {
      fc.assert(fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        expect(format.decode(format.encode(x))).toBeLessThanOrEqual(format.decode(format.encode(y)));
        const rounded = format.decode(format.encode(a));
        expect(format.encode(rounded)).toBe(format.encode(a));
      }));
    });
  }
});
