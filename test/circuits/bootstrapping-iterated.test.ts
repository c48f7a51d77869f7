// Two-pass bootstrapping (META-BTS: bootstrap, bootstrap the first pass's error amplified by
// 2^residualBits, subtract) at N = 2^10 with the parameters and shape of bootstrapping.test.ts
// (logScale 50, 16 levels over a 60-bit Q_0, h = 40, { doubleAngles: 4 }), one key set shared
// through beforeAll.
//
// Stated bounds (Lattigo-style precision: per slot and part -log2 |error|, mean over the slots;
// worst = worst part of the worst slot), measured on this machine over 10 key sets x 2 random
// complex [-1, 1] vectors and 25 more key sets x 1 (the spread between key sets is larger than
// within one): one pass 19.6-21.4 mean / 17.9-18.9 worst (once 18.8 / 17.7 in ~80 runs, so the
// one-pass reference is asserted at 18 / 15 here); residualBits 8 (the default) 28.6-29.4 / 26.1-26.8; 14:
// 34.5-35.5 / 32.2-32.9; 20: 33.8-38.6 / 34.4-36.0 (near the optimum, but for some keys below
// 14); 1: 20.7-22.4 (-0.2 to +2 bits against one pass); 30: 19.4-25.0 (-0.6 to +3.7: beyond ~22
// bits the amplified error leaves the sine's linear range, so 30 gains nothing). Asserted:
// residualBits 8 mean >= 27, worst >= 24; 14 mean >= 33, worst >= 30 and >= 10 bits better (mean
// and worst) than one pass on the same ciphertext; 20 mean >= 32; 1 and 30 within 1 and 1.5 bits
// of one pass and more than 8 and 5 bits below 14. A rescaled product at level 0 (scale
// 2^49.99985, not the parameters'): 28.2-29.3 / 26.2-26.6 and 34.9-35.3 / 32.4-32.8 measured, the
// same bounds asserted; the result keeps exactly that scale, at plan.outputLevel. A real-only
// input: 35.2 / 32.6 measured (imaginary parts back near zero).
// About 6 s (one two-pass bootstrap is ~0.2 s once the diagonals are encoded).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Bootstrapper, type BootstrapOptions, type BootstrappingLiteral, type BootstrappingStage } from "../../engine/circuits/bootstrapping/index.js";
import { Parameters, serializeCiphertext, type Ciphertext } from "../../engine/index.js";
import {
  expectBits, expectFheError, expectPrecision, randomVec, expectSameCiphertext, makeContext, precision, uniformValues, vmul, type CkksContext, type Precision, type Vec,
} from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;
const shape: BootstrappingLiteral = { doubleAngles: 4 };
const stages: BootstrappingStage[] = ["ModRaise", "CoeffsToSlots", "EvalMod", "SlotsToCoeffs"];

let c: CkksContext;
let boot: Bootstrapper;

beforeAll(() => {
  const params = Parameters.create(literal);
  c = makeContext(literal, { steps: Bootstrapper.rotationSteps(params, shape) });
  boot = new Bootstrapper(c.evaluator, shape);
});



/** Precision of bootstrap(ct, options) against v. */
function bootstrapped(ct: Ciphertext, v: Vec, options: BootstrapOptions): Precision {
  using out = boot.bootstrap(ct, options);
  return precision(c.decrypt(out), v);
}

