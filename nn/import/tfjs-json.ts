// Shared by the TensorFlow.js importer's parsers: its errors, and reads of untrusted JSON that
// never throw a TypeError (own properties only, arrays copied densely so holes are seen).

import { FheError, describe } from "../../engine/ring/errors.js";

/** The operation every importer error names: "cannot import TensorFlow.js model: …". */
export const importOperation = "import TensorFlow.js model";

/** CORRUPT_DATA: the model JSON or the weight bytes are malformed or inconsistent. */
export function corruptModel(reason: string): FheError {
  return new FheError("CORRUPT_DATA", importOperation, reason);
}

/** INVALID_ARGUMENT: a well-formed model (or argument) that cannot be imported as it is. */
export function unsupportedModel(reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", importOperation, reason);
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** True for an object that is neither null nor an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Arrays longer than this are refused unread: no field of a model needs more elements. */
const maxArrayLength = 2 ** 24;

/**
 * A dense copy of `value` when it is an array of at most 2^24 elements (holes of a sparse
 * array read as undefined, so element checks see them), else undefined.
 */
export function denseArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length <= maxArrayLength ? Array.from(value as unknown[]) : undefined;
}

/** `object[key]` when it is an own property, else undefined (never an inherited member). */
export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export { formatShape } from "../layers/layer.js";

/** The message part for the first key of `object` outside `known`, if there is one. */
export function unknownField(object: JsonObject, known: readonly string[]): string | undefined {
  const extra = Object.keys(object).find((key) => !known.includes(key));
  return extra === undefined ? undefined : `has an unknown field ${describe(extra)} (known fields: ${known.join(", ")})`;
}

/** Throws CORRUPT_DATA naming the first key of `object` outside `known`. */
export function checkKeys(object: JsonObject, known: readonly string[], where: string): void {
  const unknown = unknownField(object, known);
  if (unknown !== undefined) throw corruptModel(`${where} ${unknown}`);
}

/** A string, or undefined for an absent or null field; anything else is CORRUPT_DATA. */
export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw corruptModel(`${what} must be a string, got ${describe(value)}`);
  return value;
}
