// Sparse-secret encapsulation at N = 2^10 with a dense (uniform ternary) main secret: the
// level-0 ciphertext is switched to an ephemeral secret of weight 36 (the smallest with 2^256
// secrets at N = 2^10) before the raise, so K = 18 (failure 2^-163). Measured on random complex
// vectors in [-1, 1]: 18.2 bits mean, 16.7 worst (one pass), 30.5 / 28.8 (two passes,
// residualBits 12). Asserted: >= 16 / 14 and >= 27 / 25.

import { beforeAll, describe, expect, it } from "vitest";
import { Bootstrapper, EncapsulationKeys, bootstrappingShape, loadEncapsulationKeys, serializeEncapsulationKeys } from "../../engine/circuits/bootstrapping/index.js";
import { Parameters, serializeSwitchingKey } from "../../engine/index.js";
import { expectFheError, expectSameCiphertext, makeContext, precision, uniformValues, type CkksContext } from "../helpers/ckks.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, allowInsecureParametersForTesting: true } as const;
const shape = { doubleAngles: 4, ephemeralHammingWeight: 36 } as const;

let c: CkksContext;
let keys: EncapsulationKeys;
beforeAll(() => {
  c = makeContext(literal, { steps: Bootstrapper.rotationSteps(Parameters.create(literal), shape) });
  keys = EncapsulationKeys.generate(c.keygen, 36);
});

describe("sparse-secret encapsulation", () => {
  it("K follows the ephemeral weight; the failure bound is that of weight 36", () => {
    expect(bootstrappingShape(c.params, shape).k).toBe(18);
    const boot = new Bootstrapper(c.evaluator, shape, { encapsulation: keys });
    expect(boot.plan.log2FailureProbability).toBeLessThan(-128);
  });

  it("a dense main secret bootstraps: one pass >= 16 / 14 bits, two passes >= 27 / 25", () => {
    const boot = new Bootstrapper(c.evaluator, shape, { encapsulation: keys });
    const n = c.params.maxSlots;
    const v = { re: uniformValues(n, 5), im: uniformValues(n, 6) };
    const ct = c.encrypt(v, { level: 0 });
    const one = precision(c.decrypt(boot.bootstrap(ct)), v);
    expect(one.mean).toBeGreaterThanOrEqual(16);
    expect(one.min).toBeGreaterThanOrEqual(14);
    const two = precision(c.decrypt(boot.bootstrap(ct, { iterations: 2, residualBits: 12 })), v);
    expect(two.mean).toBeGreaterThanOrEqual(27);
    expect(two.min).toBeGreaterThanOrEqual(25);
  });

  it("refuses a missing key, a weight mismatch, keys without the shape, and a dense secret with neither k nor encapsulation", () => {
    expectFheError(() => new Bootstrapper(c.evaluator, shape), "MISSING_KEY", "create bootstrapper");
    expectFheError(() => new Bootstrapper(c.evaluator, { ...shape, ephemeralHammingWeight: 40 }, { encapsulation: keys }), "INVALID_ARGUMENT", "create bootstrapper");
    expectFheError(() => new Bootstrapper(c.evaluator, { doubleAngles: 4, k: 18 }, { encapsulation: keys }), "INVALID_ARGUMENT", "create bootstrapper");
    expectFheError(() => new Bootstrapper(c.evaluator, { doubleAngles: 4 }), "INVALID_PARAMETERS", "create bootstrapper");
    expectFheError(() => new Bootstrapper(c.evaluator, shape, { encapsulation: {} as EncapsulationKeys }), "INVALID_ARGUMENT", "create bootstrapper");
    expectFheError(() => EncapsulationKeys.generate(c.keygen, 8), "INVALID_PARAMETERS", "create encapsulation keys");
    expectFheError(() => EncapsulationKeys.generate(c.keygen, 1.5), "INVALID_ARGUMENT", "create encapsulation keys");
  });
});

describe("encapsulation keys serialized", () => {
  it("load back (seeded and full form) into keys that bootstrap bit for bit as the originals; seeded is about half the size", () => {
    const seeded = serializeEncapsulationKeys(keys);
    const full = serializeEncapsulationKeys(keys, { seeded: false });
    expect(seeded.length).toBeLessThan(0.6 * full.length);
    const n = c.params.maxSlots;
    using ct = c.encrypt({ re: uniformValues(n, 7), im: uniformValues(n, 8) }, { level: 0 });
    using expected = new Bootstrapper(c.evaluator, shape, { encapsulation: keys }).bootstrap(ct);
    for (const bytes of [seeded, full]) {
      using loaded = loadEncapsulationKeys(c.params, bytes);
      expect(loaded.hammingWeight).toBe(36);
      using out = new Bootstrapper(c.evaluator, shape, { encapsulation: loaded }).bootstrap(ct);
      expectSameCiphertext(out, expected);
      // Serializing the loaded keys gives the same bytes.
      expect(serializeEncapsulationKeys(loaded, bytes === full ? { seeded: false } : {})).toEqual(bytes);
    }
  });

  it("refuses changed, truncated or foreign bytes, other parameters and disposed keys", () => {
    const bytes = serializeEncapsulationKeys(keys);
    const flipped = bytes.slice();
    flipped[bytes.length >> 1]! ^= 1;
    expectFheError(() => loadEncapsulationKeys(c.params, flipped), "CORRUPT_DATA", "load encapsulation keys");
    expectFheError(() => loadEncapsulationKeys(c.params, bytes.subarray(0, bytes.length - 9)), "CORRUPT_DATA", "load encapsulation keys");
    expectFheError(() => loadEncapsulationKeys(c.params, serializeSwitchingKey(c.keygen.createRelinearizationKey())), "CORRUPT_DATA", "load encapsulation keys");
    const other = Parameters.create({ ...literal, depth: 15 });
    expectFheError(() => loadEncapsulationKeys(other, bytes), "MISMATCHED_OPERANDS", "load encapsulation keys");
    expectFheError(() => serializeEncapsulationKeys({} as EncapsulationKeys), "INVALID_ARGUMENT", "serialize encapsulation keys");
    const disposed = loadEncapsulationKeys(c.params, bytes);
    disposed.dispose();
    expectFheError(() => serializeEncapsulationKeys(disposed), "DISPOSED", "serialize encapsulation keys");
  });
});