describe("Bootstrapper.bootstrap with iterations: 2 (META-BTS)", () => {
  it("residualBits 14: mean >= 33, worst >= 30 bits and >= 10 bits better than one pass; the default (8): mean >= 27, worst >= 24; the result at plan.outputLevel and the input's scale; the input unchanged (property)", () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const v = randomVec(c.params.maxSlots, seed);
      using ct = c.encrypt(v, { level: 0 });
      const before = serializeCiphertext(ct, { seeded: false });
      using one = boot.bootstrap(ct);
      using two = boot.bootstrap(ct, { iterations: 2, residualBits: 14 });
      using byDefault = boot.bootstrap(ct, { iterations: 2 });
      for (const out of [one, two, byDefault]) {
        expect({ level: out.level, scale: out.scale, slots: out.slots, degree: out.degree }).toEqual({ level: boot.plan.outputLevel, scale: ct.scale, slots: c.params.maxSlots, degree: 1 });
      }
      const p1 = expectBits(c.decrypt(one), v, 18, 15, `one pass (seed ${seed})`);
      const p14 = expectBits(c.decrypt(two), v, 33, 30, `two passes, residualBits 14 (seed ${seed})`);
      const p8 = expectBits(c.decrypt(byDefault), v, 27, 24, `two passes, default residualBits (seed ${seed})`);
      expect(p14.mean - p1.mean, `gain of the mean: ${p1.mean.toFixed(2)} -> ${p14.mean.toFixed(2)}`).toBeGreaterThanOrEqual(10);
      expect(p14.min - p1.min, `gain of the worst slot: ${p1.min.toFixed(2)} -> ${p14.min.toFixed(2)}`).toBeGreaterThanOrEqual(10);
      expect(p8.mean).toBeGreaterThan(p1.mean + 4);
      expect(p14.mean).toBeGreaterThan(p8.mean + 3);
      expect(Buffer.from(serializeCiphertext(ct, { seeded: false })).equals(Buffer.from(before))).toBe(true);
    }), { numRuns: 3 });
  });

  it("the default residualBits is 8 (the same ciphertext as residualBits: 8), and iterations: 1 is the default (the same ciphertext as no options)", () => {
    using ct = c.encrypt(randomVec(c.params.maxSlots, 3), { level: 0 });
    using implicit = boot.bootstrap(ct, { iterations: 2 });
    using explicit = boot.bootstrap(ct, { iterations: 2, residualBits: 8 });
    expectSameCiphertext(implicit, explicit);
    using plain = boot.bootstrap(ct);
    using one = boot.bootstrap(ct, { iterations: 1 });
    expectSameCiphertext(plain, one);
    // residualBits does not matter for one pass.
    using oneWithBits = boot.bootstrap(ct, { iterations: 1, residualBits: 20 });
    expectSameCiphertext(plain, oneWithBits);
  });

  it("residualBits across its range: 20 above the bound of 14 (the optimum is near 20); 1 and 30 about one pass (30: the amplified error leaves the sine's linear range)", () => {
    const v = randomVec(c.params.maxSlots, 7);
    using ct = c.encrypt(v, { level: 0 });
    const p1 = bootstrapped(ct, v, {});
    const p14 = bootstrapped(ct, v, { iterations: 2, residualBits: 14 });
    const p20 = bootstrapped(ct, v, { iterations: 2, residualBits: 20 });
    expect(p20.mean, `residualBits 20: ${p20.mean.toFixed(2)} (14: ${p14.mean.toFixed(2)})`).toBeGreaterThanOrEqual(32);
    const low = bootstrapped(ct, v, { iterations: 2, residualBits: 1 });
    expect(low.mean, `residualBits 1: ${low.mean.toFixed(2)} vs one pass ${p1.mean.toFixed(2)}`).toBeGreaterThanOrEqual(p1.mean - 1);
    expect(low.mean).toBeLessThan(p14.mean - 8);
    const high = bootstrapped(ct, v, { iterations: 2, residualBits: 30 });
    expect(high.mean, `residualBits 30: ${high.mean.toFixed(2)} vs one pass ${p1.mean.toFixed(2)}`).toBeGreaterThanOrEqual(p1.mean - 1.5);
    expect(high.mean, `residualBits 30: ${high.mean.toFixed(2)} vs 14: ${p14.mean.toFixed(2)}`).toBeLessThan(p14.mean - 5);
  });

  it("an input at a scale other than the parameters' (a rescaled product at level 0) comes back at exactly that scale, at plan.outputLevel (residualBits 8 and 14)", () => {
    const a = randomVec(c.params.maxSlots, 11);
    const b = randomVec(c.params.maxSlots, 12);
    using ca = c.encrypt(a, { level: 1 });
    using cb = c.encrypt(b, { level: 1 });
    using product = c.evaluator.mulRelin(ca, cb);
    c.evaluator.rescaleInPlace(product);
    expect(product.level).toBe(0);
    expect(product.scale).not.toBe(c.params.scale);
    const ab = vmul(a, b);
    using one = boot.bootstrap(product);
    expect(one.scale).toBe(c.params.scale);
    const p1 = expectBits(c.decrypt(one), ab, 18, 15, "product, one pass");
    for (const [residualBits, mean, worst] of [[8, 27, 24], [14, 33, 30]] as const) {
      using out = boot.bootstrap(product, { iterations: 2, residualBits });
      expect({ level: out.level, scale: out.scale, degree: out.degree }).toEqual({ level: boot.plan.outputLevel, scale: product.scale, degree: 1 });
      const p = expectBits(c.decrypt(out), ab, mean, worst, `product, two passes, residualBits ${residualBits}`);
      expect(p.mean).toBeGreaterThan(p1.mean + 4);
    }
  });

  it("a real-only input: the imaginary parts come back near zero too (mean >= 33, worst >= 30)", () => {
    const v = randomVec(c.params.maxSlots, 13, false);
    using ct = c.encrypt(v, { level: 0 });
    using out = boot.bootstrap(ct, { iterations: 2, residualBits: 14 });
    expectBits(c.decrypt(out), v, 33, 30, "real-only, two passes");
  });

  it("onStage: the four stages in order, once per pass (4 calls, 8 with two passes), with seconds >= 0 adding up to at most the call's time", () => {
    using ct = c.encrypt(randomVec(c.params.maxSlots, 21), { level: 0 });
    for (const iterations of [1, 2] as const) {
      const calls: [BootstrappingStage, number][] = [];
      const started = performance.now();
      using out = boot.bootstrap(ct, { iterations, onStage: (stage, seconds) => calls.push([stage, seconds]) });
      const elapsed = (performance.now() - started) / 1000;
      expect(out.level).toBe(boot.plan.outputLevel);
      expect(calls.map(([stage]) => stage)).toEqual(iterations === 1 ? stages : [...stages, ...stages]);
      for (const [stage, seconds] of calls) {
        expect(Number.isFinite(seconds), stage).toBe(true);
        expect(seconds, stage).toBeGreaterThanOrEqual(0);
      }
      expect(calls.reduce((sum, [, seconds]) => sum + seconds, 0)).toBeLessThanOrEqual(elapsed + 1e-6);
    }
  });

  it("an onStage that throws (first pass or second) propagates its error and leaves the heap at its level", () => {
    using ct = c.encrypt(randomVec(c.params.maxSlots, 22), { level: 0 });
    // Warm-up: the diagonals are encoded and the tables built.
    boot.bootstrap(ct, { iterations: 2 }).dispose();
    const heap = c.params.heap;
    const before = heap.bytesInUse;
    for (const failAt of [1, 3, 4, 6, 8]) {
      const stop = new Error(`stop at stage call ${failAt}`);
      let calls = 0;
      let thrown: unknown;
      try {
        boot.bootstrap(ct, {
          iterations: 2, onStage: () => {
            if (++calls === failAt) throw stop;
          },
        }).dispose();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `failing at call ${failAt}`).toBe(stop);
      expect(calls).toBe(failAt);
      expect(heap.bytesInUse, `heap after failing at call ${failAt}`).toBe(before);
    }
    // The bootstrapper still works.
    using out = boot.bootstrap(ct, { iterations: 2 });
    expect(out.level).toBe(boot.plan.outputLevel);
  });

  it("bad options: iterations other than 1 or 2, residualBits outside the integers 1..30 (even for one pass), onStage not a function, options not an object (INVALID_ARGUMENT)", () => {
    using ct = c.encrypt(randomVec(c.params.maxSlots, 31), { level: 0 });
    const bad: unknown[] = [
      { iterations: 3 }, { iterations: 0 }, { iterations: -1 }, { iterations: 1.5 }, { iterations: "2" }, { iterations: Number.NaN }, { iterations: true }, { iterations: 2n },
      { iterations: 2, residualBits: 0 }, { iterations: 2, residualBits: 31 }, { iterations: 2, residualBits: 1.5 }, { iterations: 2, residualBits: -8 },
      { iterations: 2, residualBits: "8" }, { iterations: 2, residualBits: Number.NaN }, { iterations: 2, residualBits: Infinity },
      { residualBits: 0 }, { iterations: 1, residualBits: 31 },
      { onStage: 5 }, { onStage: "log" }, { onStage: {} }, { onStage: null }, { iterations: 2, onStage: [] },
      "options", 5, null,
    ];
    for (const options of bad) {
      const error = expectFheError(() => boot.bootstrap(ct, options as BootstrapOptions), "INVALID_ARGUMENT", "bootstrap");
      const key = options !== null && typeof options === "object" ? Object.keys(options).find((k) => k !== "iterations" || Object.keys(options).length === 1) : undefined;
      if (key !== undefined) expect(error.message, JSON.stringify(options, (_, x) => (typeof x === "bigint" ? `${x}n` : x))).toContain(key);
    }
    // The boundaries are accepted.
    for (const residualBits of [1, 30]) {
      using out = boot.bootstrap(ct, { iterations: 2, residualBits });
      expect(out.level).toBe(boot.plan.outputLevel);
    }
  });

  it("checks the ciphertext before the options' work: level and slots errors are the same with iterations: 2", () => {
    const v = randomVec(c.params.maxSlots, 41);
    using high = c.encrypt(v, { level: 1 });
    expect(expectFheError(() => boot.bootstrap(high, { iterations: 2 }), "INVALID_ARGUMENT", "bootstrap").message).toContain("level 1");
    using sparse = c.encrypt({ re: v.re.slice(0, 256), im: v.im.slice(0, 256) }, { level: 0, slots: 256 });
    expect(expectFheError(() => boot.bootstrap(sparse, { iterations: 2 }), "INVALID_ARGUMENT", "bootstrap").message).toContain("256 slots");
    const b = new Bootstrapper(c.evaluator, shape);
    b.dispose();
    using ct = c.encrypt(v, { level: 0 });
    expectFheError(() => b.bootstrap(ct, { iterations: 2 }), "DISPOSED", "bootstrap");
  });
});
