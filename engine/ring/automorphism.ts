// The Galois automorphisms X -> X^k of Z[X]/(X^N + 1), k odd: rotations use k = 5^r mod 2N,
// conjugation uses k = 2N - 1.

import { describe, FheError, isInteger } from "./errors.js";
import { powMod } from "./modular.js";
import { checkOperands } from "./operands.js";
import { type RnsPoly, setNttForm } from "./poly.js";

/** out = a(X^k), in whichever form `a` is. `out` must be a different polynomial from `a`. */
export function automorphism(out: RnsPoly, a: RnsPoly, k: number): void {
  const operation = "apply automorphism";
  checkOperands(operation, [out, a], "any");
  if (!isInteger(k) || k % 2 === 0) {
    throw new FheError("INVALID_ARGUMENT", operation, `the Galois element must be an odd integer, got ${describe(k)}`);
  }
  if (out === a) throw new FheError("INVALID_ARGUMENT", operation, "the output must not be the input");
  const { ring } = a;
  const twoN = 2 * ring.n;
  const galois = ((k % twoN) + twoN) % twoN;
  const { kernels } = ring.heap;
  if (a.isNtt) {
    const permutation = ring.nttPermutation(galois);
    a.basis.moduli.forEach((_, i) => kernels.permuteWords(out.limbAddress(i), a.limbAddress(i), permutation, ring.n));
  } else {
    a.basis.moduli.forEach((m, i) => kernels.automorphismCoeff(out.limbAddress(i), a.limbAddress(i), ring.n, galois, m.q));
  }
  setNttForm(out, a.isNtt);
}

/** The Galois element 5^steps mod 2N of a rotation by `steps` slots (negative steps rotate right). */
export function rotationGaloisElement(n: number, steps: number): number {
  if (!isInteger(n) || n < 4 || n > 2 ** 17 || (n & (n - 1)) !== 0 || !isInteger(steps)) {
    throw new FheError("INVALID_ARGUMENT", "compute Galois element", `need a ring degree N (power of two >= 4) and integer steps, got ${describe(n)} and ${describe(steps)}`);
  }
  const twoN = 2 * n;
  const slots = n / 2;
  const exponent = ((steps % slots) + slots) % slots;
  return powMod(5, exponent, twoN);
}

/** The Galois element 2N - 1 of complex conjugation of the slots. */
export function conjugationGaloisElement(n: number): number {
  return 2 * n - 1;
}
