// Machinery of the hostile-user suites (test/engine/hostile-user*.test.ts): what a tampered
// object is supposed to mean, guarded calls that accept only the library's error, bystanders
// whose exact decryption and bytes must never change, and CRC-fixed byte flips.

import fc from "fast-check";
import { expect } from "vitest";
import {
  type Ciphertext, FheError, type Parameters, type Plaintext, serializeCiphertext, serializePlaintext,
} from "../../engine/index.js";
import { crc32 } from "../../engine/serialization/crc32.js";
import { type CkksContext, errorFloor, type Vec } from "./ckks.js";

/**
 * What a (possibly tampered) operand means: the slot values it encrypts or encodes, as its own
 * metadata reads them (`slots` entries); "invalid" when its metadata contradicts its
 * polynomials, so every call that reads it must throw FheError; "unknown" when it is
 * consistent but its value cannot be predicted (a forged mix of polynomials, corrupted
 * residues): any result or FheError is acceptable, never a crash.
 */
export type Meaning = Vec | "invalid" | "unknown";

/** An operand after an attack, with what it means. */
export interface Subject<T> {
  readonly value: T;
  readonly meaning: Meaning;
}

/** A guarded call's outcome: its value, or the FheError it threw. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FheError };

/**
 * Runs f and returns its value or the FheError it threw; any other exception (TypeError,
 * RangeError, a WebAssembly trap) fails the test with `label`.
 */
export function attempt<T>(label: string, f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    if (error instanceof FheError) {
      expect(error.message.startsWith("cannot "), `${label}: message "${error.message}"`).toBe(true);
      return { ok: false, error };
    }
    return expect.fail(`${label}: threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)} instead of an FheError`);
  }
}

/**
 * Runs a write a user should not be able to make (a read-only field, a frozen snapshot): it
 * either does nothing or throws TypeError (JavaScript refusing a write to a frozen or
 * getter-only property in strict mode). Anything else fails the test.
 */
export function refusedWrite(label: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!(error instanceof TypeError)) expect.fail(`${label}: the refused write threw ${String(error)}, not a TypeError`);
  }
}

// ------------------------------------------------------------------ vectors

/** The vector v (of a packing of v.re.length slots) as a packing of `slots` slots reads it: v repeated. */
export function tile(v: Vec, slots: number): Vec {
  const n = v.re.length;
  return { re: Array.from({ length: slots }, (_, i) => v.re[i % n]!), im: Array.from({ length: slots }, (_, i) => v.im[i % n]!) };
}

/** v times the real factor f. */
export function vscale(v: Vec, f: number): Vec {
  return { re: v.re.map((x) => x * f), im: v.im.map((x) => x * f) };
}

/** Largest modulus of the entries of v (at least 1): the magnitude errors are measured against. */
export function magnitude(v: Vec): number {
  let m = 1;
  for (let i = 0; i < v.re.length; i++) m = Math.max(m, Math.hypot(v.re[i]!, v.im[i]!));
  return m;
}

/**
 * Worst-slot precision in bits of `actual` against `expected`, relative to the magnitude of
 * `expected` (at least 1): -log2(max |error| / magnitude), the error floored at 2^-60 as
 * Lattigo does; -Infinity for a length mismatch or a NaN.
 */
export function relativeBits(actual: Vec, expected: Vec): number {
  if (actual.re.length !== expected.re.length) return -Infinity;
  const m = magnitude(expected);
  let worst = errorFloor;
  for (let i = 0; i < expected.re.length; i++) {
    const e = Math.max(Math.abs(actual.re[i]! - expected.re[i]!), Math.abs(actual.im[i]! - expected.im[i]!)) / m;
    if (Number.isNaN(e)) return -Infinity;
    worst = Math.max(worst, e);
  }
  return -Math.log2(worst);
}

// ------------------------------------------------------------------ bystanders

