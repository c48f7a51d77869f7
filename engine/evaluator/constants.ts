// Constants as polynomials: a complex constant c = a + b i in every slot is the polynomial
// a + b X^(N/2) (X^(N/2) evaluates to i at every slot root zeta^(5^j)).

import type { Parameters } from "../parameters.js";
import { addScalar, mulScalar } from "../ring/arithmetic.js";
import type { RnsBasis } from "../ring/basis.js";
import type { RnsPoly } from "../ring/poly.js";
import { toNtt } from "../ring/transforms.js";

/** X^(N/2) in NTT form over `basis` (cached on the ring; never dispose it). */
export function imaginaryUnit(params: Parameters, basis: RnsBasis): RnsPoly {
  const { ring } = params;
  return ring.memo(`imaginary-unit:${basis.key}`, () => {
    const poly = ring.zero(basis);
    const words = ring.heap.u32();
    basis.moduli.forEach((_, i) => {
      words[(poly.limbAddress(i) >>> 2) + params.n / 2] = 1;
    });
    toNtt(poly);
    return poly;
  });
}

/** A new polynomial (NTT form, over `basis`) for the integer constant re + im X^(N/2). */
export function constantPoly(params: Parameters, basis: RnsBasis, re: bigint, im: bigint): RnsPoly {
  const poly = params.ring.allocate(basis, { ntt: true });
  mulScalar(poly, imaginaryUnit(params, basis), im);
  addScalar(poly, poly, re);
  return poly;
}

/** round(x) as a BigInt for a finite float x (exact for |x| >= 2^53, where floats are integers). */
export function roundToBigInt(x: number): bigint {
  return BigInt(Math.round(x));
}
