// Galois keys kept outside the WebAssembly heap. At N = 2^16 one key over ~60 limbs is
// 100-180 MiB in memory and bootstrapping needs ~50 of them: several GiB, more than a wasm32
// heap can hold. These keys live in JS memory (ArrayBuffers) and are copied into the heap only
// for the few key switches that use them, then freed again.

import { KeyGenerator } from "./key-generator.js";
import { loadSwitchingKey, serializeSwitchingKey } from "./serialization/serialize.js";
import { GaloisKeys, SwitchingKey } from "./keys.js";
import { checkParameters, type Parameters } from "./parameters.js";
import { elementsByRotation } from "./evaluator/rotation-plan.js";
import { conjugationGaloisElement, rotationGaloisElement } from "./ring/automorphism.js";
import { checkOptions, describe, FheError, isInteger } from "./ring/errors.js";
import { OffHeapPoly } from "./ring/off-heap.js";
import type { RnsPoly } from "./ring/poly.js";
import type { RotationKeySource } from "./circuits/rotation-keys.js";

interface StoredKey {
  readonly seed: Uint8Array;
  readonly digits: readonly { readonly b: OffHeapPoly; readonly a: OffHeapPoly }[];
}

/** The Galois elements of full-slot rotations by `steps` (and the conjugation unless `conjugate` is false). */
function requestedElements(keygen: unknown, steps: unknown, conjugate: unknown, operation: string): number[] {
  if (!(keygen instanceof KeyGenerator)) throw new FheError("INVALID_ARGUMENT", operation, `expected a KeyGenerator, got ${describe(keygen)}`);
  if (!Array.isArray(steps) || steps.some((s) => !isInteger(s))) throw new FheError("INVALID_ARGUMENT", operation, "steps must be an array of integers");
  if (conjugate !== undefined && typeof conjugate !== "boolean") throw new FheError("INVALID_ARGUMENT", operation, `conjugate must be a boolean, got ${describe(conjugate)}`);
  const { n, maxSlots } = keygen.params;
  // Full-slot rotations: step s and s + N/2 share a Galois element.
  const elements = new Set((steps as number[]).map((s) => rotationGaloisElement(n, ((s % maxSlots) + maxSlots) % maxSlots)).filter((k) => k !== 1));
  if (conjugate !== false) elements.add(conjugationGaloisElement(n));
  return [...elements];
}

/** Copies a Galois key out of the heap into `keys` and disposes it (in every case). */
function storeKey(keys: Map<number, StoredKey>, key: SwitchingKey, operation: string): void {
  try {
    if (key.galoisElement === 0) throw new FheError("INVALID_ARGUMENT", operation, "a relinearization key is not a Galois key");
    if (keys.has(key.galoisElement)) throw new FheError("INVALID_ARGUMENT", operation, `two keys for Galois element ${key.galoisElement}`);
    keys.set(key.galoisElement, { seed: key.seed, digits: key.digits.map(({ b, a }) => ({ b: OffHeapPoly.of(b), a: OffHeapPoly.of(a) })) });
  } finally {
    key.dispose();
  }
}

/**
 * Galois keys by Galois element outside the heap. {@link generate} creates them one at a
 * time (one key in the heap at once); {@link load} copies a subset into the heap as ordinary
 * GaloisKeys, which the caller disposes after use. Immutable once built.
 */
export class OffHeapGaloisKeys {
  readonly #keys: ReadonlyMap<number, StoredKey>;

  private constructor(readonly params: Parameters, keys: Map<number, StoredKey>) {
    this.#keys = keys;
    Object.freeze(this);
  }

  /**
   * Keys for the rotation `steps` (and the conjugation unless `conjugate: false`) under
   * keygen's secret key, generated and moved out of the heap one at a time. `onKey(done, total)`
   * reports progress.
   */
  static generate(
    keygen: KeyGenerator, steps: readonly number[], options: { readonly conjugate?: boolean; readonly onKey?: (done: number, total: number) => void } = {},
  ): OffHeapGaloisKeys {
    const operation = "create off-heap Galois keys";
    checkOptions(options, operation);
    const onKey: unknown = options?.onKey;
    if (onKey !== undefined && typeof onKey !== "function") throw new FheError("INVALID_ARGUMENT", operation, `onKey must be a function, got ${describe(onKey)}`);
    const elements = requestedElements(keygen, steps, options?.conjugate, operation);
    const keys = new Map<number, StoredKey>();
    let done = 0;
    for (const element of elements) {
      storeKey(keys, keygen.galoisKey(element), operation);
      options?.onKey?.(++done, elements.length);
    }
    return new OffHeapGaloisKeys(keygen.params, keys);
  }

