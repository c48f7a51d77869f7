// Single-image inference with composed rotations (compile option rotationBase): Galois keys for
// the powers of the base only, every rotation a sequence of them. Planning (decomposition,
// reach, key count) as properties; encrypted inference against the float64 twin with exactly
// the planned keys and key switches; the refusals.

import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { decomposeRotation, planComposed } from "../../engine/circuits/composed-rotations.js";
import { Evaluator } from "../../engine/index.js";
import { switchKey, switchKeyLazy } from "../../engine/key-switching.js";
import { decryptSingle, encryptSingle, type SinglePlan } from "../../nn/index.js";
import { makeContext, type CkksContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, smallCryptoNets } from "../helpers/nn-models.js";

vi.mock("../../engine/key-switching.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../engine/key-switching.js")>();
  return { ...original, switchKey: vi.fn(original.switchKey), switchKeyLazy: vi.fn(original.switchKeyLazy) };
});

const literal = { logN: 11, logScale: 29, depth: 7, allowInsecureParametersForTesting: true } as const;

describe("composed rotations: planning", () => {
  it("a decomposition sums to the step modulo the slots with powers of the base, digit by digit", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 16 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: -5000, max: 5000 }), (base, logSlots, step) => {
      const slots = 2 ** logSlots;
      const parts = decomposeRotation(step, base, slots);
      const sum = parts.reduce((a, b) => a + b, 0);
      expect(sum % slots).toBe(((step % slots) + slots) % slots);
      const powers = new Set(parts);
      for (const p of powers) {
        expect(Math.round(Math.log(p) / Math.log(base)) >= 0 && base ** Math.round(Math.log(p) / Math.log(base)) === p).toBe(true);
        expect(parts.filter((q) => q === p).length).toBeLessThan(base);
      }
    }));
  });

  it("reaches every non-zero index once, from 0 or an earlier index, and counts every key step", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 8 }),
      fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 100 }), (indices, base, windows, stride) => {
        const plan = planComposed(indices, windows, stride, 1024, base);
        const targets = indices.filter((d) => d !== 0).sort((a, b) => a - b);
        expect(plan.reach.map((r) => r.target)).toEqual(targets);
        plan.reach.forEach((r, i) => {
          expect(r.from === 0 || targets.slice(0, i).includes(r.from)).toBe(true);
          expect((r.from + r.steps.reduce((a, b) => a + b, 0)) % 1024).toBe(r.target);
        });
        expect(plan.windows.length).toBe(Math.log2(windows));
        const all = [...plan.reach.flatMap((r) => r.steps), ...plan.windows.flat()];
        expect(plan.keySwitches).toBe(all.length);
        expect(plan.keySteps).toEqual([...new Set(all)].sort((a, b) => a - b));
      }));
  });
});

describe("composed rotations: encrypted single-image inference", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(literal);
  });

  it("base 4: keys for powers of 4 only, the twin's outputs within 2^-9, exactly the planned key switches", () => {
    const model = smallCryptoNets(5);
    using exact = model.compile({ params: c.params, packing: "single" });
    using compiled = model.compile({ params: c.params, packing: "single", rotationBase: 4 });
    const plan = compiled.plan as SinglePlan;
    expect(plan.rotationBase).toBe(4);
    expect(plan.rotationSteps.every((s) => [1, 4, 16, 64, 256].includes(s))).toBe(true);
    expect(plan.rotationSteps.length).toBeLessThan(exact.plan.rotationSteps.length);
    expect(plan.galoisKeyBytes).toBeLessThan((exact.plan as SinglePlan).galoisKeyBytes);
    const keys = c.keygen.createGaloisKeys({ steps: [...plan.rotationSteps], conjugate: false });
    const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: keys });
    const random = seededRandom(6);
    let maxError = 0;
    let maxValue = 0;
    for (let n = 0; n < 2; n++) {
      const sample = randomArray(144, random).map((v) => (v + 1) / 2);
      using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), sample, { level: plan.input.level });
      vi.mocked(switchKeyLazy).mockClear();
      vi.mocked(switchKey).mockClear();
      using y = compiled.predict(evaluator, x);
      expect(vi.mocked(switchKeyLazy).mock.calls.length + vi.mocked(switchKey).mock.calls.length).toBe(plan.keySwitches);
      expect({ level: y.level, scale: y.scale }).toEqual(plan.output);
      const got = decryptSingle(c.decryptor, c.encoder, y);
      model.predictPlain(sample).forEach((v, k) => {
        maxError = Math.max(maxError, Math.abs(v - got[k]!));
        maxValue = Math.max(maxValue, Math.abs(v));
      });
    }
    expect(Math.log2(maxError / maxValue)).toBeLessThan(-9);
    keys.dispose();
  });

  it("refusals: a missing power key is MISSING_KEY naming it; a base outside [2, slots]; a base with batch packing", () => {
    const model = smallCryptoNets(7);
    using compiled = model.compile({ params: c.params, packing: "single", rotationBase: 4 });
    const plan = compiled.plan as SinglePlan;
    const missing = plan.rotationSteps[plan.rotationSteps.length - 1]!;
    const keys = c.keygen.createGaloisKeys({ steps: plan.rotationSteps.filter((s) => s !== missing), conjugate: false });
    const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: keys });
    using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(144).fill(0.5), { level: plan.input.level });
    expect(() => compiled.predict(evaluator, x)).toThrow(expect.objectContaining({ code: "MISSING_KEY", message: expect.stringContaining(`steps: [${missing}]`) }));
    keys.dispose();
    for (const rotationBase of [1, 2.5, 2 ** 20]) {
      expect(() => model.compile({ params: c.params, packing: "single", rotationBase })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("rotationBase must be an integer") }));
    }
    expect(() => model.compile({ params: c.params, rotationBase: 4 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("rotationBase applies to single packing") }));
  });
});
