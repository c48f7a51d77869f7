// Measuring the error of a decrypted CKKS polynomial, for the secret-key holder.
//
// A decryption m + e is one integer polynomial; the message cannot be told apart from the error
// where the message may live, and decoding to slots and re-encoding gives the polynomial back
// (the canonical embedding is a bijection at full packing). But the message lives in a known
// subspace M of the coefficient space: with `slots` < N/2 slots it has non-zero coefficients
// only at multiples of gap = N / (2 slots), and real slot values satisfy m(X) = m(X^-1), the
// conjugation automorphism. The projection of the decryption onto the orthogonal complement of
// M is the error's component there alone. The error is spread evenly over the coefficients
// (fresh, rescaling and key-switching errors are products with uniform or secret polynomials; a
// message times an error splits evenly between real and imaginary parts, and between the
// cosets of the subring), so the squared norm of that projection divided by the complement's
// dimension N - dim M estimates the variance of one error coefficient. OpenFHE measures the
// same way from the imaginary parts for real data (CKKS_NOISE_FLOODING.md, Costache et al.,
// ePrint 2022/162). With at least N/2 components the estimate is within a few percent.

import { copy, sub } from "./ring/arithmetic.js";
import { automorphism, conjugationGaloisElement } from "./ring/automorphism.js";
import { FheError } from "./ring/errors.js";
import { centeredCoefficients } from "./ring/float-io.js";
import type { RnsPoly } from "./ring/poly.js";
import { toCoefficients } from "./ring/transforms.js";

/** The error of one decryption as measured by {@link measureNoise}. */
export interface NoiseEstimate {
  /**
   * Estimated standard deviation of one coefficient of the decryption's error polynomial, in
   * integer units (the message coefficients are the values times the scale).
   */
  readonly standardDeviation: number;
  /** Number of error components the estimate is computed from: N minus the message's dimension. */
  readonly components: number;
}

/**
 * Estimates the error of `decryption` (a decrypted polynomial over Q at its level, either form,
 * left unchanged) packing `slots` slots; `realValues` declares the slot values real (imaginary
 * parts zero). Throws INVALID_ARGUMENT when the message may fill every coefficient (N/2
 * complex slots). Complex values declared real make the estimate far too large, never too small.
 */
export function measureNoise(decryption: RnsPoly, slots: number, realValues: boolean, operation: string): NoiseEstimate {
  const { n } = decryption.ring;
  const gap = n / (2 * slots);
  const components = n - (realValues ? slots : 2 * slots);
  if (components === 0) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `the noise cannot be measured: ${slots} complex slots fill every coefficient of the decryption; ` +
      "declare real slot values (noiseFlooding.realValues: true), pack fewer slots, or give noiseFloodingBits");
  }
  const { ring, basis } = decryption;
  const limbs = basis.size;
  // The unflooded decryption reveals the error: every copy of it is secret (zeroed when freed).
  using coefficients = ring.allocate(basis, { secret: true, scoped: true });
  copy(coefficients, decryption);
  toCoefficients(coefficients);
  // Coefficients outside the subring of multiples of gap hold error only.
  const outside = Int32Array.from({ length: n - n / gap }, (_, i) => i + Math.floor(i / (gap - 1)) + 1);
  let squares = sumOfSquares(gap === 1 ? new Float64Array(0) : centeredCoefficients(coefficients, limbs, outside), 1);
  if (realValues) {
    // Inside the subring, the anti-invariant half (m(X) - m(X^-1)) / 2 holds error only.
    using conjugate = ring.allocate(basis, { secret: true, scoped: true });
    automorphism(conjugate, coefficients, conjugationGaloisElement(n));
    sub(conjugate, coefficients, conjugate);
    const inside = Int32Array.from({ length: n / gap - 1 }, (_, i) => (i + 1) * gap);
    squares += sumOfSquares(centeredCoefficients(conjugate, limbs, inside), 0.5);
  }
  return { standardDeviation: Math.sqrt(squares / components), components };
}

/** Sum of (factor * v)^2 over `values`, which are zeroed afterwards. */
function sumOfSquares(values: Float64Array, factor: number): number {
  let sum = 0;
  for (const v of values) sum += (v * factor) ** 2;
  values.fill(0);
  return sum;
}
