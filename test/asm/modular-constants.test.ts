// The scalar constants the engine hands to the kernels: Shoup companions floor(w * 2^32 / q)
// and Barrett constants {mu = floor(2^(2s) / q), s = bit length of q}, against BigInt.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { barrettConstants, shoupCompanion } from "../../engine/ring/modular.js";
import { edgy, elementwisePrimes } from "../helpers/arbitraries.js";

const shoupBig = (w: number, q: number): number => Number((BigInt(w) << 32n) / BigInt(q));

describe("kernel constants", () => {
  it("shoupCompanion(w, q) = floor(w * 2^32 / q) for any 0 <= w < q < 2^30", () => {
    const arb = fc.oneof(
      fc.constantFrom(...elementwisePrimes),
      fc.integer({ min: 2, max: 2 ** 30 - 1 }),
      fc.integer({ min: 2 ** 29, max: 2 ** 30 - 1 }),
    ).chain((q) => edgy(q, [q >>> 1, (q >>> 1) + 1]).map((w) => ({ q, w })));
    fc.assert(fc.property(arb, ({ q, w }) => {
      expect(shoupCompanion(w, q)).toBe(shoupBig(w, q));
    }), { numRuns: 20_000 });
  });

  it("shoupCompanion at every w for small moduli and at w = q - 1 for every test prime", () => {
    for (const q of [2, 3, 5, 7, 17, 113, 257]) {
      for (let w = 0; w < q; w++) expect(shoupCompanion(w, q)).toBe(shoupBig(w, q));
    }
    for (const q of elementwisePrimes) expect(shoupCompanion(q - 1, q)).toBe(shoupBig(q - 1, q));
  });

  it("barrettConstants(q) = {floor(2^(2s) / q), s} with 2^(s-1) <= q < 2^s", () => {
    const arb = fc.oneof(fc.constantFrom(...elementwisePrimes), fc.integer({ min: 3, max: 2 ** 30 - 1 }));
    fc.assert(fc.property(arb, (q) => {
      const { mu, shift } = barrettConstants(q);
      expect(2 ** (shift - 1) <= q && q < 2 ** shift).toBe(true);
      expect(mu).toBe(Number((1n << BigInt(2 * shift)) / BigInt(q)));
    }), { numRuns: 2000 });
  });
});
