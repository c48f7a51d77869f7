// Polynomials kept outside the WebAssembly heap: a copy of the residues in a JS ArrayBuffer
// (ordinary JS memory, not bounded by the wasm32 heap's 4 GiB), restored into the heap on
// demand. For large public material used a piece at a time (bootstrapping keys, encoded
// diagonals). Never for secrets: the JS copy cannot be zeroed reliably.

import type { RnsBasis } from "./basis.js";
import { FheError } from "./errors.js";
import type { RnsPoly } from "./poly.js";
import type { Ring } from "./ring.js";

/** An immutable copy of a polynomial's residues outside the heap. */
export class OffHeapPoly {
  readonly #words: Uint32Array;

  private constructor(readonly ring: Ring, readonly basis: RnsBasis, readonly isNtt: boolean, words: Uint32Array) {
    this.#words = words;
    Object.freeze(this);
  }

  /** A copy of `poly` (live, not secret material: FheError otherwise). `poly` is unchanged. */
  static of(poly: RnsPoly): OffHeapPoly {
    if (poly.secret) throw new FheError("INVALID_ARGUMENT", "move polynomial out of the heap", "secret material stays in the heap (it is zeroed there when freed)");
    const words = poly.basis.size * poly.n;
    const start = poly.limbAddress(0) >>> 2;
    return new OffHeapPoly(poly.ring, poly.basis, poly.isNtt, poly.ring.heap.u32().slice(start, start + words));
  }

  /** Bytes held outside the heap. */
  get bytes(): number {
    return this.#words.byteLength;
  }

  /** A new heap polynomial with these residues (the caller owns and disposes it). */
  restore(): RnsPoly {
    const poly = this.ring.allocate(this.basis, { ntt: this.isNtt });
    this.ring.heap.u32().set(this.#words, poly.limbAddress(0) >>> 2);
    return poly;
  }
}