/** Exact identity of a ciphertext: metadata and every residue (full form). */
export function ciphertextBytes(ct: Ciphertext): Buffer {
  return Buffer.from(serializeCiphertext(ct, { seeded: false }));
}

/** Exact identity of a plaintext: metadata and every residue. */
export function plaintextBytes(pt: Plaintext): Buffer {
  return Buffer.from(serializePlaintext(pt));
}

/**
 * A ciphertext encrypted before any attack, under its own context: its residues and its exact
 * decryption are recorded and compared (bit for bit) by {@link Bystander.verify}.
 */
export class Bystander {
  readonly ciphertext: Ciphertext;
  private readonly bytes: Buffer;
  private readonly decryption: Vec;

  constructor(readonly context: CkksContext, values: Vec) {
    this.ciphertext = context.encrypt(values);
    this.bytes = ciphertextBytes(this.ciphertext);
    this.decryption = context.decrypt(this.ciphertext);
  }

  /** Fails with `label` unless the bystander's residues and decryption are exactly as recorded. */
  verify(label: string): void {
    expect(ciphertextBytes(this.ciphertext).equals(this.bytes), `${label}: a bystander ciphertext's residues changed`).toBe(true);
    expect(this.context.decrypt(this.ciphertext), `${label}: a bystander ciphertext's decryption changed`).toEqual(this.decryption);
  }

  dispose(): void {
    this.ciphertext.dispose();
  }
}

// ------------------------------------------------------------------ serialized bytes

/** Offsets in every serialized object (engine/serialization/format.ts): magic, version, kind, flags, fingerprint. */
export const headerBytes = 16;

/** Where a flip lands: the common header, the object's own fields (level, slots, scale...), or its body (residues, seeds). */
export const flipArb = fc.record({
  seeded: fc.boolean(),
  region: fc.constantFrom("header", "fields", "body"),
  position: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  bit: fc.integer({ min: 0, max: 7 }),
});
export type Flip = typeof flipArb extends fc.Arbitrary<infer F> ? F : never;

/**
 * The byte a flip lands on, for an object of `length` bytes whose own fields end at
 * `fieldsEnd`; an empty region (secret and public keys have no fields) means the whole object.
 */
export function flipOffset(flip: Flip, length: number, fieldsEnd: number): number {
  const ranges: Record<Flip["region"], [number, number]> = { header: [0, headerBytes], fields: [headerBytes, fieldsEnd], body: [fieldsEnd, length - 4] };
  const [start, end] = ranges[flip.region];
  return end > start ? start + Math.floor(flip.position * (end - start)) : Math.floor(flip.position * (length - 4));
}

/** A copy of `bytes` with bit `bit` of byte `offset` flipped and the CRC-32 trailer recomputed, so only the loader's own checks can notice. */
export function flipWithValidCrc(bytes: Uint8Array, offset: number, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[offset] = copy[offset]! ^ (1 << bit);
  const body = copy.subarray(0, copy.length - 4);
  new DataView(copy.buffer, copy.byteOffset + copy.length - 4, 4).setUint32(0, crc32(body), true);
  return copy;
}

// ------------------------------------------------------------------ disposal

/** Everything a run created, disposed at its end (dispose is idempotent, aliases included). */
export class Garbage {
  private readonly items: { dispose(): void }[] = [];

  add<T extends { dispose(): void }>(item: T): T {
    this.items.push(item);
    return item;
  }

  /** Adds every element of a returned array (rotateHoisted). */
  addAll<T extends { dispose(): void }>(items: readonly T[]): readonly T[] {
    for (const item of items) this.add(item);
    return items;
  }

  dispose(): void {
    for (const item of this.items.splice(0)) item.dispose();
  }
}

/** log2 of the modulus at `level` (what a scale must stay below). */
export function logModulus(params: Parameters, level: number): number {
  return params.basisQ(level).primes.reduce((sum, q) => sum + Math.log2(q), 0);
}
