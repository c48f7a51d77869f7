import type { RnsBasis } from "./ring/basis.js";
import { describe, FheError, isInteger } from "./ring/errors.js";
import { generateNttPrimes, maxPrimeBits } from "./ring/primes.js";
import { Ring } from "./ring/ring.js";
import { defaultSigma } from "./ring/sampling.js";
import { defaultHeap, WasmHeap } from "./ring/wasm/heap.js";
import { Shake128 } from "./ring/xof.js";
import { chooseLevelPrimes } from "./modulus-chain.js";
import { enforceSecurity, maxLogQP128 } from "./security.js";

/** The JSON-friendly description of a CKKS parameter set. */
export interface ParametersLiteral {
  /** log2 of the ring degree N: an integer in [10, 17]. Slots: N/2. */
  readonly logN: number;
  /** log2 of the default scale: (0, 60]. Each level's modulus is ceil(logScale / 30) primes of about logScale / that many bits. */
  readonly logScale: number;
  /** Multiplicative depth: how many rescalings a fresh ciphertext allows (>= 0). */
  readonly depth: number;
  /** Bits of the base modulus q_0 (default logScale + 20); it bounds |value| * scale at the last level. */
  readonly logBaseModulus?: number;
  /** Number of 30-bit special primes P for hybrid key switching (default: as many as 128-bit security allows). */
  readonly specialPrimes?: number;
  /** Number of digits for hybrid key switching (default: ceil(limbs of Q / special primes)). */
  readonly digits?: number;
  /** Hamming weight of the ternary secret; omitted: uniform ternary. */
  readonly hammingWeight?: number;
  /** Standard deviation of the error distribution (default 3.19). */
  readonly sigma?: number;
  /** Turns off the 128-bit security check. For tests only. */
  readonly allowInsecureParametersForTesting?: boolean;
}

const operation = "create parameters";

function invalid(reason: string): FheError {
  return new FheError("INVALID_PARAMETERS", operation, reason);
}

