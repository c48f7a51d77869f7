// BasisConverter.inverseNttScaled + convertScaledLimbs (the conversion's first multiplication
// folded into the inverse NTT, as key switching's ModUp and ModDown use it) against the plain
// inverse NTT followed by convertLimbs: the same words, on random bases and limbs, both builds.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BasisConverter, fillUniform, generateNttPrimes, inverseNttLimb } from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { ringFor } from "../helpers/rings.js";

const logN = 6;
const primes = [
  ...generateNttPrimes({ logN, bits: 30, count: 4 }),
  ...generateNttPrimes({ logN, bits: 25, count: 3 }),
  ...generateNttPrimes({ logN, bits: 20, count: 2 }),
];

describe.each(kernelBuilds)("BasisConverter scaled inverse NTT (%s build)", (build) => {
  const ring = ringFor(build, logN);
  const { heap, n } = ring;

  it("inverseNttScaled then convertScaledLimbs equals the inverse NTT then convertLimbs, word for word", () => {
    const bases = fc.shuffledSubarray(primes, { minLength: 2, maxLength: 8 })
      .chain((chosen) => fc.integer({ min: 1, max: chosen.length - 1 }).map((split) => ({ from: chosen.slice(0, split), to: chosen.slice(split) })));
    fc.assert(fc.property(bases, ({ from, to }) => {
      const converter = BasisConverter.of(ring, ring.basis(from), ring.basis(to));
      using source = ring.allocate(ring.basis(from), { ntt: true });
      fillUniform(source);
      const limbBytes = 4 * n;
      const plain = heap.allocate(limbBytes * from.length, "test");
      const scaled = heap.allocate(limbBytes * from.length, "test");
      const outPlain = heap.allocate(limbBytes * to.length, "test");
      const outScaled = heap.allocate(limbBytes * to.length, "test");
      try {
        heap.kernels.copyWords(plain, source.limbAddress(0), n * from.length);
        heap.kernels.copyWords(scaled, source.limbAddress(0), n * from.length);
        ring.basis(from).moduli.forEach((m, i) => inverseNttLimb(m, plain + limbBytes * i));
        converter.convertLimbs(outPlain, plain);
        converter.inverseNttScaled(scaled);
        converter.convertScaledLimbs(outScaled, scaled);
        const words = heap.u32();
        expect(Array.from(words.subarray(outScaled >>> 2, (outScaled >>> 2) + n * to.length)))
          .toEqual(Array.from(words.subarray(outPlain >>> 2, (outPlain >>> 2) + n * to.length)));
        // The scaled limbs are the plain ones times (Q/q_i)^-1, fully reduced.
        from.forEach((q, i) => {
          const factor = converter.scaledByInverse(i, 1);
          for (let x = 0; x < n; x++) {
            const expected = Number((BigInt(words[(plain >>> 2) + n * i + x]!) * BigInt(factor)) % BigInt(q));
            expect(words[(scaled >>> 2) + n * i + x]).toBe(expected);
          }
        });
      } finally {
        for (const [address, bytes] of [[plain, limbBytes * from.length], [scaled, limbBytes * from.length], [outPlain, limbBytes * to.length], [outScaled, limbBytes * to.length]] as const) {
          heap.free(address, bytes);
        }
      }
    }), { numRuns: 60 });
  });
});
