import { trackObject } from "./memory.js";
import type { Parameters } from "./parameters.js";
import type { RnsPoly } from "./ring/poly.js";

/**
 * A CKKS ciphertext (c_0, ..., c_d), d = `degree` (1 normally, 2 after a multiplication
 * before relinearization), each c_i in NTT form over Q at `level`; it decrypts to
 * sum c_i s^i, a plaintext of the given `scale` and `slots`.
 *
 * `seed` is set while c_1 is still the uniform polynomial expanded from it (fresh secret-key
 * encryptions): such ciphertexts serialize in half-size form. Any change clears it.
 */
export class Ciphertext implements Disposable {
  constructor(
    readonly params: Parameters,
    public polys: RnsPoly[],
    public level: number,
    public scale: number,
    readonly slots: number,
    public seed: Uint8Array | undefined = undefined,
  ) {
    trackObject(this, "ciphertext");
  }

  /** Degree in the secret: number of polynomials minus one. */
  get degree(): number {
    return this.polys.length - 1;
  }

  /** Frees every polynomial now (otherwise reclaimed after garbage collection). */
  dispose(): void {
    for (const poly of this.polys) poly.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
