// Versioned binary formats for parameters, plaintexts, ciphertexts and keys (see format.ts).
// Loading validates magic, version, kind, the parameters fingerprint, lengths, levels, that
// every residue is below its prime and, for keys in full form, that each stored uniform part
// is the expansion of the seed stored with it; anything else is a CORRUPT_DATA error.

import { Ciphertext, ciphertextState, type CiphertextState } from "../ciphertext.js";
import { recordSeedDigest, seedDigestHolds } from "../seed-digest.js";
import { ciphertextSeedDomain } from "../encryptor.js";
import {
  checkCiphertext, checkKeyLive, checkPlaintext, checkPublicKey, checkSecretKey, scaleBelowModulus,
} from "../evaluator/checks.js";
import { publicKeySeedDomain, switchingKeySeedDomain } from "../key-generator.js";
import { GaloisKeys, PublicKey, SecretKey, SwitchingKey, type SwitchingKeyDigit } from "../keys.js";
import { checkClaimedParameters, Parameters, type ParametersLiteral } from "../parameters.js";
import { Plaintext } from "../plaintext.js";
import { securityViolation } from "../security.js";
import type { RnsBasis } from "../ring/basis.js";
import { samePolynomial } from "../ring/compare.js";
import { checkOptions, describe, FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import { WasmHeap } from "../ring/wasm/heap.js";
import { fillUniformSeeded, seedBytes } from "../ring/xof.js";
import { ByteReader, ByteWriter, Kind, readHeader, seededFlag, writeHeader } from "./format.js";

/** Options for serializing objects that may be stored in seeded (half-size) form. */
export interface SerializeOptions {
  /**
   * Store uniform parts as their 32-byte seed when possible (default true). Keys always have
   * a seed; a ciphertext has one only while it is a fresh secret-key encryption (or was
   * loaded from seeded form), otherwise it is written in full form whatever this says. With
   * false, keys are written with the seed and the expanded uniform parts; loading checks that
   * they agree, so a key loaded from either form saves to the same key in either form.
   */
  readonly seeded?: boolean;
}

/**
 * The parameters of `value`, an instance of `type` (a ciphertext, plaintext or key), checked to
 * be a Parameters: serialization takes none of its own, and then checks the object against
 * them as every other entry does.
 */
function paramsOf<T extends { readonly params: unknown }>(
  value: unknown, type: abstract new (...args: never[]) => T, operation: string, what: string,
): Parameters {
  if (!(value instanceof type)) throw new FheError("INVALID_ARGUMENT", operation, `expected a ${what}`);
  checkClaimedParameters(value.params, operation, what);
  return value.params;
}

/** Checks the reader is at the end, disposing `made` (anything with dispose()) when it is not. */
function endOrDispose<T extends { dispose(): void }>(reader: ByteReader, made: T): T {
  try {
    reader.end();
  } catch (error) {
    made.dispose();
    throw error;
  }
  return made;
}

/** Runs `build`, disposing the collected polynomials when it throws. @internal */
export function collecting<T>(build: (keep: <P extends RnsPoly>(poly: P) => P) => T): T {
  const made: RnsPoly[] = [];
  try {
    return build((poly) => {
      made.push(poly);
      return poly;
    });
  } catch (error) {
    for (const poly of made) poly.dispose();
    throw error;
  }
}

/** The reader past a checked header of `kind` for `params`, and whether the seeded flag is set. @internal */
export function readBody(params: Parameters, data: Uint8Array, kind: Kind, operation: string): { reader: ByteReader; seeded: boolean } {
  if (!(params instanceof Parameters)) throw new FheError("INVALID_ARGUMENT", operation, "expected Parameters");
  const reader = new ByteReader(data, operation, params.heap);
  const { flags, fingerprint } = readHeader(reader, kind);
  if (fingerprint !== params.fingerprint) {
    throw new FheError("MISMATCHED_OPERANDS", operation, `the data was made with other parameters (fingerprint ${fingerprint}, expected ${params.fingerprint})`);
  }
  return { reader, seeded: (flags & seededFlag) !== 0 };
}

function readLevel(reader: ByteReader, params: Parameters): number {
  const level = reader.u16();
  if (level > params.maxLevel) reader.fail(`level ${level} exceeds the maximum level ${params.maxLevel}`);
  return level;
}

function readSlots(reader: ByteReader, params: Parameters): number {
  const slots = reader.u32();
  if (slots < 1 || slots > params.maxSlots || (slots & (slots - 1)) !== 0) reader.fail(`invalid slot count ${slots}`);
  return slots;
}

/** Reads a scale: finite, at least 1 and below the modulus at `level`, as every entry requires. */
function readScale(reader: ByteReader, params: Parameters, level: number): number {
  const scale = reader.f64();
  if (!Number.isFinite(scale) || scale < 1 || scale >= 2 ** 1000) reader.fail(`invalid scale ${scale}`);
  if (!scaleBelowModulus(params, scale, level)) {
    reader.fail(`the scale 2^${Math.log2(scale).toFixed(1)} does not fit the ${params.logModulus(level).toFixed(0)}-bit modulus of level ${level}`);
  }
  return scale;
}

// ------------------------------------------------------------------ parameters

/** Serializes parameters as their filled-in literal (JSON); loading re-derives the primes. */
export function serializeParameters(params: Parameters): Uint8Array {
  if (!(params instanceof Parameters)) throw new FheError("INVALID_ARGUMENT", "serialize parameters", "expected Parameters");
  const writer = new ByteWriter();
  writeHeader(writer, Kind.parameters, 0, params.fingerprint);
  const json = new TextEncoder().encode(JSON.stringify(params.literal));
  writer.u32(json.length);
  writer.bytes(json);
  return writer.finish();
}

/** Options of {@link loadParameters}. */
export interface LoadParametersOptions {
  /** Heap of the loaded parameters (default: the process-wide heap). */
  readonly heap?: WasmHeap;
  /**
   * Accept parameters below 128-bit security, for tests only. The flag stored with the
   * parameters is ignored: data from elsewhere never lowers security by itself.
   */
  readonly allowInsecureParametersForTesting?: boolean;
}

/**
 * Loads parameters saved by {@link serializeParameters}: the stored literal must have known
 * keys only, recreate parameters of the stored fingerprint (CORRUPT_DATA otherwise) and be at
 * 128-bit security unless the caller passes `allowInsecureParametersForTesting: true`
 * (INVALID_PARAMETERS otherwise). Returns the live instance when these parameters already
 * exist on the heap.
 */
export function loadParameters(data: Uint8Array, options: LoadParametersOptions = {}): Parameters {
  const operation = "load parameters";
  checkOptions(options, operation);
  const allowInsecure = options?.allowInsecureParametersForTesting ?? false;
  if (typeof allowInsecure !== "boolean") {
    throw new FheError("INVALID_ARGUMENT", operation, `options.allowInsecureParametersForTesting must be a boolean, got ${describe(allowInsecure)}`);
  }
  const { heap } = options;
  if (heap !== undefined && !(heap instanceof WasmHeap)) throw new FheError("INVALID_ARGUMENT", operation, `options.heap must be a WasmHeap, got ${describe(heap)}`);
  const reader: ByteReader = new ByteReader(data, operation);
  const { flags, fingerprint } = readHeader(reader, Kind.parameters);
  if (flags !== 0) reader.fail(`parameters carry no flags, found ${flags}`);
  const length = reader.u32();
  const text = reader.bytes(length);
  reader.end();
  let stored: unknown;
  try {
    stored = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(text));
  } catch {
    reader.fail("the parameters are not valid UTF-8 JSON");
  }
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) reader.fail("the stored parameters are not a literal object");
  // The stored set is derived as the insecure flag would allow, then judged by the caller's
  // option alone. specialPrimes is always stored: its default would depend on the flag.
  let params: Parameters;
  try {
    params = Parameters.create({ ...(stored as ParametersLiteral), allowInsecureParametersForTesting: true }, { heap });
  } catch (error) {
    reader.fail(`the stored parameters are invalid: ${error instanceof FheError ? error.reason : String(error)}`);
  }
  if (!("specialPrimes" in stored)) reader.fail("the stored parameters lack specialPrimes");
  if (params.fingerprint !== fingerprint) reader.fail("the parameters do not match their fingerprint");
  const violation = securityViolation(params);
  if (violation !== undefined && !allowInsecure) {
    throw new FheError("INVALID_PARAMETERS", operation,
      `the stored parameters are below 128-bit security: ${violation} (pass { allowInsecureParametersForTesting: true } to loadParameters only in tests; the flag stored with the data is ignored)`);
  }
  return params;
}

