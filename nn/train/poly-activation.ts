// The polynomial activation in the training graph: the same polynomial the encrypted model
// evaluates (a Chebyshev series on an interval), evaluated by TensorFlow.js in the monomial
// basis of x (Horner: two ops per degree, differentiable everywhere).

import * as tf from "@tensorflow/tfjs";
import { approx, Polynomial, type Interval } from "../../engine/index.js";

/** Coefficients m_0..m_d of p(x) = sum m_i x^i (float64) for a polynomial in either basis. */
export function monomialCoefficients(poly: Polynomial): number[] {
  if (poly.basis === "monomial") return [...poly.coefficients];
  // sum c_i T_i(t) as a polynomial in t (T_{i+1} = 2t T_i - T_{i-1}), then t = scale x + shift.
  const inT = new Array<number>(poly.degree + 1).fill(0);
  let previous = [1];
  let current = [0, 1];
  poly.coefficients.forEach((c, i) => {
    const chebyshev = i === 0 ? previous : current;
    chebyshev.forEach((v, k) => { inT[k]! += c * v; });
    if (i > 0) {
      const next = new Array<number>(current.length + 1).fill(0);
      current.forEach((v, k) => { next[k + 1]! += 2 * v; });
      previous.forEach((v, k) => { next[k]! -= v; });
      previous = current;
      current = next;
    }
  });
  const { scale, shift } = poly.change;
  const inX = new Array<number>(inT.length).fill(0);
  // (scale x + shift)^k by repeated multiplication.
  let power = [1];
  inT.forEach((c, k) => {
    power.forEach((v, j) => { inX[j]! += c * v; });
    if (k + 1 < inT.length) {
      const next = new Array<number>(power.length + 1).fill(0);
      power.forEach((v, j) => { next[j]! += shift * v; next[j + 1]! += scale * v; });
      power = next;
    }
  });
  return inX;
}

/** p(x) element-wise, in float32, by Horner's rule on {@link monomialCoefficients}(poly). */
export function polyActivation(x: tf.Tensor, poly: Polynomial): tf.Tensor {
  const m = monomialCoefficients(poly);
  const d = m.length - 1;
  if (d === 0) return tf.fill(x.shape, m[0]!);
  let acc = tf.add(tf.mul(x, m[d]!), m[d - 1]!);
  for (let i = d - 2; i >= 0; i--) acc = tf.add(tf.mul(acc, x), m[i]!);
  return acc;
}

/**
 * The minimax (Remez) polynomial of ReLU of `degree` on `interval`, in the Chebyshev basis on
 * that interval: what a CryptoDL-style model trains with in place of ReLU.
 */
export function reluPolynomial(interval: Interval, degree: number): Polynomial {
  return approx.relu({ interval, degree, method: "minimax" }).poly.toChebyshev();
}
