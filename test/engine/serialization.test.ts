// Round trips of every serialized object: the loaded objects decrypt and evaluate exactly as
// the originals (bitwise-equal results, since evaluation is deterministic).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Ciphertext, Decryptor, Encryptor, Evaluator, GaloisKeys, Parameters, PublicKey, SecretKey, SwitchingKey, WasmHeap, fromBase64,
  loadCiphertext, loadGaloisKeys, loadParameters, loadPlaintext, loadPublicKey, loadSecretKey, loadSwitchingKey,
  presets, serializeCiphertext, serializeGaloisKeys, serializeParameters, serializePlaintext, serializePublicKey,
  serializeSecretKey, serializeSwitchingKey, toBase64,
} from "../../engine/index.js";
import {
  expectPrecision, makeContext, oneOperationBound, testLiterals, uniformValues, vmul, vrotate, type CkksContext, type Vec,
} from "../helpers/ckks.js";

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const full = (ct: Ciphertext): Uint8Array => serializeCiphertext(ct, { seeded: false });

describe("serialization round trips", () => {
  let c: CkksContext;
  let bound: number;
  const v: Vec = { re: uniformValues(512, 1), im: uniformValues(512, 2) };
  const w: Vec = { re: uniformValues(512, 3), im: uniformValues(512, 4) };
  beforeAll(() => {
    c = makeContext(testLiterals.single, { steps: [1, -3], conjugate: true });
    bound = oneOperationBound(c.params);
  });

  it.each(Object.entries({ ...presets, ...testLiterals }))("parameters %s load to the same parameter set", (_, literal) => {
    const p = Parameters.create(literal);
    const bytes = serializeParameters(p);
    const loaded = loadParameters(bytes, { allowInsecureParametersForTesting: p.insecure });
    expect(loaded).toBe(p); // the live instance of these parameters
    expect(loaded.fingerprint).toBe(p.fingerprint);
    expect(loaded.qPrimes).toEqual(p.qPrimes);
    expect(loaded.pPrimes).toEqual(p.pPrimes);
    expect(loaded.literal).toEqual(p.literal);
    expect(same(serializeParameters(loaded), bytes)).toBe(true);
  });

  it("objects saved under one Parameters object load under an equal one (another session)", () => {
    // Another heap stands for another session: on one heap equal parameters are one object.
    const session = loadParameters(serializeParameters(c.params), { heap: WasmHeap.create({ warmUp: false }), allowInsecureParametersForTesting: true });
    expect(session).not.toBe(c.params);
    expect(session.fingerprint).toBe(c.params.fingerprint);
    const sk = loadSecretKey(session, serializeSecretKey(c.keygen.secretKey));
    using ct = c.encrypt(v, { secretKey: true });
    using loaded = loadCiphertext(session, serializeCiphertext(ct));
    expect(loaded.params).toBe(session);
    const pt = new Decryptor(session, sk).decrypt(loaded);
    const d = c.encoder.decodeComplex(loadPlaintext(c.params, serializePlaintext(pt)));
    expectPrecision({ re: Array.from(d.re), im: Array.from(d.im) }, v, bound);
  });

  it("plaintexts keep level, scale, slots and residues", () => {
    using pt = c.encoder.encodeComplex(v, { level: 2, scale: 2 ** 27.5 });
    const bytes = serializePlaintext(pt);
    using loaded = loadPlaintext(c.params, bytes);
    expect({ level: loaded.level, scale: loaded.scale, slots: loaded.slots }).toEqual({ level: 2, scale: 2 ** 27.5, slots: 512 });
    expect(same(serializePlaintext(loaded), bytes)).toBe(true);
    expect(Array.from(c.encoder.decode(loaded))).toEqual(Array.from(c.encoder.decode(pt)));
  });

  it("seeded ciphertexts are about half the size of full ones and load to the same ciphertext", () => {
    using ct = c.encrypt(v, { secretKey: true });
    const seeded = serializeCiphertext(ct);
    const explicit = serializeCiphertext(ct, { seeded: true });
    const complete = full(ct);
    expect(same(seeded, explicit)).toBe(true);
    const ratio = seeded.length / complete.length;
    expect(ratio).toBeGreaterThan(0.49);
    expect(ratio).toBeLessThan(0.51);
    using fromSeeded = loadCiphertext(c.params, seeded);
    using fromFull = loadCiphertext(c.params, complete);
    expect(same(full(fromSeeded), complete)).toBe(true);
    expect(same(full(fromFull), complete)).toBe(true);
    // The loaded seeded ciphertext is still seeded, so it saves compactly again.
    expect(same(serializeCiphertext(fromSeeded), seeded)).toBe(true);
    expectPrecision(c.decrypt(fromSeeded), v, bound);
  });

  it("ciphertexts that are not fresh secret-key encryptions save in full form", () => {
    using pkCt = c.encrypt(v);
    using skCt = c.encrypt(v, { secretKey: true });
    using sum = c.evaluator.add(skCt, pkCt);
    for (const ct of [pkCt, sum]) expect(same(serializeCiphertext(ct), full(ct))).toBe(true);
    // An evaluated ciphertext: degree 2, lower level, non-default scale.
    using product = c.evaluator.multiply(pkCt, skCt);
    c.evaluator.rescaleInPlace(product);
    const bytes = serializeCiphertext(product);
    using loaded = loadCiphertext(c.params, bytes);
    expect({ degree: loaded.degree, level: loaded.level, scale: loaded.scale, slots: loaded.slots })
      .toEqual({ degree: 2, level: product.level, scale: product.scale, slots: product.slots });
    expect(same(full(loaded), bytes)).toBe(true);
    expectPrecision(c.decrypt(loaded), vmul(v, v), bound - 1);
  });

  it("secret keys decrypt what the original encrypted", () => {
    const bytes = serializeSecretKey(c.keygen.secretKey);
    const sk = loadSecretKey(c.params, bytes);
    expect(sk).toBeInstanceOf(SecretKey);
    expect(same(serializeSecretKey(sk), bytes)).toBe(true);
    using ct = c.encrypt(v);
    using pt = new Decryptor(c.params, sk).decrypt(ct);
    const d = c.encoder.decodeComplex(pt);
    expectPrecision({ re: Array.from(d.re), im: Array.from(d.im) }, v, bound);
  });

  it("public keys (seeded and full) encrypt for the original secret key", () => {
    const seeded = serializePublicKey(c.publicKey);
    const complete = serializePublicKey(c.publicKey, { seeded: false });
    expect(seeded.length / complete.length).toBeGreaterThan(0.49);
    expect(seeded.length / complete.length).toBeLessThan(0.51);
    for (const bytes of [seeded, complete]) {
      const pk = loadPublicKey(c.params, bytes);
      expect(pk).toBeInstanceOf(PublicKey);
      expect(same(serializePublicKey(pk, { seeded: false }), complete)).toBe(true);
      using pt = c.encoder.encodeComplex(v);
      using ct = new Encryptor(c.params, pk).encrypt(pt);
      expectPrecision(c.decrypt(ct), v, bound);
    }
  });

  it("relinearization keys (seeded and full) relinearize exactly as the original", () => {
    const seeded = serializeSwitchingKey(c.relinearizationKey);
    const complete = serializeSwitchingKey(c.relinearizationKey, { seeded: false });
    expect(seeded.length).toBeLessThan(0.52 * complete.length);
    using x = c.encrypt(v);
    using y = c.encrypt(w);
    using expected = c.evaluator.mulRelin(x, y);
    for (const bytes of [seeded, complete]) {
      const key = loadSwitchingKey(c.params, bytes);
      expect(key).toBeInstanceOf(SwitchingKey);
      expect(key.galoisElement).toBe(0);
      expect(same(serializeSwitchingKey(key, { seeded: false }), complete)).toBe(true);
      using product = new Evaluator(c.params, { relinearizationKey: key }).mulRelin(x, y);
      expect(same(full(product), full(expected))).toBe(true);
      c.evaluator.rescaleInPlace(product);
      expectPrecision(c.decrypt(product), vmul(v, w), bound);
    }
  });

  it("Galois keys (seeded and full) rotate and conjugate exactly as the originals", () => {
    const original = c.galoisKeys!;
    const seeded = serializeGaloisKeys(original);
    const complete = serializeGaloisKeys(original, { seeded: false });
    expect(seeded.length).toBeLessThan(0.52 * complete.length);
    using x = c.encrypt(v);
    for (const bytes of [seeded, complete]) {
      const keys = loadGaloisKeys(c.params, bytes);
      expect(keys).toBeInstanceOf(GaloisKeys);
      expect([...keys.keys.keys()].sort()).toEqual([...original.keys.keys()].sort());
      const ev = new Evaluator(c.params, { galoisKeys: keys });
      for (const step of [1, -3]) {
        using rotated = ev.rotate(x, step);
        using expected = c.evaluator.rotate(x, step);
        expect(same(full(rotated), full(expected))).toBe(true);
        expectPrecision(c.decrypt(rotated), vrotate(v, step), bound);
      }
      using conjugated = ev.conjugate(x);
      using expected = c.evaluator.conjugate(x);
      expect(same(full(conjugated), full(expected))).toBe(true);
      // A single Galois key also saves and loads as a switching key.
      const one = original.get([...original.keys.keys()][0]!)!;
      const reloaded = loadSwitchingKey(c.params, serializeSwitchingKey(one));
      expect(reloaded.galoisElement).toBe(one.galoisElement);
    }
  });

  it("base64 round-trips any bytes and matches Node's encoder (property)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64"));
      expect(same(fromBase64(text), bytes)).toBe(true);
    }), { numRuns: 300 });
    using ct = c.encrypt(v, { secretKey: true });
    const bytes = serializeCiphertext(ct);
    using loaded = loadCiphertext(c.params, fromBase64(toBase64(bytes)));
    expectPrecision(c.decrypt(loaded), v, bound);
  });
});
