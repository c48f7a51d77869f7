/**
 * Stable machine-readable error codes. Messages name the operation and the reason, e.g.
 * "cannot add: operands use different RNS bases".
 */
export type FheErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_PARAMETERS"
  | "MISMATCHED_OPERANDS"
  | "MISSING_KEY"
  | "DISPOSED"
  | "OUT_OF_MEMORY"
  | "CORRUPT_DATA"
  | "WASM_UNAVAILABLE"
  | "WORKER_FAILED";

/** The one error class of this library: `code` is stable, `message` names the operation. */
export class FheError extends Error {
  override readonly name = "FheError";

  constructor(
    readonly code: FheErrorCode,
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`cannot ${operation}: ${reason}`);
  }
}

/** Throws an INVALID_ARGUMENT error unless `condition` holds. */
export function requireArgument(condition: boolean, operation: string, reason: string): asserts condition {
  if (!condition) throw new FheError("INVALID_ARGUMENT", operation, reason);
}

/** True for a safe integer (a JS number with no fractional part, |x| < 2^53). */
export function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** True for a power of two between 2 and 2^30. */
export function isPowerOfTwo(value: unknown): value is number {
  return isInteger(value) && value >= 2 && value <= 2 ** 30 && (value & (value - 1)) === 0;
}

/** A short, never-throwing description of any value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "undefined") return `${value}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
}

/** Throws unless `options` is undefined or a plain object. */
export function checkOptions(options: unknown, operation: string): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new FheError("INVALID_ARGUMENT", operation, `options must be an object, got ${describe(options)}`);
  }
}
