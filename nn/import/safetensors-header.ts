// The header of a safetensors file, validated: an 8-byte little-endian length N, then N bytes
// of UTF-8 JSON { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }.
// Offsets count from the first byte after the header; the tensors must tile the data section
// exactly (no gap, no overlap, nothing after the last tensor), as the reference reader demands.

import { describe, FheError, isInteger } from "../../engine/ring/errors.js";
import { findDuplicateKey } from "./json-duplicates.js";
import { dtypeCodecs, isSupportedDtype, maxHeaderBytes, metadataKey, supportedDtypes, type SafetensorsDtype } from "./safetensors-dtypes.js";
import { denseArray, formatShape, isJsonObject, ownField } from "./tfjs-json.js";

export const readOperation = "read safetensors";

/** CORRUPT_DATA: the bytes are not a well-formed safetensors file. */
export function corruptFile(reason: string): FheError {
  return new FheError("CORRUPT_DATA", readOperation, reason);
}

/** One tensor of the header; `begin` and `end` are absolute byte offsets in the file. */
export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly begin: number;
  readonly end: number;
}

export interface Header {
  /** The tensors in data order (by offset). */
  readonly entries: readonly HeaderEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

const entryKeys = ["dtype", "shape", "data_offsets"];

/** Parses and validates the header of `bytes`, a whole safetensors file. */
export function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < 8) {
    throw corruptFile(`the file holds ${bytes.length} bytes, fewer than the 8-byte header length: it is truncated or not a safetensors file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (length > maxHeaderBytes) {
    throw corruptFile(`the header length ${length} exceeds the ${maxHeaderBytes}-byte limit: the file is damaged or not a safetensors file`);
  }
  if (8 + length > bytes.length) {
    throw corruptFile(`the header length ${length} reaches beyond the ${bytes.length}-byte file: the file is truncated`);
  }
  const json = parseJson(bytes.subarray(8, 8 + length));
  const dataStart = 8 + length;
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === metadataKey) metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value, dataStart, bytes.length - dataStart));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkTiling(entries, dataStart, bytes.length);
  return { entries, metadata };
}

function parseJson(header: Uint8Array): Readonly<Record<string, unknown>> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(header);
  } catch {
    throw corruptFile("the header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corruptFile(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isJsonObject(json)) throw corruptFile(`the header must be a JSON object, got ${describe(json)}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw corruptFile(`the header names ${describe(duplicate)} twice in one object`);
  return json;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw corruptFile(`${metadataKey} must be an object of strings, got ${describe(value)}`);
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, dataStart: number, dataLength: number): HeaderEntry {
  const label = `tensor ${describe(name)}`;
  if (!isJsonObject(value)) throw corruptFile(`${label} must be an object {dtype, shape, data_offsets}, got ${describe(value)}`);
  const extra = Object.keys(value).find((key) => !entryKeys.includes(key));
  if (extra !== undefined) throw corruptFile(`${label} has an unknown field ${describe(extra)} (known fields: ${entryKeys.join(", ")})`);
  const missing = entryKeys.find((key) => !Object.hasOwn(value, key));
  if (missing !== undefined) throw corruptFile(`${label} has no ${missing} field`);
  const dtype = ownField(value, "dtype");
  if (typeof dtype !== "string") throw corruptFile(`${label} has dtype ${describe(dtype)}, expected a string such as "F32"`);
  if (!isSupportedDtype(dtype)) {
    throw new FheError("INVALID_ARGUMENT", readOperation,
      `${label} has dtype ${dtype}: only ${supportedDtypes.join(", ")} tensors can be read; convert it to floating point before saving`);
  }
  const shape = denseArray(ownField(value, "shape"));
  if (shape === undefined || !shape.every((d) => isInteger(d) && d >= 0)) {
    throw corruptFile(`${label} has shape ${describe(ownField(value, "shape"))}, expected an array of non-negative integers`);
  }
  const dims = shape as number[];
  const offsets = denseArray(ownField(value, "data_offsets"));
  if (offsets === undefined || offsets.length !== 2 || !offsets.every((o) => isInteger(o) && o >= 0)) {
    throw corruptFile(`${label} has data_offsets ${describe(ownField(value, "data_offsets"))}, expected [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw corruptFile(`${label} has data_offsets [${begin}, ${end}], outside the ${dataLength}-byte data section (begin <= end <= ${dataLength} needed)`);
  }
  // A product beyond 2^53 is inexact but certainly larger than any file, so the check below still fails.
  const elements = dims.reduce((product, d) => product * d, 1);
  const bytes = elements * dtypeCodecs[dtype].size;
  if (bytes !== end - begin) {
    throw corruptFile(`${label} has shape ${formatShape(dims)} of ${dtype} (${bytes} bytes) but data_offsets [${begin}, ${end}] hold ${end - begin} bytes`);
  }
  return { name, dtype, shape: dims, elements, begin: dataStart + begin, end: dataStart + end };
}

/** The entries (sorted by offset) must cover [dataStart, fileLength) exactly once. */
function checkTiling(entries: readonly HeaderEntry[], dataStart: number, fileLength: number): void {
  let covered = dataStart;
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    if (entry.begin < covered) {
      throw corruptFile(`tensors ${describe(previous!.name)} and ${describe(entry.name)} overlap in the data section`);
    }
    if (entry.begin > covered) {
      throw corruptFile(`data bytes [${covered - dataStart}, ${entry.begin - dataStart}) belong to no tensor (before ${describe(entry.name)})`);
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== fileLength) {
    throw corruptFile(`the data section holds ${fileLength - dataStart} bytes but the tensors cover only ${covered - dataStart}: bytes after the last tensor`);
  }
}
