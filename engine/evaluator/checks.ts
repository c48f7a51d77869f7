import { type Ciphertext, ciphertextState, type CiphertextState, isCiphertext } from "../ciphertext.js";
import { PublicKey, SecretKey, type SwitchingKey } from "../keys.js";
import { checkSameParameters, type Parameters } from "../parameters.js";
import { Plaintext } from "../plaintext.js";
import type { RnsBasis } from "../ring/basis.js";
import { describe, FheError, isInteger, isPowerOfTwo } from "../ring/errors.js";
import { RnsPoly } from "../ring/poly.js";
import { scaleFits } from "./scale-adjustment.js";

/**
 * True when a scale is below the modulus at `level` (log2(scale) < log2(Q_level)): what every
 * ciphertext and plaintext must satisfy. Precondition: level is in [0, params.maxLevel].
 */
export function scaleBelowModulus(params: Parameters, scale: number, level: number): boolean {
  return Math.log2(scale) < params.logModulus(level);
}

/**
 * Throws unless the recorded metadata of a ciphertext or plaintext is consistent with its
 * polynomials: level in range, scale finite and >= 1 (and below the level's modulus), slots a
 * power of two <= N/2, and every part a live RnsPoly in NTT form over exactly the basis of Q at
 * that level (as SEAL's is_metadata_valid_for). Cheap: a few comparisons per polynomial.
 */
function checkMetadata(
  params: Parameters, what: string, polys: readonly unknown[], level: number, scale: number, slots: number, operation: string,
): void {
  const fail = (reason: string): never => {
    throw new FheError("INVALID_ARGUMENT", operation, `the ${what} is inconsistent (${reason}); it was not made by this library or was modified`);
  };
  if (!isInteger(level) || level < 0 || level > params.maxLevel) fail(`level ${describe(level)} is not in [0, ${params.maxLevel}]`);
  if (typeof scale !== "number" || !(scale >= 1 && scale < Infinity)) fail(`scale ${describe(scale)} is not a finite number >= 1`);
  if (!scaleBelowModulus(params, scale, level)) {
    fail(`scale 2^${Math.log2(scale).toFixed(1)} exceeds the ${params.logModulus(level).toFixed(0)}-bit modulus of level ${level}`);
  }
  if (!(slots === 1 || isPowerOfTwo(slots)) || slots > params.maxSlots) fail(`slot count ${describe(slots)} is not a power of two <= ${params.maxSlots}`);
  const basis = params.basisQ(level);
  polys.forEach((poly, i) => {
    if (!(poly instanceof RnsPoly)) return fail(`part ${i} is ${describe(poly)}, not a polynomial`);
    poly.assertLive(operation);
    if (poly.basis !== basis) fail(`polynomial ${i} has ${poly.basis.size} limbs where level ${level} has ${basis.size}, or other primes`);
    if (!poly.isNtt) fail(`polynomial ${i} is not in NTT form`);
  });
}

/**
 * Validates `value` as a live ciphertext of `params` of degree 1..maxDegree with consistent
 * metadata, and returns its mutable state for the scheme layer.
 */
export function checkCiphertext(params: Parameters, value: unknown, operation: string, maxDegree = 2): CiphertextState {
  if (!isCiphertext(value)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Ciphertext, got ${describe(value)}`);
  checkSameParameters(params, value.params, operation, "ciphertext");
  const state = ciphertextState(value);
  if (state.degree < 1 || new Set(state.polys).size !== state.polys.length) {
    throw new FheError("INVALID_ARGUMENT", operation, "the ciphertext is inconsistent (it needs at least two distinct polynomials); it was not made by this library");
  }
  checkMetadata(params, "ciphertext", state.polys, state.level, state.scale, state.slots, operation);
  if (state.degree > maxDegree) {
    throw new FheError("INVALID_ARGUMENT", operation, `the ciphertext has degree ${state.degree}; relinearize it first`);
  }
  return state;
}

/** Throws unless `value` is a live plaintext of `params` with consistent metadata. */
export function checkPlaintext(params: Parameters, value: unknown, operation: string): Plaintext {
  if (!(value instanceof Plaintext)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Plaintext, got ${describe(value)}`);
  checkSameParameters(params, value.params, operation, "plaintext");
  checkMetadata(params, "plaintext", [value.poly], value.level, value.scale, value.slots, operation);
  return value;
}

