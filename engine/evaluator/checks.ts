import { Ciphertext } from "../ciphertext.js";
import type { SwitchingKey } from "../keys.js";
import type { Parameters } from "../parameters.js";
import { Plaintext } from "../plaintext.js";
import { FheError } from "../ring/errors.js";

/** Throws unless `value` is a live ciphertext of `params` (of degree <= maxDegree). */
export function checkCiphertext(params: Parameters, value: unknown, operation: string, maxDegree = 2): Ciphertext {
  if (!(value instanceof Ciphertext)) throw new FheError("INVALID_ARGUMENT", operation, "expected a Ciphertext");
  if (value.params !== params) throw new FheError("MISMATCHED_OPERANDS", operation, "the ciphertext uses different parameters");
  for (const poly of value.polys) poly.assertLive(operation);
  if (value.degree > maxDegree) {
    throw new FheError("INVALID_ARGUMENT", operation, `the ciphertext has degree ${value.degree}; relinearize it first`);
  }
  return value;
}

/** Throws unless `value` is a live plaintext of `params`. */
export function checkPlaintext(params: Parameters, value: unknown, operation: string): Plaintext {
  if (!(value instanceof Plaintext)) throw new FheError("INVALID_ARGUMENT", operation, "expected a Plaintext");
  if (value.params !== params) throw new FheError("MISMATCHED_OPERANDS", operation, "the plaintext uses different parameters");
  value.poly.assertLive(operation);
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

/** Throws the DISPOSED error naming `operation` when any part of a switching key was disposed. */
export function checkKeyLive(key: SwitchingKey, operation: string): void {
  for (const { a, b } of key.digits) {
    a.assertLive(operation);
    b.assertLive(operation);
  }
}
