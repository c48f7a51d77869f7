import "./ring/dispose-symbols.js";
import { trackObject } from "./memory.js";
import type { Parameters } from "./parameters.js";
import { describe, FheError } from "./ring/errors.js";
import { disposePolys, type RnsPoly } from "./ring/poly.js";
import { checkSeed } from "./ring/xof.js";

/** The secret s: ternary, held in NTT form over Q (top level) and P. Zeroed when disposed. */
export class SecretKey implements Disposable {
  constructor(readonly params: Parameters, readonly poly: RnsPoly) {
    trackObject(this, "secretKey");
    Object.freeze(this);
  }

  /** Zeroes and frees the key's memory now (otherwise after garbage collection); later use throws DISPOSED. */
  dispose(): void {
    disposePolys([this.poly]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * The public key (b, a) = (-a s + e, a) over Q at the top level, NTT form. `a` comes from
 * `seed` (32 bytes, copied: the key keeps its own).
 */
export class PublicKey implements Disposable {
  readonly #seed: Uint8Array;

  constructor(readonly params: Parameters, readonly b: RnsPoly, readonly a: RnsPoly, seed: Uint8Array) {
    checkSeed(seed, "create public key");
    trackObject(this, "publicKey");
    this.#seed = seed.slice();
    Object.freeze(this);
  }

  /** A copy of the 32-byte seed `a` is expanded from. */
  get seed(): Uint8Array {
    return this.#seed.slice();
  }

  /** Frees the key's memory now (otherwise after garbage collection); later use throws DISPOSED. */
  dispose(): void {
    disposePolys([this.b, this.a]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** One digit of a switching key: (b_j, a_j) over Q (top) and P, NTT form. */
export interface SwitchingKeyDigit {
  readonly b: RnsPoly;
  readonly a: RnsPoly;
}

/**
 * A hybrid key-switching key from a source secret s' to a target secret t: for each digit j
 * of Q, b_j = -a_j t + e_j + P [Q/D_j ((Q/D_j)^-1 mod D_j)] s', with a_j expanded from `seed`.
 * `galoisElement` is 0 for the relinearization key (s' = s^2, t = s). For a Galois element
 * k, s' = s and t = s(X^(k^-1)): key switching c_1 gives (u0, u1) with u0 + u1 t ~ c_1 s, and
 * applying X -> X^k afterwards turns t back into s, so rotations apply the automorphism once,
 * after key switching, and hoisted rotations share the decomposition of c_1 (as in Lattigo).
 * The digits (frozen copies of the { b, a } pairs given) and the seed (a copy) cannot change.
 */
export class SwitchingKey implements Disposable {
  readonly digits: readonly SwitchingKeyDigit[];
  readonly #seed: Uint8Array;

  constructor(
    readonly params: Parameters,
    digits: readonly SwitchingKeyDigit[],
    seed: Uint8Array,
    readonly galoisElement: number,
  ) {
    const operation = "create switching key";
    if (!Array.isArray(digits) || !digits.every((digit) => typeof digit === "object" && digit !== null)) {
      throw new FheError("INVALID_ARGUMENT", operation, `the digits must be an array of { b, a } pairs, got ${describe(digits)}`);
    }
    checkSeed(seed, operation);
    trackObject(this, "switchingKey");
    this.digits = Object.freeze(digits.map(({ b, a }) => Object.freeze({ b, a })));
    this.#seed = seed.slice();
    Object.freeze(this);
  }

  /** A copy of the 32-byte seed the digits' `a` parts are expanded from. */
  get seed(): Uint8Array {
    return this.#seed.slice();
  }

  /** Frees every digit now (otherwise after garbage collection); later use throws DISPOSED. */
  dispose(): void {
    for (const { a, b } of this.digits) disposePolys([a, b]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Galois keys by Galois element (rotations use 5^r mod 2N, conjugation 2N - 1). Immutable:
 * the constructor refuses relinearization keys, keys of other parameters and two keys for the
 * same element.
 */
export class GaloisKeys implements Disposable {
  readonly #keys: Map<number, SwitchingKey>;

  constructor(readonly params: Parameters, keys: Iterable<SwitchingKey>) {
    trackObject(this, "galoisKeys");
    const operation = "create Galois keys";
    if (keys === null || typeof keys !== "object" || typeof (keys as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
      throw new FheError("INVALID_ARGUMENT", operation, "expected an iterable of switching keys");
    }
    this.#keys = new Map();
    for (const key of keys) {
      if (!(key instanceof SwitchingKey) || key.galoisElement === 0) {
        throw new FheError("INVALID_ARGUMENT", operation, `expected Galois switching keys, got ${describe(key)}${key instanceof SwitchingKey ? " (a relinearization key)" : ""}`);
      }
      if (key.params !== params) throw new FheError("MISMATCHED_OPERANDS", operation, `the key for Galois element ${key.galoisElement} uses different parameters`);
      if (this.#keys.has(key.galoisElement)) {
        throw new FheError("INVALID_ARGUMENT", operation, `two keys for Galois element ${key.galoisElement}`);
      }
      this.#keys.set(key.galoisElement, key);
    }
    Object.freeze(this);
  }

  /** The keys by Galois element (a copy: the set of keys cannot be changed). */
  get keys(): ReadonlyMap<number, SwitchingKey> {
    return new Map(this.#keys);
  }

  /** The Galois elements that have a key, in insertion order. */
  get elements(): number[] {
    return [...this.#keys.keys()];
  }

  /** The key for Galois element k, if present. */
  get(galoisElement: number): SwitchingKey | undefined {
    return this.#keys.get(galoisElement);
  }

  /** Frees every switching key of the set now (otherwise after garbage collection). */
  dispose(): void {
    for (const key of this.#keys.values()) key.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
