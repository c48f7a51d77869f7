// More of the hostile user (see hostile-user.test.ts and hostile-user-keys.test.ts): keys built
// by hand around values that are not polynomials, constructors given arguments of the wrong
// type, an object that only has a library prototype, keys changed through the ring layer, and
// loaded data whose scale the level cannot hold. Each is refused with FheError (never a
// TypeError or a wrong result), and memory() keeps working.

import { describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encryptor, Evaluator, KeyGenerator, loadCiphertext, loadPlaintext, memory, type Parameters,
  PublicKey, SecretKey, serializeCiphertext, serializePlaintext, serializePublicKey, serializeSecretKey,
  serializeSwitchingKey, SwitchingKey,
} from "../../engine/index.js";
import { type RnsPoly } from "../../engine/ring/index.js";
import { crc32 } from "../../engine/serialization/crc32.js";
import { expectFheError, makeContext, testLiterals } from "../helpers/ckks.js";
import { logModulus, relativeBits } from "../helpers/hostile.js";

const c = makeContext(testLiterals.single);
const { params } = c;
const x = { re: [0.5, -0.25, 0.125, 0.75], im: [0, 0, 0, 0] };

/** Values that are not polynomials, where a polynomial belongs. */
const notPolynomials: unknown[] = [{}, null, undefined, 7, "poly", { dispose: () => undefined }];

describe("hand-made keys holding something other than a polynomial", () => {
  it("are refused with FheError by every call that uses them, and dispose without a crash", () => {
    for (const part of notPolynomials) {
      const label = String(part);
      const keygen = new KeyGenerator(params);
      using pk = keygen.createPublicKey();
      using rlk = keygen.createRelinearizationKey();
      const secret = new SecretKey(params, part as RnsPoly);
      const publicKey = new PublicKey(params, part as RnsPoly, pk.a, pk.seed);
      const switching = new SwitchingKey(params, rlk.digits.map((d, j) => (j === 0 ? { b: d.b, a: part as RnsPoly } : d)), rlk.seed, 0);
      using pt = c.encode(x);
      using ct = c.encrypt(x);
      expectFheError(() => new Encryptor(params, secret).encrypt(pt), "INVALID_ARGUMENT", "encrypt");
      expectFheError(() => new Encryptor(params, publicKey).encrypt(pt), "INVALID_ARGUMENT", "encrypt");
      expectFheError(() => new Decryptor(params, secret).decrypt(ct), "INVALID_ARGUMENT", "decrypt");
      expectFheError(() => new KeyGenerator(params, secret).createPublicKey(), "INVALID_ARGUMENT", "create public key");
      expectFheError(() => new KeyGenerator(params, secret).createRelinearizationKey(), "INVALID_ARGUMENT", "create relinearization key");
      expectFheError(() => new Evaluator(params, { relinearizationKey: switching }).mulRelin(ct, ct), "INVALID_ARGUMENT", "relinearize");
      expectFheError(() => serializeSecretKey(secret), "INVALID_ARGUMENT", "serialize secret key");
      expectFheError(() => serializePublicKey(publicKey), "INVALID_ARGUMENT", "serialize public key");
      expectFheError(() => serializeSwitchingKey(switching), "INVALID_ARGUMENT", "serialize switching key");
      expect(() => memory(), label).not.toThrow();
      for (const key of [secret, publicKey, switching]) expect(() => key.dispose(), label).not.toThrow();
      expect(pk.a.disposed && rlk.digits[0]!.b.disposed, label).toBe(true); // what they did hold is freed
      keygen.secretKey.dispose();
    }
  });

  it("keys whose parameters are not Parameters are refused with FheError", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    using rlk = keygen.createRelinearizationKey();
    for (const bad of [null, {}, "params"]) {
      const forged = bad as unknown as Parameters;
      expectFheError(() => serializeSecretKey(new SecretKey(forged, keygen.secretKey.poly)), "INVALID_ARGUMENT", "serialize secret key");
      expectFheError(() => serializePublicKey(new PublicKey(forged, pk.b, pk.a, pk.seed)), "INVALID_ARGUMENT", "serialize public key");
      expectFheError(() => serializeSwitchingKey(new SwitchingKey(forged, rlk.digits, rlk.seed, 0)), "INVALID_ARGUMENT", "serialize switching key");
      expectFheError(() => new Evaluator(params, { relinearizationKey: new SwitchingKey(forged, rlk.digits, rlk.seed, 0) }), "INVALID_ARGUMENT", "create evaluator");
      expectFheError(() => new Encryptor(params, new PublicKey(forged, pk.b, pk.a, pk.seed)), "INVALID_ARGUMENT", "create encryptor");
    }
    keygen.secretKey.dispose();
  });
});

