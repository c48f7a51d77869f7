// Levels and scales: chains of mulRelin + rescale down to level 0, automatic alignment of
// operands at different levels and scales, dropLevel.
//
// Stated bounds: after k products of values in [-1, 1] each product adds at most one
// operation's error and scales the earlier ones by at most |value|, so a chain of k products
// keeps a mean precision of at least (log2(scale) - (logN + 2)) - log2(k) bits. An operation
// that must first align its operands (one extra rescale by an adjusted constant) gets one
// extra bit of slack; a small polynomial (x^3 + x/2 - 1/4, three products) two bits.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, pad, testLiterals, vadd, vaddConst, vectorArb,
  vectorPairArb, vmul, vmulConst, vsub, type CkksContext, expectSameCiphertext,
} from "../helpers/ckks.js";

const runs = 30;


describe.each(Object.entries(testLiterals))("levels and alignment (%s parameters)", (_, literal) => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(literal);
    bound = oneOperationBound(c.params);
  });

  describe.each([false, true])("complex: %s", (complex) => {
    it("a chain of mulRelin + rescale reaches level 0 within the stated bound; rescale at level 0 throws (property)", () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), ([a, b]) => {
        const ev = c.evaluator;
        let ct = c.encrypt(a);
        using y = c.encrypt(b);
        let expected = a;
        for (let k = 1; k <= c.params.maxLevel; k++) {
          const next = ev.mulRelin(ct, y);
          ct.dispose();
          ev.rescaleInPlace(next);
          ct = next;
          expected = vmul(expected, b);
          expect(ct.level).toBe(c.params.maxLevel - k);
          expect(Math.abs(Math.log2(ct.scale) - c.params.logScale)).toBeLessThan(0.1);
          expectPrecision(c.decrypt(ct), pad(expected), bound - Math.log2(k), `chain of ${k}`);
        }
        expect(ct.level).toBe(0);
        expectFheError(() => ev.rescale(ct), "INVALID_ARGUMENT", "rescale");
        expectFheError(() => ev.rescaleInPlace(ct), "INVALID_ARGUMENT", "rescale");
        // Nor can level 0 hold a product's scale.
        expectFheError(() => ev.mulRelin(ct, ct), "INVALID_ARGUMENT", "multiply");
        // The failed calls left the ciphertext intact.
        expect(ct.level).toBe(0);
        expectPrecision(c.decrypt(ct), pad(expected), bound - Math.log2(c.params.maxLevel), "after failed calls");
        ct.dispose();
      }), { numRuns: runs });
    });

    it("x^2 + x and x + x^2: the evaluator aligns levels and scales itself (property)", () => {
      fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        using x2 = ev.rescale(ev.mulRelin(x, x));
        expect(x2.level).toBe(x.level - 1);
        expect(x2.scale).not.toBe(x.scale); // the scales really differ
        const expected = pad(vadd(vmul(a, a), a));
        for (const [label, sum] of [["x^2 + x", ev.add(x2, x)], ["x + x^2", ev.add(x, x2)]] as const) {
          // The scale mismatch costs the higher operand (x) its extra level only.
          expect(sum.level).toBe(x2.level);
          expect(sum.scale).toBe(x2.scale);
          expectPrecision(c.decrypt(sum), expected, bound - 1, label);
          sum.dispose();
        }
        using difference = ev.sub(x, x2);
        expectPrecision(c.decrypt(difference), pad(vsub(a, vmul(a, a))), bound - 1, "x - x^2");
        // In place, on the higher operand, and with the operands swapped.
        using high = ev.copy(x);
        ev.addInPlace(high, x2);
        expectPrecision(c.decrypt(high), expected, bound - 1, "x += x^2");
        using low = ev.copy(x2);
        ev.addInPlace(low, x);
        expectPrecision(c.decrypt(low), expected, bound - 1, "x^2 += x");
        // The read-only operand is untouched.
        expect(x.level).toBe(c.params.maxLevel);
        expectPrecision(c.decrypt(x), pad(a), bound, "x after the additions");
      }), { numRuns: runs });
    });

    it("plaintexts at another level and scale are aligned too (property)", () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), fc.integer({ min: 0, max: 1 }), ([a, b], ptLevelFromTop) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        using x2 = ev.rescale(ev.mulRelin(x, x));
        using pt = c.encode(b, { level: c.params.maxLevel - ptLevelFromTop });
        using sum = ev.addPlain(x2, pt);
        expectPrecision(c.decrypt(sum), pad(vadd(vmul(a, a), b)), bound - 1, "x^2 + pt");
        using difference = ev.subPlain(x2, pt);
        expectPrecision(c.decrypt(difference), pad(vsub(vmul(a, a), b)), bound - 1, "x^2 - pt");
        // A plaintext at a lower level pulls the ciphertext down for a product.
        using low = c.encode(b, { level: 1 });
        using product = ev.rescale(ev.multiplyPlain(x, low));
        expect(product.level).toBe(0);
        expectPrecision(c.decrypt(product), pad(vmul(a, b)), bound, "x * pt(level 1)");
      }), { numRuns: runs });
    });

    it("evaluates x^3 + x/2 - 1/4 with operands at mixed levels (property)", () => {
      fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        using x2 = ev.rescale(ev.mulRelin(x, x));
        using x3 = ev.rescale(ev.mulRelin(x2, x));
        using half = ev.rescale(ev.multiplyConstant(x, 0.5));
        using sum = ev.add(x3, half);
        ev.addConstantInPlace(sum, -0.25);
        // The constant lands in every slot, the padding of sparse packings included.
        const expected = vaddConst(pad(vadd(vmul(vmul(a, a), a), vmulConst(a, 0.5))), -0.25);
        expectPrecision(c.decrypt(sum), expected, bound - 2, "x^3 + x/2 - 1/4");
      }), { numRuns: runs });
    });

    it("dropLevel keeps the scale and the values; in-place agrees (property)", () => {
      fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), fc.nat(), (a, pick) => {
        const ev = c.evaluator;
        using x = c.encrypt(a);
        const level = pick % (c.params.maxLevel + 1);
        using dropped = ev.dropLevel(x, level);
        expect(dropped.level).toBe(level);
        expect(dropped.scale).toBe(x.scale);
        expect(dropped.polys[0]!.basis.size).toBe(c.params.limbsAt(level));
        expect(x.level).toBe(c.params.maxLevel);
        expectPrecision(c.decrypt(dropped), pad(a), bound, "dropLevel");
        using inPlace = ev.copy(x);
        ev.dropLevelInPlace(inPlace, level);
        expectSameCiphertext(inPlace, dropped);
        // Operands at different levels but equal scales: the sum lands at the lower level.
        using sum = ev.add(x, dropped);
        expect(sum.level).toBe(level);
        expect(sum.scale).toBe(x.scale);
        // x + x doubles x's (identical) error: one bit of slack.
        expectPrecision(c.decrypt(sum), pad(vadd(a, a)), bound - 1, "x + dropLevel(x)");
      }), { numRuns: runs });
    });
  });

  it("dropLevel rejects levels outside [0, current]", () => {
    const ev = c.evaluator;
    using x = c.encrypt({ re: [0.5], im: [0] }, { level: 1 });
    for (const level of [2, -1, 0.5, NaN, "0", null]) {
      expectFheError(() => ev.dropLevel(x, level as number), "INVALID_ARGUMENT", "drop level");
    }
    expect(x.level).toBe(1);
  });

  it("says why it cannot align operands at level 0 with different scales", () => {
    const ev = c.evaluator;
    using x = c.encrypt({ re: [0.5, 0.25], im: [0, 0] }, { level: 0 });
    using y = c.encrypt({ re: [0.5, 0.25], im: [0, 0] }, { level: 0, scale: 2 * c.params.scale });
    for (const [operation, f] of [
      ["add", () => ev.add(x, y)], ["subtract", () => ev.sub(x, y)], ["add", () => ev.addInPlace(ev.copy(x), y)],
    ] as const) {
      const error = expectFheError(f, "INVALID_ARGUMENT", operation);
      expect(error.message).toMatch(/scales .* cannot be aligned/);
      expect(error.message).toMatch(/no level is left/);
    }
    using pt = c.encode({ re: [1, 1], im: [0, 0] }, { level: 0, scale: 2 ** 20 });
    expectFheError(() => ev.addPlain(x, pt), "INVALID_ARGUMENT", "add plaintext");
    // The failed in-place call did not change its target.
    using target = ev.copy(x);
    expectFheError(() => ev.subInPlace(target, y), "INVALID_ARGUMENT", "subtract");
    expectSameCiphertext(target, x);
  });
});
