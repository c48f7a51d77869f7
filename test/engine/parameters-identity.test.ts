// What identifies a parameter set: the fingerprint covers everything that defines the
// arithmetic (distinct sets never share one), and equal sets on one heap are one object, so
// keys, plaintexts and ciphertexts made under either combine freely.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Decryptor, Encoder, Encryptor, Evaluator, FheError, KeyGenerator, Parameters, WasmHeap, loadCiphertext, loadParameters,
  loadSecretKey, serializeCiphertext, serializeParameters, serializeSecretKey, type ParametersLiteral,
} from "../../engine/index.js";
import { checkSameParameters, sameParameters } from "../../engine/parameters.js";
import { expectFheError, expectPrecision, oneOperationBound, vmul, type Vec } from "../helpers/ckks.js";

/**
 * Everything that changes what a parameter set computes, read from its public fields (the
 * test's own notion of "the same parameters", independent of how the fingerprint is made).
 */
function arithmetic(p: Parameters): string {
  return JSON.stringify([
    p.logN, p.logScale, p.maxLevel, p.basePrimeCount, p.primesPerLevel, p.qPrimes, p.pPrimes, p.digits, p.digitSize,
    p.sigma, p.hammingWeight ?? null,
  ]);
}

/** Creates `literal`, or returns undefined when it is refused (with INVALID_PARAMETERS). */
function tryCreate(literal: ParametersLiteral): Parameters | undefined {
  try {
    return Parameters.create(literal);
  } catch (error) {
    expect(error).toBeInstanceOf(FheError);
    expect((error as FheError).code).toBe("INVALID_PARAMETERS");
    return undefined;
  }
}

/** Asserts fingerprint <-> arithmetic is one-to-one over `sets`; returns the number of distinct sets. */
function expectFingerprintsIdentify(sets: readonly Parameters[]): number {
  const byFingerprint = new Map<string, string>();
  const byArithmetic = new Map<string, string>();
  for (const p of sets) {
    const a = arithmetic(p);
    const seen = byFingerprint.get(p.fingerprint);
    if (seen !== undefined && seen !== a) expect.fail(`fingerprint ${p.fingerprint} is shared by ${seen} and ${a}`);
    byFingerprint.set(p.fingerprint, a);
    expect(byArithmetic.get(a) ?? p.fingerprint, `fingerprint of ${a}`).toBe(p.fingerprint);
    byArithmetic.set(a, p.fingerprint);
  }
  return byFingerprint.size;
}

const v: Vec = { re: [0.5, -0.25, 0.125, 1], im: [0, 0.5, -1, 0.25] };

describe("parameters fingerprint", () => {
  // Both have Q = three ~25-bit primes (the same ones): two base primes and one level, or one
  // base prime and two levels. The fingerprint used to leave out depth and the base split.
  const a = { logN: 12, logScale: 25, depth: 1, logBaseModulus: 50 };
  const b = { logN: 12, logScale: 25, depth: 2, logBaseModulus: 25 };

  it("tells {depth 1, base 50 bits} from {depth 2, base 25 bits} at logN 12, logScale 25 (regression)", () => {
    const pa = Parameters.create(a);
    const pb = Parameters.create(b);
    expect(pb.qPrimes).toEqual(pa.qPrimes);
    expect(pb.fingerprint).not.toBe(pa.fingerprint);
    expect(pb).not.toBe(pa);
  });

  it("keys and ciphertexts of one do not load under the other", () => {
    const pa = Parameters.create(a);
    const pb = Parameters.create(b);
    const keygen = new KeyGenerator(pa);
    using ct = new Encryptor(pa, keygen.secretKey).encrypt(new Encoder(pa).encodeComplex(v));
    for (const load of [() => loadSecretKey(pb, serializeSecretKey(keygen.secretKey)), () => loadCiphertext(pb, serializeCiphertext(ct))]) {
      expect(expectFheError(load, "MISMATCHED_OPERANDS").message).toMatch(/other parameters/);
    }
  });

  it("distinct sets of a grid of small secure literals never share a fingerprint", () => {
    const sets: Parameters[] = [];
    for (const logN of [11, 12, 13]) {
      for (const logScale of [20, 25, 29, 30, 40, 50]) {
        for (let depth = 0; depth <= 3; depth++) {
          for (const logBaseModulus of [undefined, logScale, 50, 60]) {
            for (const specialPrimes of [undefined, 1, 2]) {
              const p = tryCreate({ logN, logScale, depth, ...(logBaseModulus === undefined ? {} : { logBaseModulus }), ...(specialPrimes === undefined ? {} : { specialPrimes }) });
              if (p !== undefined) sets.push(p);
            }
          }
        }
      }
    }
    expect(sets.length).toBeGreaterThan(300);
    expect(expectFingerprintsIdentify(sets)).toBeGreaterThan(200);
  });

  it("distinct sets among random literals (digits, weights, sigma, insecure sets) never share a fingerprint (property)", () => {
    const literal = fc.record({
      logN: fc.integer({ min: 10, max: 12 }),
      logScale: fc.constantFrom(20, 24, 25, 29, 30, 31, 40, 45, 50, 60),
      depth: fc.integer({ min: 0, max: 4 }),
      logBaseModulus: fc.option(fc.constantFrom(25, 30, 45, 50, 55, 60), { nil: undefined }),
      specialPrimes: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      digits: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      hammingWeight: fc.option(fc.constantFrom(64, 128, 192, 512), { nil: undefined }),
      sigma: fc.option(fc.constantFrom(3.19, 3.2, 4), { nil: undefined }),
      allowInsecureParametersForTesting: fc.constant(true),
    }, { requiredKeys: ["logN", "logScale", "depth", "allowInsecureParametersForTesting"] });
    const sets: Parameters[] = [];
    fc.assert(fc.property(literal, (l) => {
      const p = tryCreate(l);
      if (p !== undefined) sets.push(p);
    }), { numRuns: 300 });
    expect(sets.length).toBeGreaterThan(100);
    expectFingerprintsIdentify(sets);
  });

  it("the insecure flag does not change the fingerprint of a set that is secure without it", () => {
    const secure = { logN: 13, logScale: 29, depth: 4, specialPrimes: 1 };
    const p = Parameters.create(secure);
    const flagged = Parameters.create({ ...secure, allowInsecureParametersForTesting: true });
    expect(flagged).toBe(p);
    expect(p.insecure).toBe(false);
    expect(p.literal.allowInsecureParametersForTesting).toBe(false);
  });
});

