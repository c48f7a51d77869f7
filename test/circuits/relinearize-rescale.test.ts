// relinearizeRescaleInPlace against the evaluator's relinearizeInPlace then rescaleInPlace:
// the same ciphertext bit for bit (one prime per level and composite scaling), and FheError
// for operands it does not take.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relinearizeRescaleInPlace } from "../../engine/circuits/relinearize-rescale.js";
import { Evaluator, type Ciphertext } from "../../engine/index.js";
import { expectFheError, makeContext, testLiterals, vectorPairArb } from "../helpers/ckks.js";

const operation = "evaluate polynomial";

function words(ct: Ciphertext): number[][] {
  return ct.polys.map((poly) => {
    const start = poly.limbAddress(0) >>> 2;
    return Array.from(poly.ring.heap.u32().subarray(start, start + poly.n * poly.basis.size));
  });
}

describe.each(Object.entries(testLiterals))("relinearizeRescaleInPlace (%s)", (_, literal) => {
  const c = makeContext(literal);

  it("gives exactly relinearizeInPlace then rescaleInPlace, at every level", () => {
    fc.assert(fc.property(vectorPairArb(64, true), fc.integer({ min: 1, max: c.params.maxLevel }), ([x, y], level) => {
      using a = c.encrypt(x, { level });
      using b = c.encrypt(y, { level });
      using fused = c.evaluator.multiply(a, b);
      using reference = c.evaluator.multiply(a, b);
      relinearizeRescaleInPlace(c.evaluator, fused, operation);
      c.evaluator.relinearizeInPlace(reference);
      c.evaluator.rescaleInPlace(reference);
      expect([fused.level, fused.scale, fused.degree]).toEqual([reference.level, reference.scale, reference.degree]);
      expect(words(fused)).toEqual(words(reference));
    }), { numRuns: 12 });
  });

  it("refuses degree-1 ciphertexts, level 0 and a missing relinearization key", () => {
    using a = c.encrypt({ re: [0.5], im: [0] });
    expectFheError(() => relinearizeRescaleInPlace(c.evaluator, a, operation), "INVALID_ARGUMENT", operation);
    using low = c.encrypt({ re: [0.5], im: [0] }, { level: 0, scale: 2 });
    using square = c.evaluator.multiply(low, low);
    expectFheError(() => relinearizeRescaleInPlace(c.evaluator, square, operation), "INVALID_ARGUMENT", operation);
    using product = c.evaluator.multiply(a, a);
    const error = expectFheError(() => relinearizeRescaleInPlace(new Evaluator(c.params), product, operation), "MISSING_KEY", operation);
    expect(error.message).toContain("createRelinearizationKey");
    expect(product.degree).toBe(2);
  });
});
