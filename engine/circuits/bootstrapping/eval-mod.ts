// EvalMod: the modular reduction t -> t mod Q_0 of bootstrapping, slot by slot, approximated by
// a scaled sine. After CoeffsToSlots a slot holds x = t / (K Q_0) in [-1, 1] with
// t = m + Q_0 I, |I| < K; sin(2 pi K x) = sin(2 pi m / Q_0) ~ 2 pi m / Q_0 for |m| << Q_0.
// The sine is evaluated as cos(2 pi (K x - 1/4)): a Chebyshev interpolant of
// cos(2 pi (K x - 1/4) / 2^r) on [-1, 1], then r double-angle steps y -> 2 y^2 - 1 (one level
// each), which shrink the interpolant's frequency by 2^r (Bossuat et al., Eurocrypt 2021).

import { interpolate } from "../approx/chebyshev.js";
import type { Polynomial } from "../polynomial.js";

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

/** The float64 twin of the encrypted EvalMod: the polynomial, then the double angles. */
export function evalModTwin(polynomial: Polynomial, doubleAngles: number, x: number): number {
  let y = polynomial.evaluate(x);
  for (let i = 0; i < doubleAngles; i++) y = 2 * y * y - 1;
  return y;
}

/**
 * max |twin(x) - sin(2 pi K x)| over x = (I + e) / K for every integer |I| < K and |e| <= 2^-8
 * (where the slots of a bootstrapped ciphertext lie), on a grid of `samples` points per integer.
 */
export function evalModError(polynomial: Polynomial, shape: EvalModShape, samples = 257): number {
  const { k, doubleAngles } = shape;
  let worst = 0;
  for (let integer = -(k - 1); integer <= k - 1; integer++) {
    for (let s = 0; s < samples; s++) {
      const e = 2 ** -8 * ((2 * s) / (samples - 1) - 1);
      const x = (integer + e) / k;
      worst = Math.max(worst, Math.abs(evalModTwin(polynomial, doubleAngles, x) - Math.sin(2 * Math.PI * k * x)));
    }
  }
  return worst;
}
