// When a polynomial activation may run on a ciphertext whose unused slots hold partial sums
// ("dirty" slots, left by the windowed lowering of the linear stage before it; see lowering.ts).
// Slots are independent under additions and products, so the used slots come out right; the
// linear stage after the activation reads only the used slots (its diagonals are zero elsewhere),
// so the dirty values vanish there. What they must not do in between is overflow the modulus:
// a polynomial far outside its interval grows like (2 t)^degree, and a value whose magnitude
// times the scale passes q_level / 2 wraps around and corrupts every slot at decryption.
//
// A dirty slot is a sum of at most `windows` partial sums of the same products as the used
// slots, so it is of their order (a partial row sum, times the window count); the rule here
// allows for dirty values up to `dirtyMagnitude` times the polynomial's interval, with a margin
// of `overflowMarginBits` below the modulus at the activation's output level (the lowest it works
// at; its intermediate ciphertexts sit at higher levels with their scale raised by no more than
// their modulus).

import type { Parameters } from "../../engine/parameters.js";
import type { Polynomial } from "../../engine/circuits/polynomial.js";

/** How far outside the polynomial's interval (as a multiple of its half-width, around its centre) dirty slots are allowed for. */
export const dirtyMagnitude = 2 ** 16;
/** Bits kept free between the largest dirty value times the scale and half the modulus. */
export const overflowMarginBits = 20;

/**
 * log2 of a bound on every power T_k(t) and partial sum the Chebyshev evaluation of `poly`
 * forms for an input t mapped onto [-1, 1] with |t| <= tau (tau >= 1): |T_k(t)| <= (2 tau)^k,
 * and a sum of terms c_k T_k is below (1 + sum |c_k|) (2 tau)^degree.
 */
export function log2DirtyValueBound(poly: Polynomial, tau: number): number {
  const coefficients = poly.toChebyshev().coefficients;
  const l1 = coefficients.reduce((sum, c) => sum + Math.abs(c), 0);
  return Math.log2(1 + l1) + poly.degree * Math.log2(2 * Math.max(1, tau));
}

/**
 * True when `poly` (degree >= 1) may run on dirty slots whose mapped value |t| is up to
 * {@link dirtyMagnitude}: its values there, at `scale` (the activation's output scale, > 0),
 * stay {@link overflowMarginBits} bits below half the modulus at `outputLevel` (>= 1: a linear
 * stage follows).
 */
export function toleratesDirtySlots(params: Parameters, poly: Polynomial, outputLevel: number, scale: number): boolean {
  const bound = log2DirtyValueBound(poly, dirtyMagnitude) + Math.log2(scale);
  return bound + overflowMarginBits < params.logModulus(outputLevel) - 1;
}
