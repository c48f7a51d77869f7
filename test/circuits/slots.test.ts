// Slot helpers against float64 on random vectors in [-1, 1]: sums of slots (all, groups,
// strided blocks), inner products, replication and masking. Stated bounds (mean bits):
// log2(scale) - (logN + 2) for one operation (mask), less log2(count) / 2 + 1 for sums of
// `count` terms (the noise of count slots adds up; log2(count) rotations), as in
// test/engine/evaluator-rotations.test.ts; replication (slots / P terms) and inner products of
// count terms likewise.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  innerProduct, innerProductSteps, mask, replicate, replicateSteps, sumSlots, sumSlotsSteps,
} from "../../engine/circuits/slots.js";
import { Evaluator } from "../../engine/index.js";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, testLiterals, uniformValues, type CkksContext,
} from "../helpers/ckks.js";
import { real } from "./lintrans-helpers.js";

/** slot j -> sum_{i < count} v[(j + i stride) mod slots]. */
function windowSums(v: readonly number[], count: number, stride: number): number[] {
  return v.map((_, j) => {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += v[(j + i * stride) % v.length]!;
    return sum;
  });
}

describe("slot helpers", () => {
  /** Default keys: every ±2^i (as keyGenerator.createGaloisKeys() gives). */
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single, { conjugate: false });
    bound = oneOperationBound(c.params);
  });

  const vectorArb = fc.record({ log: fc.integer({ min: 0, max: 10 }), seed: fc.integer() })
    .map(({ log, seed }) => uniformValues(2 ** log, seed));

  it("sumSlots: all slots, groups and strided blocks (property)", () => {
    fc.assert(fc.property(vectorArb, fc.nat(), fc.nat(), (v, a, b) => {
      const slots = v.length;
      const logSlots = Math.log2(slots);
      const stride = 2 ** (a % (logSlots + 1));
      const count = 2 ** (b % (Math.log2(slots / stride) + 1));
      using ct = c.encrypt(real(v), { slots });
      using sum = sumSlots(c.evaluator, ct, { count, stride });
      expect(sumSlotsSteps(slots, { count, stride })).toHaveLength(Math.log2(count));
      expectPrecision(c.decrypt(sum), real(windowSums(v, count, stride)), bound - Math.log2(count) / 2 - 1);
    }), { numRuns: 30 });
  });

  it("sumSlots with radix 4 and 8 (hoisted stages) and negative strides equals the window sums (property)", () => {
    const slots = c.params.maxSlots;
    const cases = [4, 8].flatMap((radix) => [1, -1, 3, -8].flatMap((stride) => [2, 8, 32, 64].map((count) => ({ radix, stride, count }))));
    const steps = [...new Set(cases.flatMap((options) => sumSlotsSteps(slots, options)))];
    using keys = c.keygen.createGaloisKeys({ steps, conjugate: false });
    const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: keys });
    fc.assert(fc.property(fc.constantFrom(...cases), fc.integer(), ({ radix, stride, count }, seed) => {
      const v = uniformValues(slots, seed);
      using ct = c.encrypt(real(v));
      using sum = sumSlots(evaluator, ct, { count, stride, radix });
      expect({ level: sum.level, scale: sum.scale }).toEqual({ level: ct.level, scale: ct.scale });
      const [bits, radixBits] = [Math.log2(count), Math.log2(radix)];
      expect(sumSlotsSteps(slots, { count, stride, radix })).toHaveLength(Math.floor(bits / radixBits) * (radix - 1) + 2 ** (bits % radixBits) - 1);
      const wrapped = ((stride % slots) + slots) % slots;
      expectPrecision(c.decrypt(sum), real(windowSums(v, count, wrapped)), bound - Math.log2(count) / 2 - 1);
    }), { numRuns: 30 });
    using plain = c.encrypt(real(uniformValues(slots, 1)));
    expectFheError(() => sumSlots(c.evaluator, plain, { count: 16, radix: 4 }), "MISSING_KEY", "sum slots");
    expectFheError(() => sumSlotsSteps(slots, { count: 16, radix: 3 }), "INVALID_ARGUMENT", "compute rotation steps");
    expectFheError(() => sumSlotsSteps(slots, { count: 16, stride: 0 }), "INVALID_ARGUMENT", "compute rotation steps");
  });

  it("sumSlots defaults to all slots (every slot holds the total)", () => {
    const v = uniformValues(64, 1);
    using ct = c.encrypt(real(v), { slots: 64 });
    using sum = sumSlots(c.evaluator, ct);
    const total = v.reduce((s, x) => s + x, 0);
    expectPrecision(c.decrypt(sum), real(new Array<number>(64).fill(total)), bound - 4);
  });

  it("innerProduct of two ciphertexts and of a ciphertext and a plain vector (property)", () => {
    fc.assert(fc.property(vectorArb, fc.integer(), fc.integer({ min: 1, max: 1024 }), (a, seed, length) => {
      const slots = a.length;
      const n = Math.min(length, slots);
      const b = uniformValues(slots, seed);
      using ca = c.encrypt(real(a), { slots });
      using cb = c.encrypt(real(b), { slots });
      const dot = (m: number): number => a.slice(0, m).reduce((s, x, i) => s + x * b[i]!, 0);
      using both = innerProduct(c.evaluator, ca, cb);
      expect(both.level).toBe(ca.level - 1);
      expectPrecision(c.decrypt(both), real(new Array<number>(slots).fill(dot(slots))), bound - Math.log2(slots) / 2 - 1, "ciphertext . ciphertext");
      using plain = innerProduct(c.evaluator, ca, b.slice(0, n));
      expect({ level: plain.level, scale: plain.scale }).toEqual({ level: ca.level - 1, scale: ca.scale });
      const first = c.decrypt(plain);
      const p = Math.max(n, 1);
      expect(Math.abs(first.re[0]! - dot(n))).toBeLessThan(2 ** -(bound - Math.log2(p) - 3));
    }), { numRuns: 20 });
  });

  it("replicate fills the slots with copies of the first n (period nextPow2(n)); mask: true clears the rest first (property)", () => {
    fc.assert(fc.property(vectorArb, fc.integer({ min: 1, max: 1024 }), fc.boolean(), (v, length, dirty) => {
      const slots = v.length;
      const n = Math.min(length, slots);
      const period = 2 ** Math.ceil(Math.log2(n));
      const input = dirty ? v : v.map((x, i) => (i < n ? x : 0));
      using ct = c.encrypt(real(input), { slots });
      using copies = replicate(c.evaluator, ct, n, { mask: dirty });
      expect(replicateSteps(slots, n)).toEqual(Array.from({ length: Math.log2(slots / period) }, (_, t) => (period * 2 ** t === slots / 2 ? slots / 2 : -period * 2 ** t)));
      expect(copies.level).toBe(dirty ? ct.level - 1 : ct.level);
      const expected = input.map((_, t) => (t % period < n ? v[t % period]! : 0));
      // Each slot sums slots / P copies, one of them non-zero: their noise adds up.
      expectPrecision(c.decrypt(copies), real(expected), bound - Math.log2(slots / period) / 2 - 1);
    }), { numRuns: 30 });
  });

  it("mask keeps a slot range and zeroes the rest, restoring the scale exactly", () => {
    const v = uniformValues(128, 2);
    using ct = c.encrypt(real(v), { slots: 128 });
    using kept = mask(c.evaluator, ct, { start: 17, count: 40 });
    expect({ level: kept.level, scale: kept.scale }).toEqual({ level: ct.level - 1, scale: ct.scale });
    expectPrecision(c.decrypt(kept), real(v.map((x, i) => (i >= 17 && i < 57 ? x : 0))), bound);
  });

  it("names every missing rotation step and refuses bad input with FheError", () => {
    const none = new Evaluator(c.params);
    using ct = c.encrypt(real(uniformValues(16, 3)), { slots: 16 });
    expect(expectFheError(() => sumSlots(none, ct, { count: 4 }), "MISSING_KEY", "sum slots").message).toContain("steps: [1, 2]");
    expect(expectFheError(() => replicate(none, ct, 4), "MISSING_KEY", "replicate slots").message).toContain("steps: [-4, 8]");
    expect(innerProductSteps(16, 8)).toEqual([1, 2, 4]);
    expectFheError(() => sumSlots(c.evaluator, ct, { count: 3 }), "INVALID_ARGUMENT");
    expectFheError(() => sumSlots(c.evaluator, ct, { count: 8, stride: 4 }), "INVALID_ARGUMENT");
    expectFheError(() => sumSlots(c.evaluator, ct, { stride: 0 }), "INVALID_ARGUMENT");
    expectFheError(() => sumSlots({} as never, ct), "INVALID_ARGUMENT");
    expectFheError(() => mask(c.evaluator, ct, { start: 10, count: 7 }), "INVALID_ARGUMENT");
    expectFheError(() => replicate(c.evaluator, ct, 0), "INVALID_ARGUMENT");
    expectFheError(() => replicate(c.evaluator, ct, 17), "INVALID_ARGUMENT");
    expectFheError(() => innerProduct(c.evaluator, ct, new Array<number>(17).fill(1)), "INVALID_ARGUMENT");
    expectFheError(() => innerProduct(c.evaluator, ct, [1, NaN]), "INVALID_ARGUMENT");
    expectFheError(() => innerProduct(c.evaluator, ct, "b" as never), "INVALID_ARGUMENT");
    using bottom = c.encrypt(real(uniformValues(16, 4)), { slots: 16, level: 0 });
    expect(expectFheError(() => mask(c.evaluator, bottom, { start: 0, count: 4 }), "INVALID_ARGUMENT").message).toContain("level 0");
  });
});