  /**
   * The same keys as {@link generate}, serialized one at a time (serializeSwitchingKey: seeded,
   * half size unless `seeded: false`) without ever holding more than one in the heap: what a
   * client sends to the server, which rebuilds them with {@link fromSerialized}.
   */
  static serializeEach(
    keygen: KeyGenerator, steps: readonly number[], options: { readonly conjugate?: boolean; readonly seeded?: boolean } = {},
  ): Uint8Array[] {
    const elements = requestedElements(keygen, steps, options?.conjugate, "serialize off-heap Galois keys");
    return elements.map((element) => {
      using key = keygen.galoisKey(element);
      return serializeSwitchingKey(key, options?.seeded === false ? { seeded: false } : {});
    });
  }

  /**
   * Galois keys from serialized switching keys (serializeEach, or serializeSwitchingKey of
   * Galois keys), each loaded into the heap, copied out and freed in turn. Throws as
   * loadSwitchingKey does for corrupted bytes, and INVALID_ARGUMENT for a relinearization key
   * or two keys of one Galois element.
   */
  static fromSerialized(params: Parameters, chunks: Iterable<Uint8Array>): OffHeapGaloisKeys {
    const operation = "load off-heap Galois keys";
    checkParameters(params, operation);
    if (chunks === null || typeof chunks !== "object" || typeof (chunks as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
      throw new FheError("INVALID_ARGUMENT", operation, `expected an iterable of serialized switching keys, got ${describe(chunks)}`);
    }
    const keys = new Map<number, StoredKey>();
    for (const chunk of chunks) storeKey(keys, loadSwitchingKey(params, chunk), operation);
    return new OffHeapGaloisKeys(params, keys);
  }

  /** The Galois elements held, in generation order. */
  get elements(): number[] {
    return [...this.#keys.keys()];
  }

  /** Bytes held outside the heap. */
  get bytes(): number {
    let total = 0;
    for (const key of this.#keys.values()) for (const { a, b } of key.digits) total += a.bytes + b.bytes;
    return total;
  }

  /** Whether the key of Galois element `element` is held. */
  has(element: number): boolean {
    return this.#keys.has(element);
  }

  /**
   * A key source for rotations by `steps` of `slots`-slot ciphertexts that copies each key into
   * the heap when it is asked for and frees the previous one: one key in the heap at a time
   * (circuits use each key in one go). MISSING_KEY (naming the steps) when some are not held.
   */
  streamed(steps: readonly number[], slots: number, operation: string): RotationKeySource {
    // Any held key rotating `slots` slots by the step will do (s and s + slots are the same rotation there).
    const byRotation = elementsByRotation(this.params.n, this.#keys.keys(), slots);
    const residue = (step: number): number => ((step % slots) + slots) % slots;
    const element = (step: number): number => byRotation.get(residue(step))!;
    const missing = steps.filter((s) => residue(s) !== 0 && !byRotation.has(residue(s)));
    if (missing.length > 0) {
      throw new FheError("MISSING_KEY", operation, `the off-heap keys hold no key for rotation step${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; generate them with OffHeapGaloisKeys.generate(keygen, [${missing.join(", ")}])`);
    }
    let current: { element: number; keys: GaloisKeys } | undefined;
    const release = (): void => {
      current?.keys.dispose();
      current = undefined;
    };
    return {
      get: (step) => {
        const k = element(step);
        if (current?.element !== k) {
          release();
          current = { element: k, keys: this.load([k], operation) };
        }
        return { element: k, key: current.keys.get(k)! };
      },
      release,
    };
  }

  /**
   * New heap GaloisKeys for `elements` (each held: MISSING_KEY otherwise, naming them). The
   * caller owns the result and disposes it as soon as the key switches are done.
   */
  load(elements: Iterable<number>, operation: string): GaloisKeys {
    checkParameters(this.params, operation);
    const wanted = [...new Set(elements)];
    const missing = wanted.filter((k) => !this.#keys.has(k));
    if (missing.length > 0) {
      throw new FheError("MISSING_KEY", operation, `the off-heap keys hold no key for Galois element${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; generate them with OffHeapGaloisKeys.generate`);
    }
    const loaded: SwitchingKey[] = [];
    try {
      for (const element of wanted) {
        const stored = this.#keys.get(element)!;
        const digits: { b: RnsPoly; a: RnsPoly }[] = [];
        try {
          for (const { b, a } of stored.digits) {
            const restoredB = b.restore();
            try {
              digits.push({ b: restoredB, a: a.restore() });
            } catch (error) {
              restoredB.dispose();
              throw error;
            }
          }
        } catch (error) {
          for (const digit of digits) {
            digit.b.dispose();
            digit.a.dispose();
          }
          throw error;
        }
        loaded.push(new SwitchingKey(this.params, digits, stored.seed, element));
      }
      return new GaloisKeys(this.params, loaded);
    } catch (error) {
      for (const key of loaded) key.dispose();
      throw error;
    }
  }
}
