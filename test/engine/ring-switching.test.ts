// Ring switching upwards: a ciphertext of N = 2^10 moved to N = 2^12 decrypts, under the big
// secret, to the same slot values. Measured: the moved ciphertext's error is the small one's
// (2^-26.8 at 512 slots, 2^-31.4 at 4, equal to 5 digits); the switch adds below 2^-40.
// Asserted: within 2^-20 of the values and 2^-30 of the small decryption.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Parameters, RingSwitchingKey } from "../../engine/index.js";
import { expectFheError, makeContext, uniformValues, type CkksContext } from "../helpers/ckks.js";

const small = { logN: 10, logScale: 40, depth: 3, allowInsecureParametersForTesting: true } as const;
const big = { logN: 12, logScale: 50, depth: 4, logBaseModulus: 53, allowInsecureParametersForTesting: true } as const;

let s: CkksContext;
let b: CkksContext;
let key: RingSwitchingKey;
beforeAll(() => {
  s = makeContext(small);
  b = makeContext(big);
  key = RingSwitchingKey.generate(s.keygen, b.keygen);
});

function maxError(actual: { re: number[]; im: number[] }, expected: { re: number[]; im: number[] }): number {
  return Math.max(...actual.re.map((x, i) => Math.abs(x - expected.re[i]!)), ...actual.im.map((x, i) => Math.abs(x - expected.im[i]!)));
}

describe("ring switching upwards", () => {
  it("keeps the slot values of full, sparse and lower-level ciphertexts (fast-check)", () => {
    fc.assert(fc.property(fc.integer(), fc.constantFrom(1, 4, 64, 512), fc.integer({ min: 0, max: 3 }), (seed, slots, level) => {
      const v = { re: uniformValues(slots, seed).map((x) => 3 * x), im: uniformValues(slots, seed + 1) };
      using ct = s.encrypt(v, { slots, level });
      using moved = key.switchUp(ct);
      expect(moved.params).toBe(b.params);
      expect(moved.level).toBe(0);
      expect(moved.slots).toBe(slots);
      expect(Math.abs(Math.log2(moved.scale) - b.params.logScale)).toBeLessThan(1);
      const out = b.decrypt(moved);
      expect(maxError(out, v)).toBeLessThan(2 ** -20);
      expect(maxError(out, s.decrypt(ct))).toBeLessThan(2 ** -30);
    }), { numRuns: 12 });
  });

  it("the moved ciphertext computes in the big ring (a product after a modulus raise is out of reach; an addition and a plaintext scalar are not)", () => {
    const v = { re: uniformValues(512, 3), im: uniformValues(512, 4) };
    using ct = s.encrypt(v);
    using moved = key.switchUp(ct, { targetScale: 2 ** 45 });
    expect(Math.abs(Math.log2(moved.scale) - 45)).toBeLessThan(1);
    using doubled = b.evaluator.add(moved, moved);
    const out = b.decrypt(doubled);
    expect(maxError(out, { re: v.re.map((x) => 2 * x), im: v.im.map((x) => 2 * x) })).toBeLessThan(2 ** -19);
  });

  it("a key of another secret does not decrypt: the switch is really to the big secret", () => {
    const other = makeContext(big);
    using wrong = RingSwitchingKey.generate(s.keygen, other.keygen);
    const v = { re: uniformValues(512, 5), im: uniformValues(512, 6) };
    using ct = s.encrypt(v);
    using moved = wrong.switchUp(ct);
    expect(maxError(b.decrypt(moved), v)).toBeGreaterThan(1);
  });

  it("refuses bad input with FheError", () => {
    expectFheError(() => RingSwitchingKey.generate(b.keygen, s.keygen), "MISMATCHED_OPERANDS", "create ring switching key");
    expectFheError(() => RingSwitchingKey.generate({} as never, b.keygen), "INVALID_ARGUMENT", "create ring switching key");
    using bigCt = b.encrypt({ re: [1, 2], im: [0, 0] });
    expectFheError(() => key.switchUp(bigCt), "MISMATCHED_OPERANDS", "switch ciphertext to a larger ring");
    using ct = s.encrypt({ re: [1, 2], im: [0, 0] });
    using squared = s.evaluator.multiply(ct, ct);
    expectFheError(() => key.switchUp(squared), "INVALID_ARGUMENT", "switch ciphertext to a larger ring");
    for (const targetScale of [0, -1, Number.NaN, Infinity, "2" as never]) {
      expectFheError(() => key.switchUp(ct, { targetScale }), "INVALID_ARGUMENT", "switch ciphertext to a larger ring");
    }
    expectFheError(() => key.switchUp(ct, { targetScale: 2 ** 300 }), "INVALID_ARGUMENT", "switch ciphertext to a larger ring");
    const disposedKey = RingSwitchingKey.generate(s.keygen, b.keygen);
    disposedKey.dispose();
    expectFheError(() => disposedKey.switchUp(ct), "DISPOSED", "switch ciphertext to a larger ring");
    expect(Parameters.create(small)).toBe(s.params);
  });
});

describe("ring switching, then bootstrapping in the big ring", () => {
  it("a level-0 ciphertext of N = 2^10 comes back at N = 2^11 with levels to compute on (>= 14 bits)", async () => {
    const { Bootstrapper, EncapsulationKeys } = await import("../../engine/circuits/bootstrapping/index.js");
    const literal = { logN: 11, logScale: 50, depth: 16, logBaseModulus: 60, allowInsecureParametersForTesting: true } as const;
    const shape = { doubleAngles: 4, ephemeralHammingWeight: 36, slots: 512 } as const;
    const bb = makeContext(literal, { steps: Bootstrapper.rotationSteps(Parameters.create(literal), shape) });
    using toBig = RingSwitchingKey.generate(s.keygen, bb.keygen);
    using encapsulation = EncapsulationKeys.generate(bb.keygen, 36);
    const boot = new Bootstrapper(bb.evaluator, shape, { encapsulation });
    const v = { re: uniformValues(512, 11), im: uniformValues(512, 12) };
    using ct = s.encrypt(v, { level: 0 });
    using moved = toBig.switchUp(ct);
    using fresh = boot.bootstrap(moved);
    expect(fresh.level).toBe(boot.plan.outputLevel);
    expect(fresh.level).toBeGreaterThan(0);
    expect(maxError(bb.decrypt(fresh), v)).toBeLessThan(2 ** -14);
  }, 120_000);
});