/**
 * Throws DISPOSED when a part of a key was disposed, INVALID_ARGUMENT unless every part is an
 * RnsPoly in NTT form over exactly `basis`, the basis keys of its kind are made on (`where`
 * names it for the message).
 */
function checkKeyParts(parts: readonly unknown[], basis: RnsBasis, where: string, what: string, operation: string): void {
  for (const part of parts) {
    if (!(part instanceof RnsPoly)) {
      throw new FheError("INVALID_ARGUMENT", operation, `the ${what} holds ${describe(part)} where a polynomial belongs; it was not made by this library`);
    }
    part.assertLive(operation);
    if (part.basis !== basis || !part.isNtt) {
      throw new FheError("INVALID_ARGUMENT", operation, `the ${what}'s polynomials are not in NTT form over ${where}; it was modified`);
    }
  }
}

/** Throws unless `value` is a live secret key of `params`: s in NTT form over Q P at the top level. */
export function checkSecretKey(params: Parameters, value: unknown, operation: string): SecretKey {
  if (!(value instanceof SecretKey)) throw new FheError("INVALID_ARGUMENT", operation, `expected a SecretKey, got ${describe(value)}`);
  checkSameParameters(params, value.params, operation, "secret key");
  checkKeyParts([value.poly], params.basisQP(params.maxLevel), "Q P at the top level", "secret key", operation);
  return value;
}

/** Throws unless `value` is a live public key of `params`: (b, a) in NTT form over Q at the top level. */
export function checkPublicKey(params: Parameters, value: unknown, operation: string): PublicKey {
  if (!(value instanceof PublicKey)) throw new FheError("INVALID_ARGUMENT", operation, `expected a PublicKey, got ${describe(value)}`);
  checkSameParameters(params, value.params, operation, "public key");
  checkKeyParts([value.b, value.a], params.basisQ(params.maxLevel), "Q at the top level", "public key", operation);
  return value;
}

/** Throws unless both operands pack the same number of slots. */
export function checkSlots(a: { slots: number }, b: { slots: number }, operation: string): void {
  if (a.slots !== b.slots) {
    throw new FheError("MISMATCHED_OPERANDS", operation, `operands pack different slot counts (${a.slots} and ${b.slots})`);
  }
}

/** A complex constant. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** Validates a real or complex constant and returns it as a complex number. */
export function checkConstant(value: unknown, operation: string): Complex {
  if (typeof value === "number" && Number.isFinite(value)) return { re: value, im: 0 };
  if (value !== null && typeof value === "object") {
    const { re, im } = value as Partial<Complex>;
    if (typeof re === "number" && typeof im === "number" && Number.isFinite(re) && Number.isFinite(im)) return { re, im };
  }
  throw new FheError("INVALID_ARGUMENT", operation, "the constant must be a finite number or a { re, im } pair of finite numbers");
}

/**
 * Throws unless a constant scaled to `scaled` (|c| times the scale it is encoded at) fits the
 * modulus at `level` with a bit to spare, as products must: otherwise it would wrap around.
 */
export function checkConstantFits(params: Parameters, scaled: number, level: number, operation: string): void {
  if (!scaleFits(params, scaled, level)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `the constant times the scale (2^${Math.log2(scaled).toFixed(1)}) does not fit the ${params.logModulus(level).toFixed(0)}-bit modulus at level ${level}; use a smaller constant or a ciphertext at a higher level`);
  }
}

/**
 * Throws the DISPOSED error naming `operation` when any part of a switching key was disposed,
 * and INVALID_ARGUMENT when its polynomials do not have the shape key switching reads (one
 * digit per key-switching digit of its parameters, each (b, a) in NTT form over Q P at the top
 * level). Precondition: `key.params` is a Parameters (checked where the key was accepted).
 */
export function checkKeyLive(key: SwitchingKey, operation: string): void {
  const { params } = key;
  if (key.digits.length !== params.digits) {
    throw new FheError("INVALID_ARGUMENT", operation, `the switching key has ${key.digits.length} digits where its parameters use ${params.digits}; it was modified`);
  }
  const basis = params.basisQP(params.maxLevel);
  for (const { a, b } of key.digits) checkKeyParts([b, a], basis, "Q P at the top level", "switching key", operation);
}
