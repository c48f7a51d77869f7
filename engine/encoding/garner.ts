// Reconstructing small signed integers from a few RNS residues (mixed-radix / Garner).

import { invMod, mulMod } from "../ring/modular.js";

/**
 * Recovers the centered value of x from residues x mod q_0..q_{k-1} as a float, exactly in
 * the mixed-radix digits and with float rounding only at the end (relative error ~2^-53).
 * Precondition: |x| < (q_0 ... q_{k-1}) / 2 for the result to be meaningful.
 */
export class GarnerReconstructor {
  private readonly inverses: number[][];

  constructor(readonly primes: readonly number[]) {
    this.inverses = primes.map((qi, i) => primes.map((qj, j) => (j > i ? invMod(qi % qj, qj) : 0)));
  }

  /** Fills `digits` with the mixed-radix digits of the residues (same length as primes). */
  private digitsOf(residues: ArrayLike<number>, digits: Float64Array): void {
    const k = this.primes.length;
    for (let j = 0; j < k; j++) {
      const qj = this.primes[j]!;
      let t = residues[j]!;
      for (let i = 0; i < j; i++) {
        t = mulMod((t - (digits[i]! % qj) + qj) % qj, this.inverses[i]![j]!, qj);
      }
      digits[j] = t;
    }
  }

  /** The centered integer (as a float) whose residues are given, in prime order. */
  reconstruct(residues: ArrayLike<number>, scratch: Float64Array): number {
    this.digitsOf(residues, scratch);
    const k = this.primes.length;
    const top = this.primes[k - 1]!;
    const negative = scratch[k - 1]! > (top - 1) / 2;
    let value = 0;
    for (let i = k - 1; i >= 0; i--) {
      const digit = negative ? this.primes[i]! - 1 - scratch[i]! : scratch[i]!;
      value = value * this.primes[i]! + digit;
    }
    return negative ? -(value + 1) : value;
  }
}
