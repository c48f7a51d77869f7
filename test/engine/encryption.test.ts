// Key generation, public- and secret-key encryption, decryption and noise flooding.
//
// Stated bound for flooded decryption: a Gaussian of deviation 2^b added to every coefficient
// shows up in each slot with deviation about 2^(b + logN / 2) / scale, so the mean precision is
// at least log2(scale) - b - logN / 2 - 2 bits, and (for b large enough to dominate the
// ciphertext noise) at most log2(scale) - b - logN / 2 + 3 bits: the noise really is added.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Decryptor, Encryptor, KeyGenerator, Parameters, serializeCiphertext, type SecretKey,
} from "../../engine/index.js";
import { clone, readLimb, toCoefficients } from "../../engine/ring/index.js";
import {
  expectFheError, expectPrecision, makeContext, oneOperationBound, pad, precision, testLiterals, uniformValues,
  vectorArb, type CkksContext, type Vec,
} from "../helpers/ckks.js";

/** Centered coefficients of the secret key, limb by limb (each must be the same small integer). */
function secretCoefficients(sk: SecretKey): number[][] {
  using copy = clone(sk.poly);
  toCoefficients(copy);
  return copy.basis.primes.map((q, i) => Array.from(readLimb(copy, i), (v) => (v > q / 2 ? v - q : v)));
}

describe("keys", () => {
  it("the secret key is ternary and the same integer polynomial in every limb", () => {
    const params = Parameters.create(testLiterals.single);
    const { secretKey } = new KeyGenerator(params);
    const limbs = secretCoefficients(secretKey);
    expect(limbs.length).toBe(params.qPrimes.length + params.pPrimes.length);
    const first = limbs[0]!;
    expect(first.every((v) => v === -1 || v === 0 || v === 1)).toBe(true);
    // Uniform ternary: each value appears (about a third of the time each).
    for (const v of [-1, 0, 1]) expect(first.filter((x) => x === v).length).toBeGreaterThan(params.n / 5);
    for (const limb of limbs) expect(limb).toEqual(first);
  });

  it("a hammingWeight parameter gives exactly that many non-zero coefficients", () => {
    const params = Parameters.create({ ...testLiterals.single, hammingWeight: 64 });
    const [first] = secretCoefficients(new KeyGenerator(params).secretKey);
    expect(first!.filter((v) => v !== 0).length).toBe(64);
    expect(first!.every((v) => v === -1 || v === 0 || v === 1)).toBe(true);
  });

  it("a key generator adopting an existing secret key derives working keys", () => {
    const c = makeContext(testLiterals.single);
    const adopted = new KeyGenerator(c.params, c.keygen.secretKey);
    expect(adopted.secretKey).toBe(c.keygen.secretKey);
    const encryptor = new Encryptor(c.params, adopted.createPublicKey());
    const v: Vec = { re: [0.5, -0.25], im: [0.125, 1] };
    using pt = c.encoder.encodeComplex(v);
    using ct = encryptor.encrypt(pt);
    expectPrecision(c.decrypt(ct), v, oneOperationBound(c.params));
    const other = Parameters.create(testLiterals.composite);
    expectFheError(() => new KeyGenerator(other, c.keygen.secretKey), "MISMATCHED_OPERANDS", "create key generator");
  });
});

describe.each(Object.entries(testLiterals))("encryption (%s parameters)", (_, literal) => {
  let c: CkksContext;
  let bound: number;
  beforeAll(() => {
    c = makeContext(literal);
    bound = oneOperationBound(c.params);
  });

  it("public-key and secret-key encryptions decrypt within one operation's bound (property)", () => {
    fc.assert(fc.property(vectorArb(c.params.maxSlots, true), fc.nat(), (v, pick) => {
      const level = pick % (c.params.maxLevel + 1);
      using pt = c.encode(v, { level });
      using pkCt = c.encryptor.encrypt(pt);
      using skCt = c.skEncryptor.encrypt(pt);
      for (const [label, ct] of [["public key", pkCt], ["secret key", skCt]] as const) {
        expect(ct.level).toBe(level);
        expect(ct.scale).toBe(pt.scale);
        expect(ct.slots).toBe(pt.slots);
        expect(ct.degree).toBe(1);
        expectPrecision(c.decrypt(ct), pad(v), bound, label);
      }
      // Only secret-key encryptions carry the seed of their uniform part.
      expect(pkCt.seed).toBeUndefined();
      expect(skCt.seed).toBeInstanceOf(Uint8Array);
      expect(skCt.seed!.length).toBe(32);
    }), { numRuns: 40 });
  });

  it("encryption is randomized: two encryptions of one plaintext differ", () => {
    using pt = c.encode({ re: [0.5], im: [0] });
    for (const encryptor of [c.encryptor, c.skEncryptor]) {
      using a = encryptor.encrypt(pt);
      using b = encryptor.encrypt(pt);
      const bytes = (x: typeof a): Buffer => Buffer.from(serializeCiphertext(x, { seeded: false }));
      expect(bytes(a).equals(bytes(b))).toBe(false);
    }
  });

  it("the decrypted plaintext carries the ciphertext's level, scale and slots", () => {
    using ct = c.encrypt({ re: [0.5, 0.25], im: [0, 0] }, { level: 1, scale: 2 ** 25 });
    using pt = c.decryptor.decrypt(ct);
    expect({ level: pt.level, scale: pt.scale, slots: pt.slots }).toEqual({ level: 1, scale: 2 ** 25, slots: 2 });
  });
});

