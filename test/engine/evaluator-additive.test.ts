// Additions, subtractions, negation and constants against float64, on random real and complex
// vectors in [-1, 1]. Precision bound for one operation: log2(scale) - (logN + 2) bits (mean).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Ciphertext, type Evaluator, type Plaintext } from "../../engine/index.js";
import {
  constantArb, expectPrecision, makeContext, oneOperationBound, pad, testLiterals, vadd, vaddConst, vectorArb,
  vectorPairArb, vneg, vsub, type CkksContext, type Vec, expectSameCiphertext, expectFheError,
} from "../helpers/ckks.js";

const runs = 60;


interface BinaryOp {
  readonly name: string;
  readonly outOfPlace: (ev: Evaluator, a: Ciphertext, b: Ciphertext) => Ciphertext;
  readonly inPlace: (ev: Evaluator, a: Ciphertext, b: Ciphertext) => void;
  readonly reference: (a: Vec, b: Vec) => Vec;
}

const ctOps: BinaryOp[] = [
  { name: "add", outOfPlace: (ev, a, b) => ev.add(a, b), inPlace: (ev, a, b) => ev.addInPlace(a, b), reference: vadd },
  { name: "sub", outOfPlace: (ev, a, b) => ev.sub(a, b), inPlace: (ev, a, b) => ev.subInPlace(a, b), reference: vsub },
];

interface PlainOp {
  readonly name: string;
  readonly outOfPlace: (ev: Evaluator, a: Ciphertext, b: Plaintext) => Ciphertext;
  readonly inPlace: (ev: Evaluator, a: Ciphertext, b: Plaintext) => void;
  readonly reference: (a: Vec, b: Vec) => Vec;
}

const plainOps: PlainOp[] = [
  { name: "addPlain", outOfPlace: (ev, a, b) => ev.addPlain(a, b), inPlace: (ev, a, b) => ev.addPlainInPlace(a, b), reference: vadd },
  { name: "subPlain", outOfPlace: (ev, a, b) => ev.subPlain(a, b), inPlace: (ev, a, b) => ev.subPlainInPlace(a, b), reference: vsub },
];

describe.each([false, true])("additive operations (complex: %s)", (complex) => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
    bound = oneOperationBound(c.params);
  });

  for (const op of ctOps) {
    it(`${op.name}(ct, ct) matches float64; in-place agrees; inputs untouched (property)`, () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), fc.boolean(), ([a, b], secretKey) => {
        using x = c.encrypt(a, { secretKey });
        using y = c.encrypt(b);
        using out = op.outOfPlace(c.evaluator, x, y);
        expect(out.level).toBe(c.params.maxLevel);
        expect(out.scale).toBe(c.params.scale);
        expect(out.slots).toBe(x.slots);
        expectPrecision(c.decrypt(out), pad(op.reference(a, b)), bound, op.name);
        // Out-of-place left the inputs alone.
        expectPrecision(c.decrypt(x), pad(a), bound, "first input after the operation");
        expectPrecision(c.decrypt(y), pad(b), bound, "second input after the operation");
        using inPlace = c.evaluator.copy(x);
        op.inPlace(c.evaluator, inPlace, y);
        expectSameCiphertext(inPlace, out);
        expect(inPlace.seed).toBeUndefined();
      }), { numRuns: runs });
    });
  }

  for (const op of plainOps) {
    it(`${op.name}(ct, pt) matches float64; in-place agrees (property)`, () => {
      fc.assert(fc.property(vectorPairArb(c.params.maxSlots, complex), ([a, b]) => {
        using x = c.encrypt(a);
        using pt = c.encode(b);
        using out = op.outOfPlace(c.evaluator, x, pt);
        expectPrecision(c.decrypt(out), pad(op.reference(a, b)), bound, op.name);
        using inPlace = c.evaluator.copy(x);
        op.inPlace(c.evaluator, inPlace, pt);
        expectSameCiphertext(inPlace, out);
      }), { numRuns: runs });
    });
  }

  it("negate matches float64; negate twice is the identity; in-place agrees (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
      using x = c.encrypt(a);
      using out = c.evaluator.negate(x);
      expectPrecision(c.decrypt(out), pad(vneg(a)), bound, "negate");
      using back = c.evaluator.negate(out);
      expectSameCiphertext(back, x);
      using inPlace = c.evaluator.copy(x);
      c.evaluator.negateInPlace(inPlace);
      expectSameCiphertext(inPlace, out);
    }), { numRuns: runs });
  });

  it("multiplyByIInPlace: times i and -i match float64 at the same level and scale; i then -i is the identity; a bad sign is refused (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
      using x = c.encrypt(a);
      using out = c.evaluator.copy(x);
      c.evaluator.multiplyByIInPlace(out);
      expect([out.level, out.scale]).toEqual([x.level, x.scale]);
      // i (re + i im) = -im + i re
      expectPrecision(c.decrypt(out), pad({ re: a.im.map((v) => -v), im: a.re.slice() }), bound, "times i");
      c.evaluator.multiplyByIInPlace(out, -1);
      expectSameCiphertext(out, x);
    }), { numRuns: runs });
    using x = c.encrypt({ re: [1], im: [0] });
    expectFheError(() => c.evaluator.multiplyByIInPlace(x, 2 as 1), "INVALID_ARGUMENT", "multiply by i");
  });

  it("addConstant with real and complex constants matches float64 (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), constantArb(false), constantArb(true), (a, real, cplx) => {
      using x = c.encrypt(a);
      for (const constant of [real, cplx]) {
        using out = c.evaluator.addConstant(x, constant);
        expect(out.scale).toBe(x.scale);
        expect(out.level).toBe(x.level);
        expectPrecision(c.decrypt(out), vaddConst(pad(a), constant), bound, "addConstant");
        using inPlace = c.evaluator.copy(x);
        c.evaluator.addConstantInPlace(inPlace, constant);
        expectSameCiphertext(inPlace, out);
      }
    }), { numRuns: runs });
  });

  it("x + x, x - x with the same object as both operands (aliasing)", () => {
    const a: Vec = { re: [0.5, -0.25, 1, -1], im: complex ? [0.1, 0.2, -0.3, 1] : [0, 0, 0, 0] };
    using x = c.encrypt(a);
    using doubled = c.evaluator.add(x, x);
    expectPrecision(c.decrypt(doubled), vadd(a, a), bound);
    using twice = c.evaluator.copy(x);
    c.evaluator.addInPlace(twice, twice);
    expectSameCiphertext(twice, doubled);
    using zero = c.evaluator.copy(x);
    c.evaluator.subInPlace(zero, zero);
    expectPrecision(c.decrypt(zero), { re: [0, 0, 0, 0], im: [0, 0, 0, 0] }, 40);
  });

  it("large constants and sums beyond [-1, 1] keep their absolute precision", () => {
    const a: Vec = { re: [0.5, -0.5], im: complex ? [0.25, -0.25] : [0, 0] };
    using x = c.encrypt(a);
    using out = c.evaluator.addConstant(x, complex ? { re: 1000, im: -1000 } : -1000);
    expectPrecision(c.decrypt(out), vaddConst(a, complex ? { re: 1000, im: -1000 } : -1000), bound - 1);
  });
});