// ------------------------------------------------------------------ plaintexts and ciphertexts

/** Serializes a plaintext. Throws as every other entry does when its metadata contradicts its polynomial. */
export function serializePlaintext(plaintext: Plaintext): Uint8Array {
  const operation = "serialize plaintext";
  const pt = checkPlaintext(paramsOf(plaintext, Plaintext, operation, "Plaintext"), plaintext, operation);
  const writer = new ByteWriter();
  writeHeader(writer, Kind.plaintext, 0, pt.params.fingerprint);
  writer.u16(pt.level);
  writer.u32(pt.slots);
  writer.f64(pt.scale);
  writer.poly(pt.poly);
  return writer.finish();
}

export function loadPlaintext(params: Parameters, data: Uint8Array): Plaintext {
  const operation = "load plaintext";
  const { reader } = readBody(params, data, Kind.plaintext, operation);
  const level = readLevel(reader, params);
  const slots = readSlots(reader, params);
  const scale = readScale(reader, params, level);
  const poly = endOrDispose(reader, reader.poly(params.ring, params.basisQ(level)));
  return new Plaintext(params, poly, level, scale, slots);
}

/**
 * Serializes a ciphertext (checked as every other entry checks it). Fresh secret-key
 * encryptions (and ciphertexts loaded from seeded form) are stored seeded, c_1 as its seed,
 * unless `seeded: false`; every other ciphertext, including one loaded from full form (which
 * stores no seed), is stored in full form. Before storing a seed, c_1 is checked against the
 * CRC-32 recorded when the library expanded it (engine/seed-digest.ts: one pass over c_1) or,
 * without a matching record, compared with the seed's expansion: a c_1 changed through the ring
 * layer, which cannot clear the seed, is stored in full form, and the stale seed is dropped.
 */
