// Rotations and conjugation against float64 on random real and complex vectors in [-1, 1]
// (sparse packings included: a vector of `slots` slots rotates within those slots).
//
// Stated bounds: one key switch is one operation, log2(scale) - (logN + 2) bits; a rotation
// composed of r power-of-two rotations gets log2(r) bits of slack; rotateAndSum over `count`
// slots sums `count` values (magnitudes up to count) through log2(count) rotations and gets
// log2(count) + 1 bits of slack.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Evaluator, serializeCiphertext, type Ciphertext } from "../../engine/index.js";
import { rotationGaloisElement } from "../../engine/ring/index.js";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, pad, testLiterals, uniformValues, vconj, vectorArb, vrotate,
  type CkksContext, type Vec,
} from "../helpers/ckks.js";

const runs = 40;

function expectSameCiphertext(a: Ciphertext, b: Ciphertext): void {
  expect({ level: a.level, scale: a.scale, slots: a.slots }).toEqual({ level: b.level, scale: b.scale, slots: b.slots });
  expect(Buffer.from(serializeCiphertext(a, { seeded: false })).equals(Buffer.from(serializeCiphertext(b, { seeded: false })))).toBe(true);
}

/** Number of power-of-two rotations the evaluator plans for r mod slots (the shorter direction). */
function powerOfTwoCount(steps: number, slots: number): number {
  const r = ((steps % slots) + slots) % slots;
  const popcount = (x: number): number => x.toString(2).split("").filter((d) => d === "1").length;
  return r === 0 ? 0 : Math.min(popcount(r), popcount(slots - r));
}

/** The sum over the window of `count` slots starting at each slot (what rotateAndSum computes). */
function windowSums(v: Vec, count: number): Vec {
  const n = v.re.length;
  const sum = (xs: number[]): number[] => xs.map((_, j) => {
    let s = 0;
    for (let i = 0; i < count; i++) s += xs[(j + i) % n]!;
    return s;
  });
  return { re: sum(v.re), im: sum(v.im) };
}

