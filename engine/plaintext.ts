import { trackObject } from "./memory.js";
import type { Parameters } from "./parameters.js";
import type { RnsPoly } from "./ring/poly.js";

/**
 * An encoded message: a polynomial in NTT form over Q at `level`, with the scale its
 * coefficients carry and the number of slots it packs (a power of two <= N/2; fewer than N/2
 * means sparse packing, the vector repeated across the full slot space).
 */
export class Plaintext implements Disposable {
  constructor(
    readonly params: Parameters,
    readonly poly: RnsPoly,
    public level: number,
    public scale: number,
    readonly slots: number,
  ) {
    trackObject(this, "plaintext");
  }

  /** Frees the polynomial now (otherwise reclaimed after garbage collection). */
  dispose(): void {
    this.poly.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