function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!isInteger(value) || value < min || value > max) throw invalid(`${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  return value;
}

function primesOrThrow(logN: number, bits: number, count: number, exclude: number[], role: string): number[] {
  try {
    return generateNttPrimes({ logN, bits, count, exclude });
  } catch (error) {
    const reason = error instanceof FheError ? error.reason : String(error);
    throw invalid(`not enough NTT-friendly primes for the ${role} (${count} of ${bits.toFixed(1)} bits for N = 2^${logN}): ${reason}`);
  }
}

/**
 * A validated, frozen CKKS parameter set: the modulus chain Q = q_0 ... (base primes, then
 * `primesPerLevel` primes per level), the special primes P and the digit partition for hybrid
 * key switching. Create with {@link Parameters.create}.
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
  readonly insecure: boolean;
  /** 16 hex digits identifying the parameter set (SHAKE128 of its canonical description). */
  readonly fingerprint: string;
  /** The literal these parameters were made from, with defaults filled in. */
  readonly literal: Readonly<Required<Omit<ParametersLiteral, "hammingWeight" | "digits">>> & {
    readonly hammingWeight?: number;
    readonly digits?: number;
  };
  #ring: Ring | undefined;
  readonly #heap: WasmHeap | undefined;

  private constructor(literal: ParametersLiteral, heap: WasmHeap | undefined) {
    if (literal === null || typeof literal !== "object") throw invalid("expected a parameters literal object");
    if (heap !== undefined && !(heap instanceof WasmHeap)) throw invalid("options.heap must be a WasmHeap");
    const logN = optionalInteger(literal.logN, "logN", 10, 17);
    if (logN === undefined) throw invalid("logN is required");
    const { logScale } = literal;
    if (typeof logScale !== "number" || !(logScale > 0 && logScale <= 60)) throw invalid(`logScale must be in (0, 60], got ${describe(logScale)}`);
    const depth = optionalInteger(literal.depth, "depth", 0, 200);
    if (depth === undefined) throw invalid("depth is required");
    const logBase = literal.logBaseModulus ?? logScale + 20;
    if (typeof logBase !== "number" || !(logBase >= logScale && logBase <= 180)) {
      throw invalid(`logBaseModulus must be in [logScale, 180], got ${describe(logBase)}`);
    }
    const sigma = literal.sigma ?? defaultSigma;
    if (typeof sigma !== "number" || !(sigma >= 1 && sigma <= 64)) throw invalid(`sigma must be in [1, 64], got ${describe(sigma)}`);
    const insecure = literal.allowInsecureParametersForTesting === true;
    const n = 2 ** logN;
    const hammingWeight = optionalInteger(literal.hammingWeight, "hammingWeight", 1, n);

    const primesPerLevel = Math.ceil(logScale / maxPrimeBits);
    let levelPrimes: number[];
    try {
      levelPrimes = chooseLevelPrimes(logN, logScale, primesPerLevel, depth);
    } catch (error) {
      const reason = error instanceof FheError ? error.reason : describe(error);
      throw invalid(`not enough NTT-friendly primes of ${(logScale / primesPerLevel).toFixed(1)} bits for ${primesPerLevel * depth} levels at N = 2^${logN}: ${reason}`);
    }
    const basePrimeCount = Math.ceil(logBase / maxPrimeBits);
    const basePrimes = primesOrThrow(logN, logBase / basePrimeCount, basePrimeCount, levelPrimes, "base modulus");
    const qPrimes = [...basePrimes, ...levelPrimes];
    const logQ = qPrimes.reduce((sum, q) => sum + Math.log2(q), 0);
    const qLimbs = qPrimes.length;

    let specialCount = optionalInteger(literal.specialPrimes, "specialPrimes", 1, qLimbs);
    const digitsRequested = optionalInteger(literal.digits, "digits", 1, qLimbs);
    if (specialCount === undefined && digitsRequested !== undefined) specialCount = Math.ceil(qLimbs / digitsRequested);
    if (specialCount === undefined) {
      // As many special primes as the security bound allows: fewer digits, faster key switching.
      const bound = insecure ? Infinity : securityBudget(logN);
      specialCount = Math.max(1, Math.min(qLimbs, Math.floor((bound - logQ) / maxPrimeBits)));
    }
    const pPrimes = primesOrThrow(logN, maxPrimeBits, specialCount, qPrimes, "special primes");
    const digitSize = digitsRequested !== undefined ? Math.ceil(qLimbs / digitsRequested) : specialCount;
    const digits = Math.ceil(qLimbs / digitSize);
    const logP = pPrimes.reduce((sum, p) => sum + Math.log2(p), 0);
    const maxDigitBits = Math.max(...Array.from({ length: digits }, (_, j) =>
      qPrimes.slice(j * digitSize, (j + 1) * digitSize).reduce((sum, q) => sum + Math.log2(q), 0)));
    if (logP + 1e-9 < maxDigitBits - 1) {
      throw invalid(`the special modulus P (${logP.toFixed(1)} bits) must be at least as large as a key-switching digit (${maxDigitBits.toFixed(1)} bits): use more special primes or more digits`);
    }
    const logQP = logQ + logP;
    enforceSecurity(logN, logQP, insecure);

    this.logN = logN;
    this.n = n;
    this.maxSlots = n / 2;
    this.logScale = logScale;
    this.scale = 2 ** logScale;
    this.maxLevel = depth;
    this.primesPerLevel = primesPerLevel;
    this.basePrimeCount = basePrimeCount;
    this.qPrimes = Object.freeze(qPrimes);
    this.pPrimes = Object.freeze(pPrimes);
    this.digits = digits;
    this.digitSize = digitSize;
    this.hammingWeight = hammingWeight;
    this.sigma = sigma;
    this.logQ = logQ;
    this.logQP = logQP;
    this.insecure = insecure;
    this.literal = Object.freeze({
      logN, logScale, depth, logBaseModulus: logBase, specialPrimes: specialCount, sigma,
      allowInsecureParametersForTesting: insecure,
      ...(digitsRequested === undefined ? {} : { digits: digitsRequested }),
      ...(hammingWeight === undefined ? {} : { hammingWeight }),
    });
    this.fingerprint = fingerprintOf(this, heap ?? defaultHeap());
    this.#heap = heap;
    Object.freeze(this);
  }

  /** Validates a literal and builds the parameter set (deterministic: same literal, same primes). */
  static create(literal: ParametersLiteral, options: { heap?: WasmHeap } = {}): Parameters {
    return new Parameters(literal, options?.heap);
  }

  /** The ring of these parameters (created on first use, on the given or the default heap). */
  get ring(): Ring {
    this.#ring ??= new Ring({ logN: this.logN, ...(this.#heap ? { heap: this.#heap } : {}) });
    return this.#ring;
  }

  /** Number of Q primes at `level`. */
  limbsAt(level: number): number {
    return this.basePrimeCount + this.primesPerLevel * level;
  }

  /** The basis of Q at `level` (base primes and the primes of levels 1..level). */
  basisQ(level: number): RnsBasis {
    this.checkLevel(level, "select level");
    return this.ring.basis(this.qPrimes.slice(0, this.limbsAt(level)));
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

function securityBudget(logN: number): number {
  return maxLogQP128[logN] ?? 0;
}

function fingerprintOf(p: Parameters, heap: WasmHeap): string {
  const description = JSON.stringify([p.logN, p.logScale, p.qPrimes, p.pPrimes, p.digitSize, p.sigma, p.hammingWeight ?? 0]);
  using xof = new Shake128(heap, new TextEncoder().encode(description));
  const digest = new Uint8Array(8);
  xof.fill(digest);
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
