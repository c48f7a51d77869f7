// An encrypted tensor: ciphertexts plus the layout that says where each element is.

import { Ciphertext } from "../engine/ciphertext.js";
import { FheError } from "../engine/ring/errors.js";
import { shapeSize } from "./layers/layer.js";
import type { Layout } from "./layout.js";

/** Ciphertexts (owned: dispose() frees them) laid out by `layout`. */
export class EncryptedTensor implements Disposable {
  readonly ciphertexts: readonly Ciphertext[];

  /** Preconditions (checked): one ciphertext per element for a batch layout, all at one level and scale. */
  constructor(readonly layout: Layout, ciphertexts: readonly Ciphertext[]) {
    const expected = shapeSize(layout.shape);
    if (!Array.isArray(ciphertexts) || ciphertexts.length !== expected || !ciphertexts.every((ct) => ct instanceof Ciphertext)) {
      throw new FheError("INVALID_ARGUMENT", "create encrypted tensor", `a batch tensor of shape [${layout.shape.join(", ")}] needs ${expected} ciphertexts`);
    }
    const first = ciphertexts[0]!;
    if (ciphertexts.some((ct) => ct.level !== first.level || ct.scale !== first.scale)) {
      throw new FheError("MISMATCHED_OPERANDS", "create encrypted tensor", "every ciphertext of a tensor must have the same level and scale");
    }
    this.ciphertexts = Object.freeze([...ciphertexts]);
    Object.freeze(this);
  }

  get shape(): readonly number[] {
    return this.layout.shape;
  }

  get level(): number {
    return this.ciphertexts[0]!.level;
  }

  get scale(): number {
    return this.ciphertexts[0]!.scale;
  }

  /** Serialized size is reported by the client helpers; this frees the ciphertexts. */
  dispose(): void {
    for (const ct of this.ciphertexts) ct.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
