// Multiplications (ciphertext, plaintext, constant), relinearization and rescaling against
// float64 on random real and complex vectors in [-1, 1], with one prime per level (2^30) and
// with composite scaling (two ~20-bit primes per level, 2^40). One operation (a product
// followed by its rescale) must keep a mean precision of log2(scale) - (logN + 2) bits.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { serializeCiphertext, type Ciphertext } from "../../engine/index.js";
import {
  constantArb, expectFheError, expectPrecision, makeContext, oneOperationBound, pad, testLiterals, vectorArb,
  vectorPairArb, vmul, vmulConst, type CkksContext,
} from "../helpers/ckks.js";

const runs = 50;

function expectSameCiphertext(a: Ciphertext, b: Ciphertext): void {
  expect({ level: a.level, scale: a.scale, slots: a.slots, degree: a.degree })
    .toEqual({ level: b.level, scale: b.scale, slots: b.slots, degree: b.degree });
  expect(Buffer.from(serializeCiphertext(a, { seeded: false })).equals(Buffer.from(serializeCiphertext(b, { seeded: false })))).toBe(true);
}

/** Product of the primes rescaling at `level` divides by. */
function droppedModulus(c: CkksContext, level: number): number {
  const limbs = c.params.limbsAt(level);
  return c.params.qPrimes.slice(limbs - c.params.primesPerLevel, limbs).reduce((a, q) => a * q, 1);
}

describe.each(Object.entries(testLiterals))("multiplications (%s parameters)", (_, literal) => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(literal);
    bound = oneOperationBound(c.params);
  });

  describe.each([false, true])("complex: %s", (complex) => {
    it("multiply → relinearize → rescale matches float64 (property)", () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), fc.boolean(), ([a, b], secretKey) => {
        const ev = c.evaluator;
        using x = c.encrypt(a, { secretKey });
        using y = c.encrypt(b);
        using product = ev.multiply(x, y);
        expect(product.degree).toBe(2);
        expect(product.scale).toBe(x.scale * y.scale);
        // Degree 2 decrypts too (c0 + c1 s + c2 s^2), before any rescale.
        expectPrecision(c.decrypt(product), pad(vmul(a, b)), bound, "degree-2 product");
        using relinearized = ev.relinearize(product);
        expect(relinearized.degree).toBe(1);
        expect(product.degree).toBe(2); // out of place
        using relinInPlace = ev.copy(product);
        ev.relinearizeInPlace(relinInPlace);
        expectSameCiphertext(relinInPlace, relinearized);
        using mulRelin = ev.mulRelin(x, y);
        expectSameCiphertext(mulRelin, relinearized);
        using rescaled = ev.rescale(relinearized);
        expect(rescaled.level).toBe(c.params.maxLevel - 1);
        expect(rescaled.scale).toBe(x.scale * y.scale / droppedModulus(c, c.params.maxLevel));
        expect(Math.abs(Math.log2(rescaled.scale) - c.params.logScale)).toBeLessThan(0.05);
        expectPrecision(c.decrypt(rescaled), pad(vmul(a, b)), bound, `mulRelin ${literal.logScale} ${complex}`);
        using rescaledInPlace = ev.copy(relinearized);
        ev.rescaleInPlace(rescaledInPlace);
        expectSameCiphertext(rescaledInPlace, rescaled);
      }), { numRuns: runs });
    });

    it("square equals multiply(x, x) and matches float64 after relinearize + rescale (property)", () => {
      fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        using squared = ev.square(x);
        using product = ev.multiply(x, x);
        expectSameCiphertext(squared, product);
        ev.relinearizeInPlace(squared);
        ev.rescaleInPlace(squared);
        expectPrecision(c.decrypt(squared), pad(vmul(a, a)), bound, `square ${literal.logScale} ${complex}`);
      }), { numRuns: runs });
    });

    it("multiplyPlain → rescale matches float64; in-place agrees (property)", () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), ([a, b]) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        using pt = c.encode(b);
        using product = ev.multiplyPlain(x, pt);
        expect(product.scale).toBe(x.scale * pt.scale);
        using inPlace = ev.copy(x);
        ev.multiplyPlainInPlace(inPlace, pt);
        expectSameCiphertext(inPlace, product);
        using rescaled = ev.rescale(product);
        expectPrecision(c.decrypt(rescaled), pad(vmul(a, b)), bound, "multiplyPlain + rescale");
      }), { numRuns: runs });
    });

    it("multiplyConstant (real and complex) → rescale restores the scale exactly and matches float64 (property)", () => {
      fc.assert(fc.property(
        vectorArb(c.params.maxSlots, complex), constantArb(false, 4), constantArb(true, 4),
        (a, real, cplx) => {
          const ev = c.evaluator;
          using x = c.encrypt(a);
          for (const constant of [real, cplx]) {
            using product = ev.multiplyConstant(x, constant);
            using inPlace = ev.copy(x);
            ev.multiplyConstantInPlace(inPlace, constant);
            expectSameCiphertext(inPlace, product);
            using rescaled = ev.rescale(product);
            expect(rescaled.scale).toBe(x.scale);
            expect(rescaled.level).toBe(x.level - 1);
            // Constants up to 4 (complex: |c| < 6) scale the input error: 3 bits of slack.
            expectPrecision(c.decrypt(rescaled), vmulConst(pad(a), constant), bound - 3, "multiplyConstant + rescale");
          }
        },
      ), { numRuns: runs });
    });
  });

  it("multiplyConstant at level 0 accepts integers only", () => {
    const ev = c.evaluator;
    using x = c.encrypt({ re: [0.25, -0.5], im: [0.5, 0] }, { level: 0 });
    using tripled = ev.multiplyConstant(x, { re: 3, im: -1 });
    expect(tripled.scale).toBe(x.scale);
    expectPrecision(c.decrypt(tripled), vmulConst({ re: [0.25, -0.5], im: [0.5, 0] }, { re: 3, im: -1 }), bound - 2);
    expectFheError(() => ev.multiplyConstant(x, 0.5), "INVALID_ARGUMENT", "multiply by constant");
  });

  it("a degree-2 ciphertext rescales, then relinearizes", () => {
    const a = { re: [0.5, -0.75, 0.125], im: [0.25, 0, -1] };
    const ev = c.evaluator;
    using x = c.encrypt(a);
    using product = ev.multiply(x, x);
    ev.rescaleInPlace(product);
    expect(product.degree).toBe(2);
    ev.relinearizeInPlace(product);
    expect(product.degree).toBe(1);
    expectPrecision(c.decrypt(product), pad(vmul(a, a)), bound - 1);
  });

  it("multiply rejects degree-2 operands; relinearize of degree 1 is a no-op", () => {
    const ev = c.evaluator;
    using x = c.encrypt({ re: [0.5], im: [0] });
    using product = ev.multiply(x, x);
    expectFheError(() => ev.multiply(product, x), "INVALID_ARGUMENT", "multiply");
    expectFheError(() => ev.square(product), "INVALID_ARGUMENT", "square");
    using same = ev.relinearize(x);
    expectSameCiphertext(same, x);
  });
});
