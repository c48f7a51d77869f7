// The data owner's side: encrypting a task's packed rows at the plan's input level, and
// decrypting the trained weights.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Decryptor } from "../../engine/decryptor.js";
import type { Encoder } from "../../engine/encoding/encoder.js";
import type { Encryptor } from "../../engine/encryptor.js";
import { describe, FheError } from "../../engine/ring/errors.js";
import { dataScaleBitsFor } from "./gradient.js";
import { packCiphertext, unpackWeights, type TrainingLayout } from "./layout.js";
import type { TrainingPlan } from "./plan.js";
import { checkTask, type TrainingTask } from "./task.js";

/**
 * Encrypts the data ciphertexts [first, first + count) of the task's packing (default: all;
 * ciphertext c g + j holds feature group j of sample set c), at
 * plan.inputLevel and scale Δ / 2^a (a = dataScaleBitsFor(params)). Checks the task (INVALID_ARGUMENT on NaN
 * features, labels not in {0, 1}, a shape other than the plan's).
 */
export function encryptTask(
  encryptor: Encryptor, encoder: Encoder, plan: TrainingPlan, task: TrainingTask,
  range: { readonly first: number; readonly count: number } = { first: 0, count: plan.layout.ciphertexts },
): Ciphertext[] {
  const operation = "encrypt training data";
  checkTask(task, operation);
  const { layout } = plan;
  if (task.samples !== layout.samples || task.features !== layout.features) {
    throw new FheError("INVALID_ARGUMENT", operation, `the task has ${task.samples} x ${task.features} values and the plan is for ${layout.samples} x ${layout.features}`);
  }
  const params = encoder.params;
  return Array.from({ length: range.count }, (_, i) => {
    using plaintext = encoder.encodeComplex(packCiphertext(layout, task, range.first + i), { level: plan.inputLevel, scale: params.scale / 2 ** dataScaleBitsFor(params), slots: params.maxSlots });
    return encryptor.encrypt(plaintext);
  });
}

/** The d + 1 weights (bias last) from encrypted weights, one ciphertext per feature group. */
export function decryptWeights(decryptor: Decryptor, encoder: Encoder, layout: TrainingLayout, weights: readonly Ciphertext[]): Float64Array {
  if (!Array.isArray(weights)) throw new FheError("INVALID_ARGUMENT", "decrypt weights", `expected an array of ${layout.groups} weight ciphertexts (one per feature group), got ${describe(weights)}`);
  return unpackWeights(layout, weights.map((ct) => {
    using plaintext = decryptor.decrypt(ct);
    return encoder.decode(plaintext);
  }));
}