describe.each([false, true])("rotations (complex: %s)", (complex) => {
  /** Keys for every ±2^i and conjugation (the default set). */
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single, {});
    bound = oneOperationBound(c.params);
  });

  /** An evaluator holding exactly the keys for `steps` (and nothing else). */
  function evaluatorWithSteps(steps: number[]): Evaluator {
    const galoisKeys = c.keygen.createGaloisKeys({ steps, conjugate: false });
    return new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys });
  }

  it("rotate by a random step with its exact key matches float64; in-place agrees (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), fc.integer(), (a, seed) => {
      const slots = pad(a).re.length;
      // Any step in (-slots, slots), both directions.
      const step = (seed % slots) || 1;
      const ev = evaluatorWithSteps([step]);
      using x = c.encrypt(a);
      using rotated = ev.rotate(x, step);
      expect(rotated.level).toBe(x.level);
      expect(rotated.scale).toBe(x.scale);
      expectPrecision(c.decrypt(rotated), vrotate(pad(a), step), bound, "rotate (exact key)");
      using inPlace = ev.copy(x);
      ev.rotateInPlace(inPlace, step);
      expectSameCiphertext(inPlace, rotated);
    }), { numRuns: runs });
  });

  it("rotate by any step through power-of-two keys matches float64 (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), fc.integer({ min: -5000, max: 5000 }), (a, step) => {
      const slots = pad(a).re.length;
      using x = c.encrypt(a);
      using rotated = c.evaluator.rotate(x, step);
      const count = Math.max(1, powerOfTwoCount(step, slots));
      expectPrecision(c.decrypt(rotated), vrotate(pad(a), step), bound - Math.log2(count), "rotate (power-of-two keys)");
      using inPlace = c.evaluator.copy(x);
      c.evaluator.rotateInPlace(inPlace, step);
      expectSameCiphertext(inPlace, rotated);
    }), { numRuns: runs });
  });

  it("rotations by multiples of the slot count are the identity and need no key", () => {
    const ev = new Evaluator(c.params);
    using x = c.encrypt({ re: [0.5, -0.5, 0.25, 1], im: [0, 0.5, 1, -1] });
    for (const step of [0, 4, -4, 8 * 1024]) {
      using same = ev.rotate(x, step);
      expectSameCiphertext(same, x);
    }
  });

  it("a rotation whose keys are missing throws an FheError naming the missing step and key", () => {
    const ev = evaluatorWithSteps([1]);
    using x = c.encrypt({ re: uniformValues(c.params.maxSlots, 1), im: uniformValues(c.params.maxSlots, 2) });
    const error = expectFheError(() => ev.rotate(x, 6), "MISSING_KEY", "rotate");
    expect(error.message).toContain("step 6");
    expect(error.message).toContain(`Galois element ${rotationGaloisElement(c.params.n, 6)}`);
    // It names the call that provides the key: the exact step, or the power-of-two steps.
    expect(error.message).toContain("createGaloisKeys({ steps: [6] })");
    expect(error.message).toContain("createGaloisKeys({ steps: [2, 4] })");
    // In place: the ciphertext is left as it was.
    using target = ev.copy(x);
    expectFheError(() => ev.rotateInPlace(target, 6), "MISSING_KEY", "rotate");
    expectSameCiphertext(target, x);
    const none = new Evaluator(c.params);
    expect(expectFheError(() => none.rotate(x, 1), "MISSING_KEY", "rotate").message).toMatch(/no Galois keys/);
    const hoisted = expectFheError(() => ev.rotateHoisted(x, [1, 6]), "MISSING_KEY", "rotate (hoisted)");
    expect(hoisted.message).toContain(String(rotationGaloisElement(c.params.n, 6)));
    const conjugation = expectFheError(() => ev.conjugate(x), "MISSING_KEY", "conjugate");
    expect(conjugation.message).toContain(String(2 * c.params.n - 1));
    expect(conjugation.message).toContain("createGaloisKeys({ conjugate: true })");
    expectFheError(() => ev.rotateAndSum(x, 4), "MISSING_KEY", "rotate");
  });

  it("conjugate matches float64; in-place agrees; twice is the identity (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), (a) => {
      using x = c.encrypt(a);
      using conjugated = c.evaluator.conjugate(x);
      expectPrecision(c.decrypt(conjugated), pad(vconj(a)), bound, "conjugate");
      using inPlace = c.evaluator.copy(x);
      c.evaluator.conjugateInPlace(inPlace);
      expectSameCiphertext(inPlace, conjugated);
      using back = c.evaluator.conjugate(conjugated);
      expectPrecision(c.decrypt(back), pad(a), bound - 1, "conjugate twice");
    }), { numRuns: runs });
  });

  it("rotateHoisted equals rotate, step by step (property)", () => {
    fc.assert(fc.property(
      vectorArb(c.params.maxSlots, complex), fc.array(fc.integer({ min: 0, max: 1 << 20 }), { minLength: 1, maxLength: 4 }),
      (a, raw) => {
        const slots = pad(a).re.length;
        // Left rotations in [0, slots) (0 included: a plain copy).
        const steps = raw.map((s) => s % slots);
        const ev = evaluatorWithSteps(steps);
        using x = c.encrypt(a);
        const hoisted = ev.rotateHoisted(x, steps);
        expect(hoisted.length).toBe(steps.length);
        steps.forEach((step, i) => {
          using single = ev.rotate(x, step);
          expectSameCiphertext(hoisted[i]!, single);
          expectPrecision(c.decrypt(hoisted[i]!), vrotate(pad(a), step), bound, "rotateHoisted");
          hoisted[i]!.dispose();
        });
      },
    ), { numRuns: runs });
  });

  it("rotateAndSum equals the float sum over the window (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, complex), fc.nat(), fc.boolean(), (a, pick, all) => {
      const slots = pad(a).re.length;
      const count = all ? slots : 2 ** (pick % (Math.log2(slots) + 1));
      using x = c.encrypt(a);
      using summed = all ? c.evaluator.rotateAndSum(x) : c.evaluator.rotateAndSum(x, count);
      expect(summed.level).toBe(x.level);
      expectPrecision(c.decrypt(summed), windowSums(pad(a), count), bound - Math.log2(count) - 1, "rotateAndSum");
    }), { numRuns: runs });
  });

  it("rotateAndSum rejects counts that are not powers of two dividing the slots", () => {
    using x = c.encrypt({ re: [1, 2, 3, 4].map((v) => v / 4), im: [0, 0, 0, 0] });
    for (const count of [0, 3, 8, -2, 1.5, NaN, "2"]) {
      expectFheError(() => c.evaluator.rotateAndSum(x, count as number), "INVALID_ARGUMENT", "rotate and sum");
    }
  });
});

// Sparse packings (slots < N/2) repeat the vector, so a rotation by s equals one by s ± slots;
// the exact key a user created for a step must therefore serve that step.
describe("exact rotation keys with sparse packing", () => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(testLiterals.single);
    bound = oneOperationBound(c.params);
  });

  const a: Vec = { re: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], im: [0, 0, 0, 0, 0, 0, 0, 0] };

  it("rotateHoisted by a negative step uses the key made for that step (like rotate does)", () => {
    // Exactly the key for -1 (the default ±2^i set holds it too).
    const galoisKeys = c.keygen.createGaloisKeys({ steps: [-1], conjugate: false });
    const ev = new Evaluator(c.params, { galoisKeys });
    using x = c.encrypt(a);
    using single = ev.rotate(x, -1);
    expectPrecision(c.decrypt(single), vrotate(a, -1), bound, "rotate -1");
    const [hoisted] = ev.rotateHoisted(x, [-1]);
    expectPrecision(c.decrypt(hoisted!), vrotate(a, -1), bound, "rotateHoisted -1");
  });

  it("rotate by a step beyond the slot count uses the key made for that step", () => {
    const ev = new Evaluator(c.params, { galoisKeys: c.keygen.createGaloisKeys({ steps: [11], conjugate: false }) });
    using x = c.encrypt(a);
    using rotated = ev.rotate(x, 11);
    expectPrecision(c.decrypt(rotated), vrotate(a, 11), bound, "rotate 11 on 8 slots");
  });
});
