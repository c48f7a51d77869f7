// The process-wide census of library objects (ciphertexts, plaintexts, keys): every constructor
// registers its object here, weakly, so that memory() can count what is still live and a
// warning can fire once when too many objects are left undisposed. Scopes are in memory.ts.

import type { Ciphertext } from "./ciphertext.js";
import type { GaloisKeys, PublicKey, SecretKey, SwitchingKey } from "./keys.js";
import type { Plaintext } from "./plaintext.js";
import { checkOptions, describe, FheError, isInteger } from "./ring/errors.js";
import { RnsPoly } from "./ring/poly.js";

/** The classes whose objects own WebAssembly memory, by kind. */
export interface LibraryObjects {
  ciphertext: Ciphertext;
  plaintext: Plaintext;
  secretKey: SecretKey;
  publicKey: PublicKey;
  switchingKey: SwitchingKey;
  galoisKeys: GaloisKeys;
}

export type LibraryObjectKind = keyof LibraryObjects;
export type LibraryObject = LibraryObjects[LibraryObjectKind];

/** Every kind, in the order memory() reports them. */
export const libraryObjectKinds: readonly LibraryObjectKind[] = [
  "ciphertext", "plaintext", "secretKey", "publicKey", "switchingKey", "galoisKeys",
];

/**
 * What an object holds where polynomials belong, read through its public fields when asked
 * (in-place operations replace a ciphertext's polynomials). A GaloisKeys sets its map after
 * registering (in its constructor body), hence the guard.
 */
const partsOf: { readonly [K in LibraryObjectKind]: (object: LibraryObjects[K]) => readonly unknown[] } = {
  ciphertext: (ct) => ct.polys,
  plaintext: (pt) => [pt.poly],
  secretKey: (sk) => [sk.poly],
  publicKey: (pk) => [pk.b, pk.a],
  switchingKey: (key) => key.digits.flatMap(({ b, a }) => [b, a]),
  galoisKeys: (keys) => [...(keys.keys?.values() ?? [])].flatMap((key) => partsOf.switchingKey(key)),
};

/**
 * The polynomials an object holds. Objects built by hand may hold other values where
 * polynomials belong (every entry refuses them): those are skipped, so the census never throws.
 */
function polynomials(object: LibraryObject, kind: LibraryObjectKind): readonly RnsPoly[] {
  const parts = (partsOf[kind] as (object: LibraryObject) => readonly unknown[])(object);
  return parts.filter((part): part is RnsPoly => part instanceof RnsPoly);
}

interface Entry {
  readonly ref: WeakRef<LibraryObject>;
  readonly kind: LibraryObjectKind;
}

/** Entries of registered objects neither known disposed nor reported collected. */
const entries = new Set<Entry>();
/** Kind and entry of every registered object (weak: it never keeps an object alive). */
const entryOf = new WeakMap<object, Entry>();
const collected = new FinalizationRegistry<Entry>((entry) => entries.delete(entry));

/** The kind of a library object, undefined for any other value. */
export function kindOf(value: unknown): LibraryObjectKind | undefined {
  return typeof value === "object" && value !== null ? entryOf.get(value)?.kind : undefined;
}

/** The library objects an object contains (a GaloisKeys its switching keys), itself excluded. */
export function membersOf(object: LibraryObject): readonly LibraryObject[] {
  return kindOf(object) === "galoisKeys" ? [...((object as GaloisKeys).keys?.values() ?? [])] : [];
}

/**
 * True once the object's memory is gone: it holds polynomials and all were disposed. A
 * GaloisKeys is disposed when all its switching keys are.
 */
function isDisposed(object: LibraryObject, kind: LibraryObjectKind): boolean {
  const polys = polynomials(object, kind);
  return polys.length > 0 && polys.every((poly) => poly.disposed);
}

/** Registers a new object (called first thing in its constructor, before its fields are set). */
export function registerObject(object: LibraryObject, kind: LibraryObjectKind): void {
  checkWarning();
  const entry: Entry = { ref: new WeakRef(object), kind };
  entryOf.set(object, entry);
  entries.add(entry);
  collected.register(object, entry, entry);
}

/** Removes a disposed object from the census at once (rather than at the next census). */
export function forgetObject(object: LibraryObject): void {
  const entry = entryOf.get(object);
  if (entry !== undefined && entries.delete(entry)) collected.unregister(entry);
}