describe("noise flooding", () => {
  let c: CkksContext;
  const n = 1024;
  const v: Vec = { re: uniformValues(n, 11), im: uniformValues(n, 12) };
  beforeAll(() => {
    c = makeContext(testLiterals.single);
  });

  function floodedPrecision(bits: number): number {
    using ct = c.encrypt(v);
    using pt = c.decryptor.decrypt(ct, { noiseFloodingBits: bits });
    const d = c.encoder.decodeComplex(pt);
    return precision({ re: Array.from(d.re), im: Array.from(d.im) }, v).mean;
  }

  it.each([1, 4, 8, 12, 16, 20])("noiseFloodingBits %i still decodes within the reduced precision, and does reduce it", (bits) => {
    const { logScale, logN } = c.params;
    const p = floodedPrecision(bits);
    // Small flooding is dominated by the ciphertext's own noise (one operation's bound).
    expect(p).toBeGreaterThanOrEqual(Math.min(logScale - bits - logN / 2 - 2, oneOperationBound(c.params)));
    if (bits >= 8) expect(p).toBeLessThanOrEqual(logScale - bits - logN / 2 + 3);
  });

  it("rejects noiseFloodingBits that is not an integer >= 1 (widths too large: noise-flooding.test.ts)", () => {
    using ct = c.encrypt({ re: [0.5], im: [0] });
    for (const bits of [0, -1, 1.5, NaN, "8", null]) {
      expectFheError(() => c.decryptor.decrypt(ct, { noiseFloodingBits: bits as number }), "INVALID_ARGUMENT", "decrypt");
    }
  });

  // The documented range is 1..26 bits, but the flooding noise is lifted as a "small" polynomial
  // that must stay below every prime of the ciphertext's modulus: with 20-bit primes (composite
  // scaling 2^40) or the 25-bit base primes at level 0, large flooding throws.
  it("every documented noiseFloodingBits value decrypts, whatever the prime sizes", () => {
    const composite = makeContext(testLiterals.composite);
    using ct = composite.encrypt(v);
    for (const bits of [18, 22, 26]) {
      let pt;
      try {
        pt = composite.decryptor.decrypt(ct, { noiseFloodingBits: bits });
      } catch (error) {
        expect.fail(`decrypt with noiseFloodingBits ${bits} threw: ${String(error)}`);
      }
      const d = composite.encoder.decodeComplex(pt);
      const p = precision({ re: Array.from(d.re), im: Array.from(d.im) }, v).mean;
      expect(p).toBeGreaterThanOrEqual(composite.params.logScale - bits - composite.params.logN / 2 - 2);
      pt.dispose();
    }
  });
});

describe("encryptor and decryptor operands", () => {
  it("reject keys, plaintexts and ciphertexts of other parameters", () => {
    const c = makeContext(testLiterals.single);
    const other = makeContext(testLiterals.composite);
    expectFheError(() => new Encryptor(c.params, other.publicKey), "MISMATCHED_OPERANDS", "create encryptor");
    expectFheError(() => new Encryptor(c.params, other.keygen.secretKey), "MISMATCHED_OPERANDS", "create encryptor");
    expectFheError(() => new Decryptor(c.params, other.keygen.secretKey), "MISMATCHED_OPERANDS", "create decryptor");
    using foreignPt = other.encode({ re: [0.5], im: [0] });
    expectFheError(() => c.encryptor.encrypt(foreignPt), "MISMATCHED_OPERANDS", "encrypt");
    using foreignCt = other.encrypt({ re: [0.5], im: [0] });
    expectFheError(() => c.decryptor.decrypt(foreignCt), "MISMATCHED_OPERANDS", "decrypt");
  });
});
