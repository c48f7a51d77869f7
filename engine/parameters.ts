import type { RnsBasis } from "./ring/basis.js";
import { describe, FheError, isInteger } from "./ring/errors.js";
import { Ring } from "./ring/ring.js";
import { defaultHeap, WasmHeap } from "./ring/wasm/heap.js";
import { Shake128 } from "./ring/xof.js";
import { deriveChain, type Chain } from "./parameters-chain.js";
import { checkLiteral, invalidParameters, type CanonicalLiteral, type ParametersLiteral } from "./parameters-literal.js";
import { securityViolation } from "./security.js";

export type { CanonicalLiteral, ParametersLiteral } from "./parameters-literal.js";

/**
 * 16 hex digits of SHAKE128 over everything that defines the arithmetic: N, the scale, the
 * depth, how Q splits into base and level primes, the primes of Q and P, the key-switching
 * digits, sigma and the secret's weight. The insecure flag is left out: it permits a set, it
 * does not change it, so a set has one fingerprint however it was accepted.
 */
function fingerprintOf(c: Chain, heap: WasmHeap): string {
  const description = JSON.stringify({
    domain: "wasm-ckks parameters", logN: c.logN, logScale: c.logScale, depth: c.depth, basePrimeCount: c.basePrimeCount,
    primesPerLevel: c.primesPerLevel, qPrimes: c.qPrimes, pPrimes: c.pPrimes, digits: c.digits, digitSize: c.digitSize,
    sigma: c.sigma, hammingWeight: c.hammingWeight ?? null,
  });
  using xof = new Shake128(heap, new TextEncoder().encode(description));
  const digest = new Uint8Array(8);
  xof.fill(digest);
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Live parameter sets by heap and fingerprint. Weak references: a set nobody uses can be
 * collected (operands hold their parameters strongly, so while one exists the entry resolves).
 */
const interned = new WeakMap<WasmHeap, Map<string, WeakRef<Parameters>>>();
const forget = new FinalizationRegistry<{ entries: Map<string, WeakRef<Parameters>>; fingerprint: string }>(({ entries, fingerprint }) => {
  if (entries.get(fingerprint)?.deref() === undefined) entries.delete(fingerprint);
});

/** The live instance for `fingerprint` on `heap`, or the one `make` returns (then registered). */
function intern(heap: WasmHeap, fingerprint: string, make: () => Parameters): Parameters {
  let entries = interned.get(heap);
  if (entries === undefined) {
    entries = new Map();
    interned.set(heap, entries);
  }
  const live = entries.get(fingerprint)?.deref();
  if (live !== undefined) return live;
  const made = make();
  entries.set(fingerprint, new WeakRef(made));
  forget.register(made, { entries, fingerprint });
  return made;
}

/**
 * A validated, frozen CKKS parameter set: the modulus chain Q = q_0 ... (base primes, then
 * `primesPerLevel` primes per level), the special primes P and the digit partition for hybrid
 * key switching. Create with {@link Parameters.create}; equal parameter sets on one heap are one
 * object.
 */
export class Parameters {
  readonly logN: number;
  readonly n: number;
  /** Maximum number of slots, N/2. */
  readonly maxSlots: number;
  readonly logScale: number;
  /** Default scale 2^logScale. */
  readonly scale: number;
  /** Highest level; fresh ciphertexts are at this level, each rescale lowers it by one. */
  readonly maxLevel: number;
  readonly primesPerLevel: number;
  readonly basePrimeCount: number;
  /** Primes of Q in chain order (base first; the last `primesPerLevel` go first at rescale). */
  readonly qPrimes: readonly number[];
  /** Special primes of P. */
  readonly pPrimes: readonly number[];
  /** Number of key-switching digits at the top level and limbs per digit. */
  readonly digits: number;
  readonly digitSize: number;
  readonly hammingWeight: number | undefined;
  readonly sigma: number;
  readonly logQ: number;
  readonly logQP: number;
  /**
   * True when the set is below 128-bit security (see engine/security.ts): it was accepted only
   * because allowInsecureParametersForTesting was given.
   */
  readonly insecure: boolean;
  /** 16 hex digits identifying the parameter set (SHAKE128 of its canonical description). */
  readonly fingerprint: string;
  /** The literal these parameters were made from, with defaults filled in (the flag is `insecure`). */
  readonly literal: CanonicalLiteral;
  /** The heap holding the polynomials of these parameters. */
  readonly heap: WasmHeap;
  #ring: Ring | undefined;
  /** Bases of Q and log2 of their moduli by level, filled on first use. */
  readonly #basesQ: RnsBasis[] = [];
  readonly #logModuli: number[] = [];

  private constructor(chain: Chain, insecure: boolean, fingerprint: string, heap: WasmHeap) {
    this.logN = chain.logN;
    this.n = 2 ** chain.logN;
    this.maxSlots = this.n / 2;
    this.logScale = chain.logScale;
    this.scale = 2 ** chain.logScale;
    this.maxLevel = chain.depth;
    this.primesPerLevel = chain.primesPerLevel;
    this.basePrimeCount = chain.basePrimeCount;
    this.qPrimes = Object.freeze([...chain.qPrimes]);
    this.pPrimes = Object.freeze([...chain.pPrimes]);
    this.digits = chain.digits;
    this.digitSize = chain.digitSize;
    this.hammingWeight = chain.hammingWeight;
    this.sigma = chain.sigma;
    this.logQ = chain.logQ;
    this.logQP = chain.logQP;
    this.insecure = insecure;
    this.literal = Object.freeze({ ...chain.literal, allowInsecureParametersForTesting: insecure });
    this.fingerprint = fingerprint;
    this.heap = heap;
    Object.freeze(this);
  }

  /**
   * Validates a literal and builds the parameter set (deterministic: same literal, same
   * primes). Returns the existing object when these parameters are already live on the heap.
   * Throws INVALID_PARAMETERS for an unknown key, a field out of range, missing primes, or a
   * set below 128-bit security without `allowInsecureParametersForTesting: true`.
   */
  static create(literal: ParametersLiteral, options: { heap?: WasmHeap } = {}): Parameters {
    const heap = options?.heap ?? defaultHeap();
    if (!(heap instanceof WasmHeap)) throw invalidParameters("options.heap must be a WasmHeap");
    const checked = checkLiteral(literal);
    const chain = deriveChain(checked);
    const violation = securityViolation(chain);
    if (violation !== undefined && !checked.allowInsecure) {
      throw invalidParameters(`${violation} (set allowInsecureParametersForTesting: true only in tests)`);
    }
    const fingerprint = fingerprintOf(chain, heap);
    if (checked.fingerprint !== undefined && checked.fingerprint !== fingerprint) {
      throw invalidParameters(`the literal's fingerprint ${checked.fingerprint} does not match these parameters (${fingerprint})`);
    }
    return intern(heap, fingerprint, () => new Parameters(chain, violation !== undefined, fingerprint, heap));
  }

  /** The ring of these parameters (created on first use, on {@link heap}). */
  get ring(): Ring {
    this.#ring ??= new Ring({ logN: this.logN, heap: this.heap });
    return this.#ring;
  }

  /** Number of Q primes at `level`. */
  limbsAt(level: number): number {
    return this.basePrimeCount + this.primesPerLevel * level;
  }

  /** The basis of Q at `level` (base primes and the primes of levels 1..level). */
  basisQ(level: number): RnsBasis {
    const cached = this.#basesQ[level];
    if (cached !== undefined) return cached;
    this.checkLevel(level, "select level");
    const basis = this.ring.basis(this.qPrimes.slice(0, this.limbsAt(level)));
    this.#basesQ[level] = basis;
    return basis;
  }

  /** log2 of the modulus Q at `level`. */
  logModulus(level: number): number {
    const cached = this.#logModuli[level];
    if (cached !== undefined) return cached;
    this.checkLevel(level, "select level");
    const bits = this.qPrimes.slice(0, this.limbsAt(level)).reduce((sum, q) => sum + Math.log2(q), 0);
    this.#logModuli[level] = bits;
    return bits;
  }

  /** The basis of P. */
  basisP(): RnsBasis {
    return this.ring.basis(this.pPrimes);
  }

  /** The basis Q_level followed by P, on which key switching works. */
  basisQP(level: number): RnsBasis {
    this.checkLevel(level, "select level");
    return this.ring.basis([...this.qPrimes.slice(0, this.limbsAt(level)), ...this.pPrimes]);
  }

  /** Level of a basis of Q, or -1 when `basis` is not one. */
  levelOf(basis: RnsBasis): number {
    const level = (basis.size - this.basePrimeCount) / this.primesPerLevel;
    return isInteger(level) && level >= 0 && level <= this.maxLevel && basis === this.basisQ(level) ? level : -1;
  }

  /** Throws unless level is an integer in [0, maxLevel]. */
  checkLevel(level: number, op: string): void {
    if (!isInteger(level) || level < 0 || level > this.maxLevel) {
      throw new FheError("INVALID_ARGUMENT", op, `level must be an integer in [0, ${this.maxLevel}], got ${describe(level)}`);
    }
  }

  /** JSON form: the literal (primes are re-derived deterministically). */
  toJSON(): object {
    return { ...this.literal, fingerprint: this.fingerprint };
  }
}

/** Throws unless `value` is a Parameters instance (for public constructors). */
export function checkParameters(value: unknown, operation: string): asserts value is Parameters {
  if (!(value instanceof Parameters)) throw new FheError("INVALID_ARGUMENT", operation, "expected Parameters (use Parameters.create)");
}

/**
 * Whether operands of `a` and `b` can be combined: the same object, or the same fingerprint on
 * the same heap (equal sets on one heap are interned, so this is identity in practice).
 */
export function sameParameters(a: Parameters, b: Parameters): boolean {
  return a === b || (a.fingerprint === b.fingerprint && a.heap === b.heap);
}

/**
 * Throws INVALID_ARGUMENT unless `value`, the parameters a <what> (ciphertext, plaintext, key)
 * claims, is a Parameters: library objects can be built by hand around anything.
 */
export function checkClaimedParameters(value: unknown, operation: string, what: string): asserts value is Parameters {
  if (!(value instanceof Parameters)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the ${what}'s parameters are ${describe(value)}, not Parameters; it was not made by this library or was modified`);
  }
}

/**
 * Throws MISMATCHED_OPERANDS ("cannot <operation>: the <what> uses ...") unless
 * {@link sameParameters}(expected, actual), naming both fingerprints, or the heaps when only
 * they differ; INVALID_ARGUMENT when `actual` (read from an object a user may have built by
 * hand) is not a Parameters at all. Precondition: `expected` is a Parameters.
 */
export function checkSameParameters(expected: Parameters, actual: Parameters, operation: string, what: string): void {
  checkClaimedParameters(actual, operation, what);
  if (sameParameters(expected, actual)) return;
  throw new FheError("MISMATCHED_OPERANDS", operation, expected.fingerprint === actual.fingerprint
    ? `the ${what} uses the same parameters (fingerprint ${actual.fingerprint}) but a different WasmHeap`
    : `the ${what} uses different parameters (fingerprint ${actual.fingerprint}, expected ${expected.fingerprint})`);
}