export function serializeCiphertext(ciphertext: Ciphertext, options: SerializeOptions = {}): Uint8Array {
  const operation = "serialize ciphertext";
  checkOptions(options, operation);
  const params = paramsOf(ciphertext, Ciphertext, operation, "Ciphertext");
  const ct = checkCiphertext(params, ciphertext, operation);
  const seeded = options.seeded !== false && seedStillExpands(params, ct);
  const polyBytes = 4 * params.n * params.limbsAt(ct.level);
  const writer = new ByteWriter({ capacity: 96 + (seeded ? polyBytes + 32 : polyBytes * ct.polys.length) });
  writeHeader(writer, Kind.ciphertext, seeded ? seededFlag : 0, params.fingerprint);
  writer.u16(ct.level);
  writer.u32(ct.slots);
  writer.f64(ct.scale);
  writer.u8(ct.polys.length);
  if (seeded) {
    writer.poly(ct.polys[0]!);
    writer.bytes(ct.seed!);
  } else {
    for (const poly of ct.polys) writer.poly(poly);
  }
  return writer.finish();
}

/**
 * True when the ciphertext (degree 1) has a seed and c_1 is still its expansion; a seed that
 * no longer describes c_1 is cleared.
 */
function seedStillExpands(params: Parameters, ct: CiphertextState): boolean {
  if (ct.seed === undefined || ct.degree !== 1) return false;
  if (seedDigestHolds(ct)) return true;
  const c1 = ct.polys[1]!;
  using expanded = params.ring.allocate(c1.basis, { ntt: true, scoped: true });
  fillUniformSeeded(expanded, ct.seed, ciphertextSeedDomain);
  if (samePolynomial(expanded, c1)) return true;
  ct.seed = undefined;
  return false;
}