describe("constructors given arguments of the wrong type", () => {
  it("refuse polynomials that are not an array, digits that are not { b, a } pairs and seeds that are not 32 bytes", () => {
    using ct = c.encrypt(x);
    const rlk = c.relinearizationKey;
    for (const polys of ["ab", 7, null, new Set(ct.polys)]) {
      expectFheError(() => new Ciphertext(params, polys as never, ct.level, ct.scale, ct.slots), "INVALID_ARGUMENT", "create ciphertext");
    }
    for (const seed of [new Uint8Array(5), [1, 2, 3], "seed", null]) {
      expectFheError(() => new Ciphertext(params, ct.polys, ct.level, ct.scale, ct.slots, seed as never), "INVALID_ARGUMENT", "create ciphertext");
      expectFheError(() => new PublicKey(params, c.publicKey.b, c.publicKey.a, seed as never), "INVALID_ARGUMENT", "create public key");
      expectFheError(() => new SwitchingKey(params, rlk.digits, seed as never, 0), "INVALID_ARGUMENT", "create switching key");
    }
    for (const digits of [null, "digits", 7, [null], [1, 2]]) {
      expectFheError(() => new SwitchingKey(params, digits as never, rlk.seed, 0), "INVALID_ARGUMENT", "create switching key");
    }
    // Nothing refused was counted as a live object.
    expect(() => memory()).not.toThrow();
  });

  it("keep their own copy of a key's seed: changing the caller's bytes later changes nothing", () => {
    const seed = c.publicKey.seed;
    const rlkSeed = c.relinearizationKey.seed;
    const original = { pk: Uint8Array.from(seed), rlk: Uint8Array.from(rlkSeed) };
    const pk = new PublicKey(params, c.publicKey.b, c.publicKey.a, seed);
    const rlk = new SwitchingKey(params, c.relinearizationKey.digits, rlkSeed, 0);
    seed[0] = seed[0]! ^ 1;
    rlkSeed[0] = rlkSeed[0]! ^ 1;
    expect(pk.seed).toEqual(original.pk);
    expect(rlk.seed).toEqual(original.rlk);
    expect(c.publicKey.seed).toEqual(original.pk);
    expect(Buffer.from(serializePublicKey(pk)).equals(Buffer.from(serializePublicKey(c.publicKey)))).toBe(true);
  });
});

describe("objects that only have a library prototype", () => {
  it("are refused with FheError, never a TypeError reading private state", () => {
    const fake = Object.create(Ciphertext.prototype) as Ciphertext;
    using ct = c.encrypt(x);
    expectFheError(() => c.evaluator.negate(fake), "INVALID_ARGUMENT", "negate");
    expectFheError(() => c.evaluator.add(ct, fake), "INVALID_ARGUMENT", "add");
    expectFheError(() => c.decryptor.decrypt(fake), "INVALID_ARGUMENT", "decrypt");
    expectFheError(() => serializeCiphertext(fake), "INVALID_ARGUMENT", "serialize ciphertext");
  });
});

describe("keys changed through the ring layer", () => {
  it("a secret or public key shrunk to a lower level is refused, not used on a prefix", () => {
    const keygen = new KeyGenerator(params);
    using pk = keygen.createPublicKey();
    using pt = c.encode(x, { level: 0 });
    using ct = c.encrypt(x, { level: 0 });
    pk.b.shrinkTo(params.basisQ(0));
    pk.a.shrinkTo(params.basisQ(0));
    keygen.secretKey.poly.shrinkTo(params.basisQ(0));
    expectFheError(() => new Encryptor(params, pk).encrypt(pt), "INVALID_ARGUMENT", "encrypt");
    expectFheError(() => new Encryptor(params, keygen.secretKey).encrypt(pt), "INVALID_ARGUMENT", "encrypt");
    expectFheError(() => new Decryptor(params, keygen.secretKey).decrypt(ct), "INVALID_ARGUMENT", "decrypt");
    expectFheError(() => keygen.createRelinearizationKey(), "INVALID_ARGUMENT", "create relinearization key");
    expectFheError(() => serializePublicKey(pk), "INVALID_ARGUMENT", "serialize public key");
    keygen.secretKey.dispose();
  });
});

describe("seeded ciphertexts", () => {
  it("a hand-made ciphertext whose seed is not its c_1's saves in full form and loads as itself", () => {
    using fresh = c.encrypt(x, { secretKey: true });
    using other = c.encrypt(x, { secretKey: true });
    const forged = new Ciphertext(params, fresh.polys, fresh.level, fresh.scale, fresh.slots, other.seed);
    const bytes = serializeCiphertext(forged);
    expect(bytes.length).toBe(serializeCiphertext(fresh, { seeded: false }).length);
    using loaded = loadCiphertext(params, bytes);
    expect(c.decrypt(loaded)).toEqual(c.decrypt(fresh));
    // The untouched encryption still saves seeded (half size) and loads as itself.
    const seeded = serializeCiphertext(fresh);
    expect(seeded.length).toBeLessThan(bytes.length);
    using reloaded = loadCiphertext(params, seeded);
    expect(relativeBits(c.decrypt(reloaded), x)).toBeGreaterThan(10);
  });
});

/** A copy of serialized ciphertext or plaintext bytes with the scale field set to `scale` (CRC fixed). */
function withScale(bytes: Uint8Array, scale: number): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.length);
  view.setFloat64(22, scale, true); // after the 16-byte header, the level (u16) and the slot count (u32)
  view.setUint32(copy.length - 4, crc32(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

describe("loaded data", () => {
  it("a stored scale the level's modulus cannot hold is CORRUPT_DATA, as the evaluator would refuse it", () => {
    using ct = c.encrypt(x, { level: 1 });
    using pt = c.encode(x, { level: 1 });
    const bits = logModulus(params, 1);
    for (const scale of [2 ** Math.ceil(bits), 2 ** (bits + 10)]) {
      expectFheError(() => loadCiphertext(params, withScale(serializeCiphertext(ct), scale)), "CORRUPT_DATA", "load ciphertext");
      expectFheError(() => loadPlaintext(params, withScale(serializePlaintext(pt), scale)), "CORRUPT_DATA", "load plaintext");
    }
    // A scale just below the modulus loads (and means the message divided accordingly).
    using loaded = loadCiphertext(params, withScale(serializeCiphertext(ct), 2 ** (bits - 1)));
    expect(loaded.scale).toBe(2 ** (bits - 1));
  });
});
