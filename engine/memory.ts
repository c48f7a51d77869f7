// Memory scopes for library objects, with TensorFlow.js's names and semantics: tidy(fn) frees
// what fn created except what it returns, keep(x) exempts an object, dispose(container) frees
// the objects in nested containers, memory() reports what is live.
//
// Forgotten objects are reclaimed by FinalizationRegistry callbacks, which run only between
// event-loop tasks: never during synchronous code, nor in a loop that awaits already-resolved
// promises. Finalizers cannot be forced, so scopes give a deterministic alternative.

import {
  census, forgetObject, kindOf, membersOf, registerObject,
  type LibraryObject, type LibraryObjectKind, type LibraryObjects,
} from "./live-objects.js";
import { checkOptions, describe, FheError } from "./ring/errors.js";
import { defaultHeap, WasmHeap } from "./ring/wasm/heap.js";

export { setMemoryWarning, type LibraryObject, type LibraryObjectKind, type MemoryWarningOptions } from "./live-objects.js";

/** Objects created while a tidy call runs, held strongly until it ends. */
interface Scope {
  readonly objects: Set<LibraryObject>;
}

const scopes: Scope[] = [];
const kept = new WeakSet<LibraryObject>();

/**
 * @internal Called as the first statement of every library object's constructor: counts the
 * object (weakly) and, inside tidy, adds it to the innermost scope.
 */
export function trackObject<K extends LibraryObjectKind>(object: LibraryObjects[K], kind: K): void {
  registerObject(object, kind);
  scopes[scopes.length - 1]?.objects.add(object);
}

/**
 * Runs `fn` and disposes every ciphertext, plaintext and key created while it ran, except
 * those reachable from its return value (the value itself, or inside arrays, plain objects,
 * Maps and Sets, nested to any depth; a GaloisKeys keeps its switching keys) and those passed
 * to {@link keep}. Returned objects belong to the enclosing tidy, if any. Objects created
 * before the call are never disposed, even when `fn` updates them in place.
 *
 * If `fn` throws, the objects it created are disposed and the error propagates.
 *
 * `fn` must be synchronous: a Promise (or any thenable) as result throws an FheError. Browsers
 * offer no portable way to follow an asynchronous context across `await` (Node's
 * AsyncLocalStorage has no browser equivalent), so objects created after an `await` could not
 * be attributed to the scope; therefore there is no async variant. Call tidy inside each
 * synchronous step (`const y = tidy(() => ...); await ...;`), or dispose objects explicitly.
 *
 * Class instances other than library objects (an Evaluator, a KeyGenerator...) are not
 * searched: create them outside tidy, or keep() the keys they are given.
 */
export function tidy<T>(fn: () => T): T;
/** The same, with a name that error messages mention. */
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const [name, fn] = typeof nameOrFn === "string" ? [nameOrFn, maybeFn] : [undefined, nameOrFn];
  const operation = name === undefined ? "run tidy" : `run tidy "${name}"`;
  if (typeof fn !== "function") {
    throw new FheError("INVALID_ARGUMENT", operation, `expected tidy(fn) or tidy(name, fn) with a function fn, got ${describe(fn)}`);
  }
  const scope: Scope = { objects: new Set() };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    closeScope(scope, undefined);
    throw error;
  }
  if (isThenable(result)) {
    closeScope(scope, undefined);
    // The abandoned promise may reject (its objects are disposed): that must not become a
    // second, unhandled error after the one thrown here.
    Promise.resolve(result).catch(() => undefined);
    throw new FheError("INVALID_ARGUMENT", operation,
      "fn returned a Promise, but tidy is synchronous: browsers have no portable way to follow an asynchronous " +
      "context across await, so objects created after an await could not be attributed to this scope (and no " +
      "async variant is offered). Call tidy inside each synchronous step (const y = tidy(() => ...); await ...), " +
      "or call dispose() on what you no longer need; objects created before the first await were disposed");
  }
  closeScope(scope, result);
  return result;
}