export function loadCiphertext(params: Parameters, data: Uint8Array): Ciphertext {
  const operation = "load ciphertext";
  const { reader, seeded } = readBody(params, data, Kind.ciphertext, operation);
  const level = readLevel(reader, params);
  const slots = readSlots(reader, params);
  const scale = readScale(reader, params, level);
  const count = reader.u8();
  if (count < 2 || count > 3) reader.fail(`a ciphertext has 2 or 3 polynomials, not ${count}`);
  if (seeded && count !== 2) reader.fail("a seeded ciphertext has exactly 2 polynomials");
  const basis = params.basisQ(level);
  return collecting((keep) => {
    const polys: RnsPoly[] = [];
    let seed: Uint8Array | undefined;
    if (seeded) {
      polys.push(keep(reader.poly(params.ring, basis)));
      seed = reader.bytes(seedBytes);
      const c1 = keep(params.ring.allocate(basis, { ntt: true }));
      fillUniformSeeded(c1, seed, ciphertextSeedDomain);
      polys.push(c1);
    } else {
      for (let i = 0; i < count; i++) polys.push(keep(reader.poly(params.ring, basis)));
    }
    reader.end();
    const ct = new Ciphertext(params, polys, level, scale, slots, seed);
    recordSeedDigest(ciphertextState(ct));
    return ct;
  });
}

// ------------------------------------------------------------------ keys

/** Serializes a secret key (checked: s live, in NTT form over Q P at the top level). */
export function serializeSecretKey(secretKey: SecretKey): Uint8Array {
  const operation = "serialize secret key";
  const sk = checkSecretKey(paramsOf(secretKey, SecretKey, operation, "SecretKey"), secretKey, operation);
  const writer = new ByteWriter({ secret: true });
  writeHeader(writer, Kind.secretKey, 0, sk.params.fingerprint);
  writer.poly(sk.poly);
  return writer.finish();
}

export function loadSecretKey(params: Parameters, data: Uint8Array): SecretKey {
  const operation = "load secret key";
  const { reader } = readBody(params, data, Kind.secretKey, operation);
  const poly = endOrDispose(reader, reader.poly(params.ring, params.basisQP(params.maxLevel), { secret: true }));
  return new SecretKey(params, poly);
}

/**
 * Serializes a public key (checked: b and a live, in NTT form over Q at the top level); by
 * default `a` is stored as its seed only (half size).
 */
export function serializePublicKey(publicKey: PublicKey, options: SerializeOptions = {}): Uint8Array {
  const operation = "serialize public key";
  checkOptions(options, operation);
  const pk = checkPublicKey(paramsOf(publicKey, PublicKey, operation, "PublicKey"), publicKey, operation);
  const seeded = options.seeded !== false;
  const writer = new ByteWriter();
  writeHeader(writer, Kind.publicKey, seeded ? seededFlag : 0, pk.params.fingerprint);
  writer.poly(pk.b);
  writer.bytes(pk.seed);
  if (!seeded) writer.poly(pk.a);
  return writer.finish();
}

export function loadPublicKey(params: Parameters, data: Uint8Array): PublicKey {
  const operation = "load public key";
  const { reader, seeded } = readBody(params, data, Kind.publicKey, operation);
  const basis = params.basisQ(params.maxLevel);
  return collecting((keep) => {
    const b = keep(reader.poly(params.ring, basis));
    const seed = reader.bytes(seedBytes);
    const a = keep(expandSeeded(params, basis, seed, publicKeySeedDomain));
    if (!seeded) reader.matchPoly(a, seedMismatch("the uniform part a"));
    reader.end();
    return new PublicKey(params, b, a, seed);
  });
}

/** Writes a switching key's body (Galois element, digit count, seed, digits). @internal */
export function writeSwitchingKey(writer: ByteWriter, key: SwitchingKey, seeded: boolean): void {
  writer.u32(key.galoisElement);
  writer.u16(key.digits.length);
  writer.bytes(key.seed);
  for (const digit of key.digits) {
    writer.poly(digit.b);
    if (!seeded) writer.poly(digit.a);
  }
}

