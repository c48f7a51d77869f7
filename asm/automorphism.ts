// Galois automorphisms a(X) -> a(X^k), k odd, used by rotations and conjugation.

import { condSub, loadU, storeU } from "./lanes";

/**
 * Coefficient representation: out = a(X^k) in Z_q[X]/(X^n + 1).
 * Preconditions: n a power of two, k odd, input in [0, q); `out` must not overlap `input`.
 * Coefficient i moves to i*k mod 2n, negated when that index is n or above (X^n = -1).
 */
export function automorphismCoeff(out: usize, input: usize, n: i32, k: u32, q: u32): void {
  const mask = (<u32>n << 1) - 1;
  for (let i = 0; i < n; i++) {
    const target = (<u32>i * k) & mask; // u32 wrap-around is harmless: 2^32 is a multiple of 2n
    const value = loadU(input, i);
    if (target < <u32>n) storeU(out, target, value);
    else storeU(out, target - n, condSub(q - value, q));
  }
}

/**
 * Evaluation (NTT) representation: out[i] = input[perm[i]], the slot permutation that the
 * ring layer derives from k and the NTT ordering. `out` must not overlap `input`;
 * every perm[i] is in [0, n).
 */
export function permuteWords(out: usize, input: usize, perm: usize, n: i32): void {
  for (let i = 0; i < n; i++) storeU(out, i, loadU(input, loadU(perm, i)));
}
