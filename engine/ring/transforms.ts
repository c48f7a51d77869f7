// Switching polynomials between coefficient and NTT (evaluation) form.

import type { Modulus } from "./modulus.js";
import { checkOperands } from "./operands.js";
import { type RnsPoly, setNttForm } from "./poly.js";

/** Forward NTT of one limb at `address` (n words, values in [0, 4q)) to [0, q). */
export function nttLimb(m: Modulus, address: number): void {
  m.heap.kernels.nttForward(address, m.n, m.q, m.tw, m.twShoup);
}

/** Inverse NTT of one limb at `address` (n words, values in [0, 2q)) to [0, q). */
export function inverseNttLimb(m: Modulus, address: number): void {
  m.heap.kernels.nttInverse(address, m.n, m.q, m.itw, m.itwShoup, m.nInv, m.nInvShoup, m.lastTw, m.lastTwShoup);
}

/** Converts `poly` to NTT form in place (no-op when it already is). */
export function toNtt(poly: RnsPoly): void {
  checkOperands("convert polynomial to NTT form", [poly], "any");
  if (poly.isNtt) return;
  poly.basis.moduli.forEach((m, i) => nttLimb(m, poly.limbAddress(i)));
  setNttForm(poly, true);
}

/** Converts `poly` to coefficient form in place (no-op when it already is). */
export function toCoefficients(poly: RnsPoly): void {
  checkOperands("convert polynomial to coefficient form", [poly], "any");
  if (!poly.isNtt) return;
  poly.basis.moduli.forEach((m, i) => inverseNttLimb(m, poly.limbAddress(i)));
  setNttForm(poly, false);
}