/** Reads what {@link writeSwitchingKey} wrote, checked (CORRUPT_DATA). @internal */
export function readSwitchingKey(reader: ByteReader, params: Parameters, seeded: boolean): SwitchingKey {
  const galoisElement = reader.u32();
  if (galoisElement !== 0 && (galoisElement % 2 === 0 || galoisElement >= 2 * params.n || galoisElement === 1)) {
    reader.fail(`invalid Galois element ${galoisElement}`);
  }
  const count = reader.u16();
  if (count !== params.digits) reader.fail(`a switching key of these parameters has ${params.digits} digits, not ${count}`);
  const seed = reader.bytes(seedBytes);
  const basis = params.basisQP(params.maxLevel);
  return collecting((keep) => {
    const digits: SwitchingKeyDigit[] = [];
    for (let j = 0; j < count; j++) {
      const b = keep(reader.poly(params.ring, basis));
      const a = keep(expandSeeded(params, basis, seed, switchingKeySeedDomain(j)));
      if (!seeded) reader.matchPoly(a, seedMismatch(`the uniform part a of digit ${j}`));
      digits.push({ b, a });
    }
    return new SwitchingKey(params, digits, seed, galoisElement);
  });
}

/** Serializes a relinearization or Galois switching key (seeded by default). */
export function serializeSwitchingKey(key: SwitchingKey, options: SerializeOptions = {}): Uint8Array {
  const operation = "serialize switching key";
  checkOptions(options, operation);
  const params = paramsOf(key, SwitchingKey, operation, "SwitchingKey");
  checkKeyLive(key, operation);
  const seeded = options.seeded !== false;
  const writer = new ByteWriter();
  writeHeader(writer, Kind.switchingKey, seeded ? seededFlag : 0, params.fingerprint);
  writeSwitchingKey(writer, key, seeded);
  return writer.finish();
}

export function loadSwitchingKey(params: Parameters, data: Uint8Array): SwitchingKey {
  const { reader, seeded } = readBody(params, data, Kind.switchingKey, "load switching key");
  return endOrDispose(reader, readSwitchingKey(reader, params, seeded));
}

export function serializeGaloisKeys(keys: GaloisKeys, options: SerializeOptions = {}): Uint8Array {
  const operation = "serialize Galois keys";
  checkOptions(options, operation);
  const params = paramsOf(keys, GaloisKeys, operation, "GaloisKeys");
  const members = [...keys.keys.values()];
  for (const key of members) checkKeyLive(key, operation);
  const seeded = options.seeded !== false;
  const writer = new ByteWriter();
  writeHeader(writer, Kind.galoisKeys, seeded ? seededFlag : 0, params.fingerprint);
  writer.u16(members.length);
  for (const key of members) writeSwitchingKey(writer, key, seeded);
  return writer.finish();
}

export function loadGaloisKeys(params: Parameters, data: Uint8Array): GaloisKeys {
  const { reader, seeded } = readBody(params, data, Kind.galoisKeys, "load Galois keys");
  const count = reader.u16();
  const keys: SwitchingKey[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const key = readSwitchingKey(reader, params, seeded);
      keys.push(key);
      if (key.galoisElement === 0) reader.fail("a Galois key cannot have Galois element 0");
    }
    if (new Set(keys.map((k) => k.galoisElement)).size !== keys.length) reader.fail("duplicate Galois elements");
    reader.end();
  } catch (error) {
    for (const key of keys) key.dispose();
    throw error;
  }
  return new GaloisKeys(params, keys);
}

/** The CORRUPT_DATA reason for a full-form uniform part that is not its seed's expansion. @internal */
export function seedMismatch(part: string): string {
  return `${part} does not match the seed stored with it, so the data was modified after saving; load an unmodified copy`;
}

/** A new polynomial over `basis` (NTT form): the expansion of `seed` in `domain`. @internal */
export function expandSeeded(params: Parameters, basis: RnsBasis, seed: Uint8Array, domain: string): RnsPoly {
  const poly = params.ring.allocate(basis, { ntt: true });
  fillUniformSeeded(poly, seed, domain);
  return poly;
}
