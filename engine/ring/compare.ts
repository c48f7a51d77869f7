// Comparing the residues of two polynomials.

import { checkOperands } from "./operands.js";
import type { RnsPoly } from "./poly.js";

/**
 * True when `a` and `b` hold the same residues in the same form. Throws unless both are live
 * polynomials of one ring over one basis. Cost: one pass over the limbs, no allocation.
 */
export function samePolynomial(a: RnsPoly, b: RnsPoly): boolean {
  checkOperands("compare polynomials", [a, b], "any");
  if (a.isNtt !== b.isNtt) return false;
  const words = a.n * a.basis.size;
  const heap = a.ring.heap.u32();
  const x = a.limbAddress(0) >>> 2;
  const y = b.limbAddress(0) >>> 2;
  for (let i = 0; i < words; i++) {
    if (heap[x + i] !== heap[y + i]) return false;
  }
  return true;
}
