import { describe, FheError, isInteger } from "./errors.js";
import { mulMod, powMod } from "./modular.js";

/** Every prime the kernels accept is below this bound. */
export const maxPrimeBits = 30;
export const primeUpperBound = 2 ** maxPrimeBits;

/** Deterministic Miller-Rabin for safe integers (witnesses 2, 7, 61 below 2^32; BigInt above). */
export function isPrime(n: number): boolean {
  if (!isInteger(n) || n < 2) return false;
  if (n >= 2 ** 31) return isPrimeBig(BigInt(n));
  for (const p of [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61]) {
    if (n === p) return true;
    if (n % p === 0) return false;
  }
  let d = n - 1;
  let r = 0;
  while (d % 2 === 0) {
    d /= 2;
    r++;
  }
  witness: for (const a of [2, 7, 61]) {
    let x = powMod(a, d, n);
    if (x === 1 || x === n - 1) continue;
    for (let i = 1; i < r; i++) {
      x = mulMod(x, x, n);
      if (x === n - 1) continue witness;
    }
    return false;
  }
  return true;
}

/** Miller-Rabin with the first 12 primes as witnesses: deterministic below 3.3 * 10^24. */
function isPrimeBig(n: bigint): boolean {
  const witnesses = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];
  for (const p of witnesses) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  const power = (base: bigint, exponent: bigint): bigint => {
    let result = 1n;
    let b = base % n;
    for (let e = exponent; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * b) % n;
      b = (b * b) % n;
    }
    return result;
  };
  witness: for (const a of witnesses) {
    let x = power(a, d);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/** True when q is a prime below 2^30 with q = 1 mod 2n (so a negacyclic NTT of size n exists). */
export function isNttFriendlyPrime(q: number, n: number): boolean {
  return isInteger(q) && q < primeUpperBound && q % (2 * n) === 1 && isPrime(q);
}

export interface PrimeSearch {
  /** log2 of the ring degree N; primes are 1 mod 2N. */
  readonly logN: number;
  /** Target size in bits (may be fractional), at most 30. */
  readonly bits: number;
  /** How many distinct primes to return. */
  readonly count: number;
  /** Primes that must not be returned (e.g. already used elsewhere in the chain). */
  readonly exclude?: readonly number[];
}

/**
 * Deterministically finds `count` distinct NTT-friendly primes closest to 2^bits, alternating
 * below and above the target (when above is still under 2^30) so that products of
 * consecutive primes stay close to powers of the target. Order: as found, starting below.
 */
export function generateNttPrimes(search: PrimeSearch): number[] {
  const operation = "generate primes";
  if (search === null || typeof search !== "object") {
    throw new FheError("INVALID_ARGUMENT", operation, `expected a { logN, bits, count } object, got ${describe(search)}`);
  }
  const { logN, bits, count, exclude } = search;
  if (!isInteger(logN) || logN < 1 || logN > 17) {
    throw new FheError("INVALID_ARGUMENT", operation, `logN must be an integer in [1, 17], got ${describe(logN)}`);
  }
  if (typeof bits !== "number" || !(bits >= logN + 2 && bits <= maxPrimeBits)) {
    throw new FheError("INVALID_ARGUMENT", operation, `bits must be in [logN + 2, ${maxPrimeBits}], got ${describe(bits)}`);
  }
  if (!isInteger(count) || count < 0 || count > 100_000) {
    throw new FheError("INVALID_ARGUMENT", operation, `count must be an integer in [0, 100000], got ${describe(count)}`);
  }
  if (exclude !== undefined && !Array.isArray(exclude)) {
    throw new FheError("INVALID_ARGUMENT", operation, `exclude must be an array of numbers, got ${describe(exclude)}`);
  }
  const step = 2 ** (logN + 1);
  const excluded = new Set(exclude ?? []);
  const target = 2 ** bits;
  // Largest candidate 1 mod step that is below the target (and below 2^30).
  let below = Math.ceil((Math.min(target, primeUpperBound) - 1) / step) * step + 1 - step;
  let above = below + step;
  const found: number[] = [];
  const nextBelow = (): number | undefined => {
    for (; below > step; below -= step) {
      if (isPrime(below) && !excluded.has(below)) return (below -= step) + step;
    }
    return undefined;
  };
  const nextAbove = (): number | undefined => {
    for (; above < primeUpperBound; above += step) {
      if (isPrime(above) && !excluded.has(above)) return (above += step) - step;
    }
    return undefined;
  };
  let preferBelow = true;
  while (found.length < count) {
    const candidate = preferBelow ? (nextBelow() ?? nextAbove()) : (nextAbove() ?? nextBelow());
    if (candidate === undefined) {
      throw new FheError("INVALID_ARGUMENT", operation, `only ${found.length} primes of ${bits} bits are 1 mod 2^${logN + 1}`);
    }
    found.push(candidate);
    preferBelow = !preferBelow;
  }
  return found;
}

/** Distinct prime factors of n (trial division; n < 2^31). */
function primeFactors(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p++) {
    if (rest % p === 0) {
      factors.push(p);
      while (rest % p === 0) rest /= p;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}

/**
 * The smallest primitive 2n-th root of unity modulo q (the canonical psi of our NTT).
 * Precondition: q is prime and q = 1 mod 2n.
 */
export function minimalPrimitiveRoot(q: number, n: number): number {
  if (!isInteger(n) || n < 1 || n > 2 ** 17 || (n & (n - 1)) !== 0 || !isNttFriendlyPrime(q, n)) {
    throw new FheError("INVALID_ARGUMENT", "find primitive root",
      `${describe(q)} is not a prime below 2^30 that is 1 mod 2N for N = ${describe(n)}`);
  }
  const order = 2 * n;
  const factors = primeFactors(q - 1);
  let generator = 2;
  while (factors.some((f) => powMod(generator, (q - 1) / f, q) === 1)) generator++;
  const root = powMod(generator, (q - 1) / order, q);
  // The primitive 2n-th roots are root^j for odd j; take the smallest.
  const rootSquared = mulMod(root, root, q);
  let best = root;
  let current = root;
  for (let j = 3; j < order; j += 2) {
    current = mulMod(current, rootSquared, q);
    if (current < best) best = current;
  }
  return best;
}
