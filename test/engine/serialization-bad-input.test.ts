// Loading corrupted, truncated, foreign or random bytes must answer with the library's error
// (FheError), never another exception, and never a silently accepted object that decrypts to
// garbage. Every object ends with a CRC-32 of its bytes, so accidental corruption is caught
// first; tests of the structural checks behind it re-seal their crafted bytes with a fresh CRC.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Ciphertext, Encryptor, FheError, Parameters, PublicKey, fromBase64, loadCiphertext, loadGaloisKeys,
  loadParameters, loadPlaintext, loadPublicKey, loadSecretKey, loadSwitchingKey, serializeCiphertext,
  serializeGaloisKeys, serializeParameters, serializePlaintext, serializePublicKey, serializeSecretKey,
  serializeSwitchingKey,
} from "../../engine/index.js";
import { crc32 } from "../../engine/serialization/crc32.js";
import { expectFheError, makeContext, oneOperationBound, precision, uniformValues, type CkksContext, type Vec } from "../helpers/ckks.js";

/** A small set (N = 2^10, 3 primes of Q) so that exhaustive corruption stays fast. */
const literal = { logN: 10, logScale: 30, depth: 1, allowInsecureParametersForTesting: true };

/** Byte layout of a serialized ciphertext (see engine/serialization/format.ts). */
const headerBytes = 16; // magic 4, version 2, kind 1, flags 1, fingerprint 8
const ciphertextMetaBytes = headerBytes + 2 + 4 + 8 + 1; // level, slots, scale, polynomial count
const seedBytes = 32;

