// EvalMod: the modular reduction t -> t mod Q_0 of bootstrapping, slot by slot, approximated by
// a scaled sine. After CoeffsToSlots a slot holds x = t / (K Q_0) in [-1, 1] with
// t = m + Q_0 I, |I| < K; sin(2 pi K x) = sin(2 pi m / Q_0) ~ 2 pi m / Q_0 for |m| << Q_0.
// The sine is evaluated as cos(2 pi (K x - 1/4)): a Chebyshev interpolant of
// cos(2 pi (K x - 1/4) / 2^r) on [-1, 1], then r double-angle steps y -> 2 y^2 - 1 (one level
// each), which shrink the interpolant's frequency by 2^r (Bossuat et al., Eurocrypt 2021).

import { interpolate } from "../approx/chebyshev.js";
import { Polynomial } from "../polynomial.js";

/** The shape of an EvalMod approximation. */
export interface EvalModShape {
  /** Bound K on |I| (the integer overflow of the modulus raise), >= 1. */
  readonly k: number;
  /** Degree of the Chebyshev interpolant of the scaled cosine. */
  readonly degree: number;
  /** Double-angle steps r >= 0. */
  readonly doubleAngles: number;
}

/** The interpolant of cos(2 pi (K x - 1/4) / 2^r) on [-1, 1]. */
export function evalModPolynomial(shape: EvalModShape): Polynomial {
  const { k, degree, doubleAngles } = shape;
  const f = (x: number): number => Math.cos((2 * Math.PI * (k * x - 0.25)) / 2 ** doubleAngles);
  return interpolate(f, [-1, 1], degree, "none");
}

/**
 * The arcsine correction arcsin(y) ~ y + y^3 / 6 (degree 3, 2 levels), applied to the sine's
 * output: sin(2 pi e) becomes 2 pi e up to (3 / 40) (2 pi e)^5, which removes the sine's own
 * error (2 pi e)^2 / 6 relative (e = m / Q_0, the message over the base modulus).
 */
export const arcsinePolynomial: Polynomial = Polynomial.monomial([0, 1, 0, 1 / 6], [-1, 1]);

/** The float64 twin of the encrypted EvalMod: the polynomial, the double angles, and the arcsine correction when asked. */
export function evalModTwin(polynomial: Polynomial, doubleAngles: number, x: number, arcsine = false): number {
  let y = polynomial.evaluate(x);
  for (let i = 0; i < doubleAngles; i++) y = 2 * y * y - 1;
  return arcsine ? arcsinePolynomial.evaluate(y) : y;
}

/**
 * max |twin(x) - target(x)| over x = (I + e) / K for every integer |I| < K and |e| <= 2^-8
 * (where the slots of a bootstrapped ciphertext lie), on a grid of `samples` points per
 * integer. The target is sin(2 pi K x) = sin(2 pi e), or 2 pi e itself with the arcsine
 * correction (so that error then includes what is left of the sine's).
 */
export function evalModError(polynomial: Polynomial, shape: EvalModShape, samples = 257, arcsine = false): number {
  const { k, doubleAngles } = shape;
  let worst = 0;
  for (let integer = -(k - 1); integer <= k - 1; integer++) {
    for (let s = 0; s < samples; s++) {
      const e = 2 ** -8 * ((2 * s) / (samples - 1) - 1);
      const x = (integer + e) / k;
      const target = arcsine ? 2 * Math.PI * e : Math.sin(2 * Math.PI * k * x);
      worst = Math.max(worst, Math.abs(evalModTwin(polynomial, doubleAngles, x, arcsine) - target));
    }
  }
  return worst;
}