describe("equal parameters are one object per heap", () => {
  const literal = { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };

  it("two creates, the filled-in literal, toJSON and load(serialize(p)) give the same object", () => {
    const p = Parameters.create(literal);
    expect(Parameters.create({ ...literal })).toBe(p);
    expect(Parameters.create(p.literal)).toBe(p);
    expect(Parameters.create(JSON.parse(JSON.stringify(p)) as ParametersLiteral)).toBe(p);
    expect(loadParameters(serializeParameters(p), { allowInsecureParametersForTesting: true })).toBe(p);
    expect(sameParameters(p, Parameters.create(literal))).toBe(true);
    checkSameParameters(p, Parameters.create(literal), "add", "ciphertext");
  });

  it("keys and ciphertexts of two creates on one literal work together (decrypt, evaluate)", () => {
    const first = Parameters.create(literal);
    const second = Parameters.create({ ...literal });
    const keygen = new KeyGenerator(first);
    const encoder = new Encoder(second);
    using x = new Encryptor(first, keygen.createPublicKey()).encrypt(encoder.encodeComplex(v));
    using y = new Encryptor(second, keygen.secretKey).encrypt(new Encoder(first).encodeComplex(v));
    const evaluator = new Evaluator(second, { relinearizationKey: keygen.createRelinearizationKey() });
    using product = evaluator.rescale(evaluator.mulRelin(x, y));
    const decoded = encoder.decodeComplex(new Decryptor(second, keygen.secretKey).decrypt(product));
    expectPrecision({ re: Array.from(decoded.re), im: Array.from(decoded.im) }, vmul(v, v), oneOperationBound(first) - 2);
  });

  it("parameters loaded from bytes accept the keys and ciphertexts of the original", () => {
    const original = Parameters.create(literal);
    const loaded = loadParameters(serializeParameters(original), { allowInsecureParametersForTesting: true });
    const keygen = new KeyGenerator(original);
    using ct = new Encryptor(original, keygen.createPublicKey()).encrypt(new Encoder(original).encodeComplex(v));
    const decoded = new Encoder(loaded).decodeComplex(new Decryptor(loaded, keygen.secretKey).decrypt(ct));
    expectPrecision({ re: Array.from(decoded.re), im: Array.from(decoded.im) }, v, oneOperationBound(original));
    using copy = new Evaluator(loaded).add(ct, ct);
    expect(copy.params).toBe(original);
  });

  it("the same literal on another heap is another object, refused together with a message naming the heap", () => {
    const heap = WasmHeap.create({ warmUp: false });
    const here = Parameters.create(literal);
    const there = Parameters.create(literal, { heap });
    expect(there).not.toBe(here);
    expect(there.heap).toBe(heap);
    expect(Parameters.create(literal, { heap })).toBe(there);
    expect(there.fingerprint).toBe(here.fingerprint);
    expect(sameParameters(here, there)).toBe(false);
    const error = expectFheError(() => checkSameParameters(here, there, "add", "ciphertext"), "MISMATCHED_OPERANDS", "add");
    expect(error.message).toBe(`cannot add: the ciphertext uses the same parameters (fingerprint ${here.fingerprint}) but a different WasmHeap`);
    const keygen = new KeyGenerator(there);
    expectFheError(() => new Decryptor(here, keygen.secretKey), "MISMATCHED_OPERANDS", "create decryptor");
  });

  it("other parameters are refused with a message naming both fingerprints", () => {
    const p = Parameters.create(literal);
    const other = Parameters.create({ ...literal, depth: 3 });
    expect(sameParameters(p, other)).toBe(false);
    const error = expectFheError(() => checkSameParameters(p, other, "decrypt", "ciphertext"), "MISMATCHED_OPERANDS", "decrypt");
    expect(error.message).toBe(`cannot decrypt: the ciphertext uses different parameters (fingerprint ${other.fingerprint}, expected ${p.fingerprint})`);
  });

  it("a parameter set nobody uses any more is collected, and creating it again works", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(typeof gc).toBe("function");
    const unique = { logN: 10, logScale: 27, depth: 1, allowInsecureParametersForTesting: true };
    const ref = (() => new WeakRef(Parameters.create(unique)))();
    const fingerprint = ref.deref()!.fingerprint;
    // A deref keeps its target alive until the current job ends: collect at the start of a job.
    let collected = false;
    for (let i = 0; i < 5 && !collected; i++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      gc!();
      collected = ref.deref() === undefined;
    }
    expect(collected).toBe(true);
    expect(Parameters.create(unique).fingerprint).toBe(fingerprint);
  });
});