/** A copy of `bytes` (ending with a CRC-32 trailer) with the trailer recomputed. */
function reseal(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(copy.length - 4, crc32(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

/** `body` (without trailer) followed by its CRC-32. */
function sealed(body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(body.length + 4);
  bytes.set(body);
  return reseal(bytes);
}

/** Name of the ciphertext field at byte `position`. */
function fieldOf(position: number, length: number): string {
  const fields: [number, string][] = [
    [4, "magic"], [6, "version"], [7, "kind"], [8, "flags"], [16, "fingerprint"], [18, "level"], [22, "slots"],
    [30, "scale"], [31, "polynomial count"],
  ];
  for (const [end, name] of fields) if (position < end) return name;
  return position >= length - seedBytes ? "seed" : "residues";
}

type Loader = (params: Parameters, bytes: Uint8Array) => unknown;

const loaders: Record<string, Loader> = {
  parameters: (_, bytes) => loadParameters(bytes, { allowInsecureParametersForTesting: true }),
  plaintext: loadPlaintext,
  ciphertext: loadCiphertext,
  publicKey: loadPublicKey,
  secretKey: loadSecretKey,
  switchingKey: loadSwitchingKey,
  galoisKeys: loadGaloisKeys,
};

/** Runs `load` and returns the FheError it threw, or undefined when it returned an object. */
function outcome(load: () => unknown): FheError | undefined {
  try {
    load();
  } catch (error) {
    if (!(error instanceof FheError)) {
      expect.fail(`expected an FheError, got ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
    }
    return error;
  }
  return undefined;
}

describe("loading bad bytes", () => {
  let c: CkksContext;
  let other: Parameters;
  let samples: Record<string, Uint8Array>;
  let seededCt: Uint8Array;
  let fullCt: Uint8Array;
  const v: Vec = { re: uniformValues(512, 7), im: uniformValues(512, 8) };

  /** Does `ct` decrypt to v within one operation's precision bound? */
  function decryptsCorrectly(ct: Ciphertext): boolean {
    if (ct.slots !== 512) return false;
    return precision(c.decrypt(ct), v).mean >= oneOperationBound(c.params);
  }

  beforeAll(() => {
    c = makeContext(literal, { steps: [1], conjugate: false });
    other = Parameters.create({ ...literal, logScale: 29 });
    using ct = c.encrypt(v, { level: 0, secretKey: true });
    seededCt = serializeCiphertext(ct);
    fullCt = serializeCiphertext(ct, { seeded: false });
    using pt = c.encode(v);
    samples = {
      parameters: serializeParameters(c.params),
      plaintext: serializePlaintext(pt),
      ciphertext: seededCt,
      publicKey: serializePublicKey(c.publicKey),
      secretKey: serializeSecretKey(c.keygen.secretKey),
      switchingKey: serializeSwitchingKey(c.relinearizationKey),
      galoisKeys: serializeGaloisKeys(c.galoisKeys!),
    };
  });

  it("the samples load (sanity check of the fixtures)", () => {
    for (const [kind, bytes] of Object.entries(samples)) expect(outcome(() => loaders[kind]!(c.params, bytes))).toBeUndefined();
    using ct = loadCiphertext(c.params, fullCt);
    expect(decryptsCorrectly(ct)).toBe(true);
    expect(seededCt.length).toBe(ciphertextMetaBytes + 4 * 1024 * 2 + seedBytes + 4);
  });

  it("any single-bit flip is caught by the checksum (property)", () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(samples)), fc.nat(), fc.integer({ min: 0, max: 7 }), (kind, position, bit) => {
      const bytes = samples[kind]!.slice();
      bytes[position % bytes.length]! ^= 1 << bit;
      const error = outcome(() => loaders[kind]!(c.params, bytes));
      expect(error?.code).toBe("CORRUPT_DATA");
    }), { numRuns: 500 });
  });

  it("a ciphertext truncated at every cut point is rejected as CORRUPT_DATA (seeded and full)", () => {
    let checked = 0;
    for (const bytes of [seededCt, fullCt]) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const error = outcome(() => loadCiphertext(c.params, bytes.subarray(0, cut)));
        if (error?.code !== "CORRUPT_DATA") expect.fail(`cut at ${cut} of ${bytes.length}: ${error === undefined ? "accepted" : error.message}`);
        checked++;
      }
    }
    expect(checked).toBe(seededCt.length + fullCt.length);
  });

  it("every other object truncated at random cut points (and at section boundaries) is rejected", () => {
    for (const [kind, bytes] of Object.entries(samples)) {
      const cuts = new Set([0, 1, 4, 6, 7, 8, 15, 16, 17, 20, 24, 30, bytes.length - 33, bytes.length - 32, bytes.length - 1]);
      fc.sample(fc.integer({ min: 0, max: bytes.length - 1 }), 150).forEach((cut) => cuts.add(cut));
      for (const cut of cuts) {
        if (cut < 0 || cut >= bytes.length) continue;
        const error = outcome(() => loaders[kind]!(c.params, bytes.subarray(0, cut)));
        if (error?.code !== "CORRUPT_DATA") expect.fail(`${kind} cut at ${cut}: ${error === undefined ? "accepted" : error.message}`);
      }
    }
  });

  it("trailing bytes are rejected", () => {
    for (const [kind, bytes] of Object.entries(samples)) {
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      expect(outcome(() => loaders[kind]!(c.params, longer))?.code, kind).toBe("CORRUPT_DATA");
    }
  });

  it("random byte flips anywhere give an FheError or a ciphertext, never another error (property)", () => {
    fc.assert(fc.property(
      fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      (seeded, flips) => {
        const bytes = (seeded ? seededCt : fullCt).slice();
        for (const [position, mask] of flips) bytes[position % bytes.length]! ^= mask;
        const error = outcome(() => loadCiphertext(c.params, bytes));
        if (error !== undefined) expect(["CORRUPT_DATA", "MISMATCHED_OPERANDS"]).toContain(error.code);
      },
    ), { numRuns: 1500 });
  });

  it("a residue flipped to >= its prime is rejected; one that stays below is accepted (property)", () => {
    const primes = c.params.qPrimes.slice(0, c.params.limbsAt(0));
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2 * 1024 * primes.length - 1 }), fc.boolean(), fc.integer({ min: 0, max: 31 }),
      (word, seeded, bit) => {
        const source = seeded ? seededCt : fullCt;
        const words = seeded ? 1024 * primes.length : 2 * 1024 * primes.length;
        const index = word % words;
        const q = primes[Math.floor(index / 1024) % primes.length]!;
        const bytes = source.slice();
        const view = new DataView(bytes.buffer);
        const offset = ciphertextMetaBytes + 4 * index;
        const flipped = (view.getUint32(offset, true) ^ (1 << bit)) >>> 0;
        view.setUint32(offset, flipped, true);
        const error = outcome(() => loadCiphertext(c.params, reseal(bytes)));
        if (flipped >= q) {
          expect(error?.code).toBe("CORRUPT_DATA");
          expect(error?.message).toMatch(/not below its prime/);
        } else {
          expect(error).toBeUndefined();
        }
      },
    ), { numRuns: 1000 });
  });

  it("residues >= q are rejected in every kind of object", () => {
    // First and last residue of each sample (seeded objects end with their 32-byte seed).
    const residues: Record<string, [number, number]> = {
      plaintext: [30, samples.plaintext!.length - 8],
      ciphertext: [ciphertextMetaBytes, seededCt.length - seedBytes - 8],
      publicKey: [headerBytes, samples.publicKey!.length - seedBytes - 8],
      secretKey: [headerBytes, samples.secretKey!.length - 8],
      switchingKey: [headerBytes + 4 + 2 + seedBytes, samples.switchingKey!.length - 8],
      galoisKeys: [headerBytes + 2 + 4 + 2 + seedBytes, samples.galoisKeys!.length - 8],
    };
    for (const [kind, offsets] of Object.entries(residues)) {
      const bytes = samples[kind]!;
      for (const offset of offsets) {
        for (const value of [0xffffffff, 2 ** 30, 2 ** 31]) {
          const corrupt = bytes.slice();
          new DataView(corrupt.buffer).setUint32(offset, value, true);
          const error = outcome(() => loaders[kind]!(c.params, reseal(corrupt)));
          expect(error?.code, `${kind} at ${offset} = ${value}`).toBe("CORRUPT_DATA");
          expect(error?.message, `${kind} at ${offset} = ${value}`).toMatch(/not below its prime/);
        }
      }
    }
    // Exactly q (the smallest value that is not a residue) in the first limb of a ciphertext.
    const corrupt = fullCt.slice();
    new DataView(corrupt.buffer).setUint32(ciphertextMetaBytes, c.params.qPrimes[0]!, true);
    expect(outcome(() => loadCiphertext(c.params, reseal(corrupt)))?.message).toMatch(/not below its prime/);
  });

  it("random bytes are rejected by every loader (property)", () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(loaders)), fc.uint8Array({ maxLength: 2000 }), (kind, bytes) => {
      expect(outcome(() => loaders[kind]!(c.params, bytes))?.code).toBe("CORRUPT_DATA");
    }), { numRuns: 700 });
  });

  it("a valid header followed by random bytes gives an FheError or an object (property)", () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(loaders)), fc.uint8Array({ maxLength: 200 }), (kind, body) => {
      const bytes = new Uint8Array(headerBytes + body.length);
      bytes.set(samples[kind]!.subarray(0, headerBytes));
      bytes.set(body, headerBytes);
      outcome(() => loaders[kind]!(c.params, sealed(bytes)));
    }), { numRuns: 700 });
  });

  it("parameters with random JSON give an FheError or matching parameters (property)", () => {
    const header = samples.parameters!.subarray(0, headerBytes);
    fc.assert(fc.property(fc.json(), (json) => {
      const text = new TextEncoder().encode(json);
      const bytes = new Uint8Array(headerBytes + 4 + text.length);
      bytes.set(header);
      new DataView(bytes.buffer).setUint32(headerBytes, text.length, true);
      bytes.set(text, headerBytes + 4);
      const error = outcome(() => loadParameters(sealed(bytes), { allowInsecureParametersForTesting: true }));
      expect(error?.code).toBe("CORRUPT_DATA");
    }), { numRuns: 300 });
  });

  it("every object loaded as another kind is rejected, naming the kinds", () => {
    for (const [kind, bytes] of Object.entries(samples)) {
      for (const [wrong, load] of Object.entries(loaders)) {
        if (wrong === kind) continue;
        const error = outcome(() => load(c.params, bytes));
        expect(error?.code, `${kind} loaded as ${wrong}`).toBe("CORRUPT_DATA");
        expect(error?.message).toMatch(/expected object kind/);
      }
    }
  });

  it("objects of other parameters are rejected (fingerprint)", () => {
    for (const [kind, bytes] of Object.entries(samples)) {
      if (kind === "parameters") continue;
      const error = outcome(() => loaders[kind]!(other, bytes));
      expect(error?.code, kind).toBe("MISMATCHED_OPERANDS");
      expect(error?.message).toMatch(/other parameters/);
    }
    // A flipped fingerprint byte in stored parameters.
    const params = samples.parameters!.slice();
    params[8]! ^= 1;
    expect(outcome(() => loadParameters(reseal(params), { allowInsecureParametersForTesting: true }))?.message).toMatch(/fingerprint/);
  });

  it("bad magic, version and flags are rejected", () => {
    for (const [offset, value] of [[0, 0x58], [3, 0], [4, 2], [5, 1], [7, 2], [7, 0x80]] as const) {
      const bytes = seededCt.slice();
      bytes[offset] = value;
      const error = outcome(() => loadCiphertext(c.params, reseal(bytes)));
      expect(error?.code, `byte ${offset} = ${value}`).toBe("CORRUPT_DATA");
      expect(error?.message, `byte ${offset} = ${value}`).not.toMatch(/checksum/);
    }
  });

  it("Galois key sets with duplicate or invalid elements are rejected", () => {
    const one = serializeGaloisKeys(c.galoisKeys!);
    const body = one.subarray(headerBytes + 2, one.length - 4);
    const twice = new Uint8Array(one.length + body.length);
    twice.set(one.subarray(0, one.length - 4));
    twice.set(body, one.length - 4);
    new DataView(twice.buffer).setUint16(headerBytes, 2, true);
    const error = outcome(() => loadGaloisKeys(c.params, reseal(twice)));
    expect(error?.code).toBe("CORRUPT_DATA");
    expect(error?.message).toMatch(/duplicate/);
    for (const element of [0, 2, 1, 2 * c.params.n + 1]) {
      const bytes = one.slice();
      new DataView(bytes.buffer).setUint32(headerBytes + 2, element, true);
      const invalid = outcome(() => loadGaloisKeys(c.params, reseal(bytes)));
      expect(invalid?.code, `element ${element}`).toBe("CORRUPT_DATA");
      expect(invalid?.message, `element ${element}`).toMatch(/Galois element/);
    }
  });

  it("non-byte inputs and non-parameters are INVALID_ARGUMENT", () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(loaders)), fc.anything(), (kind, value) => {
      expectFheError(() => loaders[kind]!(c.params, value as Uint8Array), "INVALID_ARGUMENT");
    }), { numRuns: 300 });
    for (const [kind, load] of Object.entries(loaders)) {
      if (kind === "parameters") continue;
      expectFheError(() => load({} as Parameters, samples[kind]!), "INVALID_ARGUMENT");
      expectFheError(() => load(null as unknown as Parameters, samples[kind]!), "INVALID_ARGUMENT");
    }
  });

  it("fromBase64 returns the bytes of valid base64 and CORRUPT_DATA otherwise (property)", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: "binary" })), (text) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(text);
      } catch (error) {
        expect(error).toBeInstanceOf(FheError);
        expect((error as FheError).code).toBe("CORRUPT_DATA");
        return;
      }
      // atob's leniency: non-zero padding bits are accepted (RFC 4648 allows either), but the
      // bytes must be what base64 decoding defines.
      expect(Buffer.from(bytes).equals(Buffer.from(text, "base64"))).toBe(true);
      expect(text.length).toBe(4 * Math.ceil(bytes.length / 3));
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.anything().filter((x) => typeof x !== "string"), (value) => {
      expectFheError(() => fromBase64(value as string), "CORRUPT_DATA", "decode base64");
    }), { numRuns: 200 });
  });

  // Integrity: bytes outside the residues (header, level, slots, scale, count, seed) have no
  // redundancy that a prime bound could check. Flipping any single bit there must not yield a
  // ciphertext that loads and decrypts to garbage.
  it("no single-bit flip outside the residues is silently accepted with a wrong meaning", () => {
    const silent: string[] = [];
    for (const [name, bytes] of [["seeded", seededCt], ["full", fullCt]] as const) {
      const positions = Array.from({ length: ciphertextMetaBytes }, (_, i) => i);
      if (name === "seeded") for (let i = bytes.length - seedBytes; i < bytes.length; i++) positions.push(i);
      for (const position of positions) {
        for (let bit = 0; bit < 8; bit++) {
          const corrupt = bytes.slice();
          corrupt[position]! ^= 1 << bit;
          let ct: Ciphertext;
          try {
            ct = loadCiphertext(c.params, corrupt);
          } catch (error) {
            expect(error).toBeInstanceOf(FheError);
            continue;
          }
          if (!decryptsCorrectly(ct)) silent.push(`${name} ${fieldOf(position, bytes.length)} (byte ${position} bit ${bit})`);
          ct.dispose();
        }
      }
    }
    const byField = new Map<string, number>();
    for (const entry of silent) {
      const field = entry.slice(0, entry.indexOf(" ("));
      byField.set(field, (byField.get(field) ?? 0) + 1);
    }
    const summary = [...byField].map(([field, count]) => `${field}: ${count} bits`).join("; ");
    expect(silent, `single-bit corruptions that load and decrypt to garbage (${silent.length}): ${summary}`).toEqual([]);
  });

  it("no single-bit flip in a seeded public key's seed is silently accepted", () => {
    const bytes = samples.publicKey!;
    const silent: number[] = [];
    for (let position = bytes.length - seedBytes; position < bytes.length; position++) {
      const corrupt = bytes.slice();
      corrupt[position]! ^= 1;
      let pk: PublicKey;
      try {
        pk = loadPublicKey(c.params, corrupt);
      } catch (error) {
        expect(error).toBeInstanceOf(FheError);
        continue;
      }
      using pt = c.encode(v);
      using ct = new Encryptor(c.params, pk).encrypt(pt);
      if (precision(c.decrypt(ct), v).mean < oneOperationBound(c.params)) silent.push(position);
    }
    expect(silent, "seed bytes whose corruption went unnoticed").toEqual([]);
  });
});
