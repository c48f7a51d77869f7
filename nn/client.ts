// Client-side helpers: pack and encrypt samples, decrypt and unpack results, and the keys a
// compiled model needs from the key owner.

import type { Ciphertext } from "../engine/ciphertext.js";
import type { Decryptor } from "../engine/decryptor.js";
import type { Encoder } from "../engine/encoding/encoder.js";
import type { Encryptor } from "../engine/encryptor.js";
import { FheError } from "../engine/ring/errors.js";
import { packBatch, packSingle, unpackBatch, unpackSingle, type BatchLayout, type Layout, type SingleLayout } from "./layout.js";
import type { ModelPlan } from "./plan.js";
import { EncryptedTensor } from "./tensor.js";

/** Options of {@link encryptBatch}. */
export interface EncryptBatchOptions {
  /** Level to encrypt at (default: the top level); a compiled model's `plan.input.level` is the cheapest that holds it. */
  readonly level?: number;
}

/** Encrypts a batch of samples: one ciphertext per element, sample s in slot s (two samples per slot, real and imaginary parts, when the layout is complex). */
export function encryptBatch(
  encryptor: Encryptor, encoder: Encoder, layout: BatchLayout, samples: readonly ArrayLike<number>[], options: EncryptBatchOptions = {},
): EncryptedTensor {
  const cts = [];
  try {
    for (const ct of encryptBatchElements(encryptor, encoder, layout, samples, options)) cts.push(ct);
    return new EncryptedTensor(layout, cts);
  } catch (error) {
    for (const ct of cts) ct.dispose();
    throw error;
  }
}

/**
 * The ciphertexts of {@link encryptBatch}, element by element, each encrypted only when asked
 * for: a caller that serializes and disposes each one before taking the next (a client sending
 * a batch) keeps one ciphertext in the heap instead of one per element. The caller owns (and
 * disposes) every ciphertext it takes. The samples are checked before the first is yielded.
 */
export function* encryptBatchElements(
  encryptor: Encryptor, encoder: Encoder, layout: BatchLayout, samples: readonly ArrayLike<number>[], options: EncryptBatchOptions = {},
): Generator<Ciphertext, void, undefined> {
  const vectors = packBatch(layout, samples);
  const encodeOptions = options.level === undefined ? {} : { level: options.level };
  const { slots } = layout;
  for (const v of vectors) {
    using pt = layout.complex === true
      ? encoder.encodeComplex({ re: v.subarray(0, slots), im: v.subarray(slots) }, encodeOptions)
      : encoder.encode(v, encodeOptions);
    yield encryptor.encrypt(pt);
  }
}

function requireKind<K extends Layout["kind"]>(tensor: EncryptedTensor, kind: K, operation: string): asserts tensor is EncryptedTensor<Extract<Layout, { kind: K }>> {
  if (!(tensor instanceof EncryptedTensor) || tensor.layout.kind !== kind) {
    const got = tensor instanceof EncryptedTensor ? `a ${tensor.layout.kind} tensor` : "no EncryptedTensor";
    throw new FheError("INVALID_ARGUMENT", operation, `expected a ${kind}-packed EncryptedTensor, got ${got}: use decrypt${kind === "batch" ? "Single" : "Batch"} for it`);
  }
}

/** Decrypts a batch tensor: one flat Float64Array of outputs per sample. */
export function decryptBatch(decryptor: Decryptor, encoder: Encoder, tensor: EncryptedTensor): Float64Array[] {
  requireKind(tensor, "batch", "decrypt batch");
  const complex = tensor.layout.complex === true;
  const vectors = tensor.ciphertexts.map((ct) => {
    using pt = decryptor.decrypt(ct);
    if (!complex) return encoder.decode(pt);
    const { re, im } = encoder.decodeComplex(pt);
    const { slots } = tensor.layout;
    const both = new Float64Array(2 * slots);
    both.set(re.subarray(0, slots));
    both.set(im.subarray(0, slots), slots);
    return both;
  });
  return unpackBatch(tensor.layout, vectors);
}

/**
 * Encrypts one sample (flat, channels last) in a single layout: one ciphertext of layout.slots
 * slots, at options.level (default the top level; a compiled model's plan.input.level is the
 * cheapest that holds it).
 */
export function encryptSingle(
  encryptor: Encryptor, encoder: Encoder, layout: SingleLayout, sample: ArrayLike<number>, options: EncryptBatchOptions = {},
): EncryptedTensor<SingleLayout> {
  using pt = encoder.encode(packSingle(layout, sample), options.level === undefined ? { slots: layout.slots } : { slots: layout.slots, level: options.level });
  return new EncryptedTensor(layout, [encryptor.encrypt(pt)]);
}

/** Decrypts a single-packed tensor: its elements (flat, channels last), read where the layout holds them. */
export function decryptSingle(decryptor: Decryptor, encoder: Encoder, tensor: EncryptedTensor): Float64Array {
  requireKind(tensor, "single", "decrypt single");
  using pt = decryptor.decrypt(tensor.ciphertexts[0]!);
  return unpackSingle(tensor.layout, encoder.decode(pt));
}

/**
 * The evaluation keys a plan needs: a relinearization key, the Galois keys of these rotation
 * steps (single packing; batch packing needs none) and the conjugation key (complex packing):
 * keyGenerator.createGaloisKeys({ steps: rotations, conjugate }) (a SinglePlan states their
 * serialized size, galoisKeyBytes).
 */
export function keysNeeded(plan: ModelPlan): { readonly relinearization: boolean; readonly rotations: readonly number[]; readonly conjugate: boolean } {
  return { relinearization: plan.needsRelinearizationKey, rotations: plan.rotationSteps, conjugate: plan.needsConjugationKey === true };
}
