// An encrypted tensor: ciphertexts plus the layout that says where each element is.

import "../engine/ring/dispose-symbols.js";
import { Ciphertext } from "../engine/ciphertext.js";
import { FheError } from "../engine/ring/errors.js";
import { shapeSize } from "./layers/layer.js";
import type { Layout } from "./layout.js";

/** Ciphertexts (owned: dispose() frees them) laid out by `layout`. */
export class EncryptedTensor<L extends Layout = Layout> implements Disposable {
  readonly ciphertexts: readonly Ciphertext[];

  /**
   * Preconditions (checked): one ciphertext per element for a batch layout, one ciphertext of
   * layout.slots slots for a single layout; all at one level and scale.
   */
  constructor(readonly layout: L, ciphertexts: readonly Ciphertext[]) {
    const single = layout.kind === "single";
    const expected = single ? 1 : shapeSize(layout.shape);
    if (!Array.isArray(ciphertexts) || ciphertexts.length !== expected || !ciphertexts.every((ct) => ct instanceof Ciphertext)) {
      throw new FheError("INVALID_ARGUMENT", "create encrypted tensor", `a ${layout.kind} tensor of shape [${layout.shape.join(", ")}] needs ${expected} ciphertext${expected > 1 ? "s" : ""}`);
    }
    if (single && ciphertexts[0]!.slots !== layout.slots) {
      throw new FheError("INVALID_ARGUMENT", "create encrypted tensor", `the layout packs ${layout.slots} slots, the ciphertext ${ciphertexts[0]!.slots}: encode with { slots: ${layout.slots} }`);
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
