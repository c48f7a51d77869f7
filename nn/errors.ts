// Error helpers of the nn layer: every refusal is an FheError naming the operation.

import { describe, FheError } from "../engine/ring/errors.js";

/** Throws INVALID_ARGUMENT with `reason` unless `condition` holds. */
export function requireModel(condition: boolean, operation: string, reason: string): asserts condition {
  if (!condition) throw new FheError("INVALID_ARGUMENT", operation, reason);
}

/** A positive safe integer, else INVALID_ARGUMENT naming `what`. */
export function positiveInteger(value: unknown, operation: string, what: string): number {
  requireModel(Number.isSafeInteger(value) && (value as number) > 0, operation, `${what} must be a positive integer, got ${describe(value)}`);
  return value as number;
}

/** An array of `length` finite numbers copied into a Float64Array, else INVALID_ARGUMENT naming `what`. */
export function finiteArray(value: unknown, length: number, operation: string, what: string): Float64Array {
  const ok = (Array.isArray(value) || ArrayBuffer.isView(value)) && (value as ArrayLike<unknown>).length === length;
  requireModel(ok, operation, `${what} must be an array of ${length} numbers, got ${describe(value)}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = (value as ArrayLike<unknown>)[i];
    if (typeof v !== "number" || !Number.isFinite(v)) requireModel(false, operation, `${what}[${i}] is ${describe(v)}: weights must be finite numbers`);
    out[i] = v;
  }
  return out;
}
