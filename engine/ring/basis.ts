import type { Modulus } from "./modulus.js";

/**
 * An ordered RNS basis {q_0, ..., q_{k-1}} of distinct primes for one ring degree. Bases are
 * created and cached by their ring, so two bases with the same primes are the same object.
 * Frozen (with its arrays): every polynomial of the basis relies on its moduli.
 */
export class RnsBasis {
  readonly moduli: readonly Modulus[];
  readonly primes: readonly number[];
  /** Canonical key: the primes joined by commas. */
  readonly key: string;

  constructor(moduli: readonly Modulus[]) {
    this.moduli = Object.freeze([...moduli]);
    this.primes = Object.freeze(moduli.map((m) => m.q));
    this.key = this.primes.join(",");
    Object.freeze(this);
  }

  /** Number of primes (limbs). */
  get size(): number {
    return this.moduli.length;
  }

  /** The product of the primes, as a BigInt. */
  product(): bigint {
    return this.primes.reduce((acc, q) => acc * BigInt(q), 1n);
  }
}
