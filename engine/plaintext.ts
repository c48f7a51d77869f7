import "./ring/dispose-symbols.js";
import { trackObject } from "./memory.js";
import type { Parameters } from "./parameters.js";
import { disposePolys, type RnsPoly } from "./ring/poly.js";

/**
 * An encoded message: a polynomial in NTT form over Q at `level`, with the scale its
 * coefficients carry and the number of slots it packs (a power of two <= N/2; fewer than N/2
 * means sparse packing, the vector repeated across the full slot space). Read-only: every
 * public entry checks that the polynomial's basis and form match `level` before using it.
 */
export class Plaintext implements Disposable {
  /**
   * @internal Built by the encoder, the decryptor and the loader. Preconditions: `poly` is
   * owned by the new plaintext, in NTT form over Q at `level` of `params`.
   */
  constructor(
    readonly params: Parameters,
    readonly poly: RnsPoly,
    readonly level: number,
    readonly scale: number,
    readonly slots: number,
  ) {
    trackObject(this, "plaintext");
    Object.freeze(this);
  }

  /** Frees the polynomial now (otherwise reclaimed after garbage collection). */
  dispose(): void {
    disposePolys([this.poly]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
