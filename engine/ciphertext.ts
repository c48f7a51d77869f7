import "./ring/dispose-symbols.js";
import { trackObject } from "./memory.js";
import type { Parameters } from "./parameters.js";
import { describe, FheError } from "./ring/errors.js";
import { disposePolys, type RnsPoly } from "./ring/poly.js";
import { checkSeed } from "./ring/xof.js";

/**
 * The mutable state behind a {@link Ciphertext}: what the scheme layer reads and updates in
 * place. Not part of the package's public API (users see read-only accessors); obtain it with
 * {@link ciphertextState} after validating the ciphertext (engine/evaluator/checks.ts).
 */
export class CiphertextState {
  constructor(
    /** c_0 .. c_d in NTT form over Q at `level`. */
    public polys: RnsPoly[],
    public level: number,
    public scale: number,
    /** Changed in place only to relabel periodic values (a sparse ciphertext of n slots decodes at any multiple of n as its n values repeated). */
    public slots: number,
    /** The 32-byte seed c_1 was expanded from, while c_1 is still that uniform polynomial. */
    public seed: Uint8Array | undefined,
  ) {}

  /**
   * CRC-32 and byte length of c_1 right after the library expanded it from `seed` (encryption,
   * loading): while c_1 still has them, serialization trusts the seed without expanding it
   * again. Never set from user input (the public constructor leaves it undefined).
   */
  seedDigest: { readonly crc: number; readonly bytes: number } | undefined = undefined;

  /** Degree in the secret: number of polynomials minus one. */
  get degree(): number {
    return this.polys.length - 1;
  }
}

let stateOf: (ciphertext: Ciphertext) => CiphertextState;
let branded: (value: object) => boolean;

/**
 * A CKKS ciphertext (c_0, ..., c_d), d = `degree` (1 normally, 2 after a multiplication
 * before relinearization), each c_i in NTT form over Q at `level`; it decrypts to
 * sum c_i s^i, a plaintext of the given `scale` and `slots`.
 *
 * The metadata is read-only: operations return new ciphertexts or update one through the
 * evaluator's `...InPlace` methods, and every public entry checks that each polynomial's basis
 * and form match the recorded level before touching memory.
 *
 * `seed` is set while c_1 is still the uniform polynomial expanded from it (fresh secret-key
 * encryptions): such ciphertexts serialize in half-size form. Any change through the evaluator
 * clears it; serialization checks that c_1 still is its expansion (changes through the ring
 * layer cannot clear it) and otherwise stores the full form. The check compares c_1 with the
 * CRC-32 recorded when the library expanded it (engine/seed-digest.ts), or re-expands the seed
 * when there is no record (a ciphertext built with this constructor).
 */
export class Ciphertext implements Disposable {
  readonly #state: CiphertextState;

  static {
    stateOf = (ciphertext) => ciphertext.#state;
    branded = (value) => #state in value;
  }

  /**
   * @internal Built by the encryptor, the evaluator and the loaders. Preconditions: `polys`
   * (at least two) are owned by the new ciphertext, in NTT form over Q at `level` of `params`.
   * Only the types of `polys` (an array) and `seed` (undefined or 32 bytes) are checked here;
   * every public entry checks the rest before use.
   */
  constructor(
    readonly params: Parameters,
    polys: readonly RnsPoly[],
    level: number,
    scale: number,
    slots: number,
    seed: Uint8Array | undefined = undefined,
  ) {
    if (!Array.isArray(polys)) throw new FheError("INVALID_ARGUMENT", "create ciphertext", `the polynomials must be an array, got ${describe(polys)}`);
    if (seed !== undefined) checkSeed(seed, "create ciphertext");
    trackObject(this, "ciphertext");
    this.#state = new CiphertextState([...polys], level, scale, slots, seed);
    Object.freeze(this);
  }

  /** The polynomials c_0 .. c_d (a frozen snapshot; they stay owned by this ciphertext). */
  get polys(): readonly RnsPoly[] {
    return Object.freeze(this.#state.polys.slice());
  }

  /** Level in [0, params.maxLevel]: how many rescalings are left. */
  get level(): number {
    return this.#state.level;
  }

  /** The scale the message carries. */
  get scale(): number {
    return this.#state.scale;
  }

  /** Slots of the packed message: a power of two in [1, N/2]. */
  get slots(): number {
    return this.#state.slots;
  }

  /** A copy of the seed of c_1 (fresh secret-key encryptions only), else undefined. */
  get seed(): Uint8Array | undefined {
    return this.#state.seed?.slice();
  }

  /** Degree in the secret: number of polynomials minus one. */
  get degree(): number {
    return this.#state.degree;
  }

  /** Frees every polynomial now (otherwise reclaimed after garbage collection). */
  dispose(): void {
    disposePolys(this.#state.polys);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** True when `value` was made by the Ciphertext constructor (a prototype alone is not enough). */
export function isCiphertext(value: unknown): value is Ciphertext {
  return typeof value === "object" && value !== null && branded(value);
}

/**
 * The mutable state of a ciphertext, for the scheme layer. Precondition: the ciphertext was
 * validated for the operation (see checkCiphertext); the state is not checked again.
 */
export function ciphertextState(ciphertext: Ciphertext): CiphertextState {
  return stateOf(ciphertext);
}