/** Live objects by kind and the distinct polynomials they hold. */
export interface Census {
  readonly byKind: Record<LibraryObjectKind, number>;
  readonly total: number;
  readonly polynomials: number;
}

/**
 * Counts live objects, dropping the entries of objects found disposed or collected. Cost:
 * linear in the entries; reading an object through its WeakRef keeps it alive until the
 * current synchronous job ends (as creating the WeakRef already did), never longer.
 */
export function census(): Census {
  const byKind = Object.fromEntries(libraryObjectKinds.map((kind) => [kind, 0])) as Record<LibraryObjectKind, number>;
  const held = new Set<RnsPoly>();
  let total = 0;
  for (const entry of entries) {
    const object = entry.ref.deref();
    if (object === undefined || isDisposed(object, entry.kind)) {
      entries.delete(entry);
      collected.unregister(entry);
      continue;
    }
    byKind[entry.kind]++;
    total++;
    for (const poly of polynomials(object, entry.kind)) {
      if (!poly.disposed) held.add(poly);
    }
  }
  return { byKind, total, polynomials: held.size };
}

// ------------------------------------------------------------------ the warning

/** Settings of the one-time warning about undisposed objects. */
export interface MemoryWarningOptions {
  /**
   * Warn when an object is created while this many are live (a positive integer, or Infinity
   * for never). Default 1000: at the smallest secure ring (N = 2^12) a thousand ciphertexts
   * hold ~100 MiB, at N = 2^14 (depth 12) ~1.7 GiB of the 4 GiB heap, while a program that
   * disposes what it no longer needs rarely keeps more than a few hundred objects (keys
   * included: the default Galois keys are 28 objects at N = 2^14).
   */
  readonly threshold?: number;
  /** Receives the message (default console.warn). */
  readonly warn?: (message: string) => void;
}

const defaultWarningThreshold = 1000;

let threshold = defaultWarningThreshold;
let warn: (message: string) => void = (message) => console.warn(message);
let warned = false;
/** The number of entries at which the next census runs (amortised: see checkWarning). */
let nextCensus = defaultWarningThreshold;

/**
 * Changes the warning about undisposed objects and re-arms it (it fires at most once per
 * setting). Omitted fields keep their value. Returns the previous settings, to restore them.
 */
export function setMemoryWarning(options: MemoryWarningOptions): Required<MemoryWarningOptions> {
  const operation = "set memory warning";
  checkOptions(options, operation);
  if (options === undefined) throw new FheError("INVALID_ARGUMENT", operation, "expected an options object");
  const next = options.threshold ?? threshold;
  if (!(next === Infinity || (isInteger(next) && next >= 1))) {
    throw new FheError("INVALID_ARGUMENT", operation, `threshold must be a positive integer or Infinity, got ${describe(next)}`);
  }
  if (options.warn !== undefined && typeof options.warn !== "function") {
    throw new FheError("INVALID_ARGUMENT", operation, `warn must be a function, got ${describe(options.warn)}`);
  }
  const previous = { threshold, warn };
  threshold = next;
  warn = options.warn ?? warn;
  warned = false;
  nextCensus = Math.min(nextCensus, threshold);
  return previous;
}

/**
 * Runs before each registration. A census is taken when the entries reach `nextCensus`, the
 * next one after max(threshold - live, live / 8) more registrations: a census costs at most
 * ~9 entry checks per registration, and the warning comes exactly at the threshold, or at
 * most threshold / 8 objects late when more than 8/9 of it were live at the previous census.
 */
function checkWarning(): void {
  if (warned || entries.size < nextCensus) return;
  const live = census().total;
  if (live >= threshold) {
    warned = true;
    warn(
      `wasm-ckks: ${live + 1} ciphertexts, plaintexts and keys are live (not disposed). A forgotten object frees its ` +
      "WebAssembly memory only after garbage collection, which never happens during synchronous code or a loop that " +
      "awaits already-resolved promises. Wrap each step in tidy(() => ...) or call dispose() on what you no longer " +
      `need. This warning is shown once; setMemoryWarning({ threshold }) changes the limit (now ${threshold}).`,
    );
    return;
  }
  nextCensus = live + Math.max(threshold - live, Math.ceil(live / 8), 1);
}