/** Ends the innermost scope: disposes its objects but those reachable from `result` or kept. */
function closeScope(scope: Scope, result: unknown): void {
  scopes.pop();
  const returned = collectObjects(result);
  const parent = scopes[scopes.length - 1];
  for (const object of scope.objects) {
    if (kept.has(object)) continue;
    if (returned.has(object)) parent?.objects.add(object);
    else release(object);
  }
}

/**
 * Exempts a library object (a GaloisKeys with its switching keys) from disposal by any
 * enclosing tidy; it is then freed by dispose() or after garbage collection. Returns it.
 */
export function keep<T extends LibraryObject>(object: T): T {
  if (kindOf(object) === undefined) {
    throw new FheError("INVALID_ARGUMENT", "keep object", `expected a ciphertext, plaintext or key, got ${describe(object)}`);
  }
  for (const member of collectObjects(object)) kept.add(member);
  return object;
}

/**
 * Disposes every library object in `container`: a library object itself, or one inside
 * arrays, plain objects, Maps (keys and values) and Sets, nested to any depth (cycles are
 * fine). Other values are ignored. Idempotent.
 */
export function dispose(container: unknown): void {
  for (const object of collectObjects(container)) release(object);
}

/** Disposes an object now (a GaloisKeys owns no memory but its switching keys', released as members). */
function release(object: LibraryObject): void {
  forgetObject(object);
  if (kindOf(object) !== "galoisKeys") object.dispose();
}

/** The library objects reachable from `value` through library objects and plain containers. */
function collectObjects(value: unknown): Set<LibraryObject> {
  const found = new Set<LibraryObject>();
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== "object" || item === null || seen.has(item)) continue;
    seen.add(item);
    if (kindOf(item) !== undefined) {
      found.add(item as LibraryObject);
      pending.push(...membersOf(item as LibraryObject));
    } else if (Array.isArray(item) || item instanceof Set) {
      pending.push(...item);
    } else if (item instanceof Map) {
      for (const [key, entry] of item) pending.push(key, entry);
    } else if (isPlainObject(item)) {
      pending.push(...Object.values(item));
    }
  }
  return found;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** What memory() reports. */
export interface MemoryInfo {
  /**
   * Library objects (ciphertexts, plaintexts, keys) created and not yet disposed nor
   * garbage-collected, on every heap. A forgotten object counts until its finalizer ran:
   * its memory is held until then. A GaloisKeys counts once and each of its switching keys once.
   */
  readonly numObjects: number;
  /** numObjects by kind. */
  readonly objects: Readonly<Record<LibraryObjectKind, number>>;
  /** Distinct undisposed polynomials those objects hold (polynomials allocated directly on a Ring are not counted). */
  readonly numPolynomials: number;
  /**
   * Bytes handed out by the heap (WasmHeap.bytesInUse): the polynomials of every object,
   * live or forgotten, plus the heap's own tables (NTT twiddles, base converters) and the
   * polynomials allocated directly on a Ring; block sizes are rounded up to 64 bytes.
   */
  readonly numBytes: number;
  /** Blocks handed out by the heap (WasmHeap.blocksInUse), polynomials and tables. */
  readonly numBlocks: number;
  /**
   * Size of the heap's WebAssembly memory (WasmHeap.bytesReserved): it grows on demand up
   * to 4 GiB and never shrinks; freed blocks are reused.
   */
  readonly numBytesReserved: number;
}

/**
 * Statistics on library objects and heap memory. The byte and block figures are those of
 * `options.heap` (default: the process-wide heap, which Parameters use unless created with
 * their own). Cost: linear in the number of objects not yet known disposed or collected.
 */
export function memory(options: { readonly heap?: WasmHeap } = {}): MemoryInfo {
  checkOptions(options, "read memory statistics");
  const heap = options?.heap ?? defaultHeap();
  if (!(heap instanceof WasmHeap)) {
    throw new FheError("INVALID_ARGUMENT", "read memory statistics", `heap must be a WasmHeap, got ${describe(heap)}`);
  }
  const { byKind, total, polynomials } = census();
  return {
    numObjects: total,
    objects: byKind,
    numPolynomials: polynomials,
    numBytes: heap.bytesInUse,
    numBlocks: heap.blocksInUse,
    numBytesReserved: heap.bytesReserved,
  };
}
