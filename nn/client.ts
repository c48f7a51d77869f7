// Client-side helpers: pack and encrypt samples, decrypt and unpack results, and the keys a
// compiled model needs from the key owner.

import type { Decryptor } from "../engine/decryptor.js";
import type { Encoder } from "../engine/encoding/encoder.js";
import type { Encryptor } from "../engine/encryptor.js";
import { packBatch, unpackBatch, type BatchLayout } from "./layout.js";
import type { ModelPlan } from "./plan.js";
import { EncryptedTensor } from "./tensor.js";

/** Options of {@link encryptBatch}. */
export interface EncryptBatchOptions {
  /** Level to encrypt at (default: the top level); a compiled model's `plan.input.level` is the cheapest that holds it. */
  readonly level?: number;
}

/** Encrypts a batch of samples: one ciphertext per element, sample s in slot s. */
export function encryptBatch(
  encryptor: Encryptor, encoder: Encoder, layout: BatchLayout, samples: readonly ArrayLike<number>[], options: EncryptBatchOptions = {},
): EncryptedTensor {
  const vectors = packBatch(layout, samples);
  const cts = [];
  try {
    for (const v of vectors) {
      using pt = encoder.encode(v, options.level === undefined ? {} : { level: options.level });
      cts.push(encryptor.encrypt(pt));
    }
    return new EncryptedTensor(layout, cts);
  } catch (error) {
    for (const ct of cts) ct.dispose();
    throw error;
  }
}

/** Decrypts a batch tensor: one flat Float64Array of outputs per sample. */
export function decryptBatch(decryptor: Decryptor, encoder: Encoder, tensor: EncryptedTensor): Float64Array[] {
  const vectors = tensor.ciphertexts.map((ct) => {
    using pt = decryptor.decrypt(ct);
    return encoder.decode(pt);
  });
  return unpackBatch(tensor.layout, vectors);
}

/** The evaluation keys a plan needs: a relinearization key and the Galois keys of these rotation steps. */
export function keysNeeded(plan: ModelPlan): { readonly relinearization: boolean; readonly rotations: readonly number[] } {
  return { relinearization: plan.needsRelinearizationKey, rotations: plan.rotationSteps };
}
