// The data owner's side of softmax training: encrypting a task's features and one-hot labels at
// the plan's input level, and decrypting the trained weights.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Decryptor } from "../../engine/decryptor.js";
import type { Encoder } from "../../engine/encoding/encoder.js";
import type { Encryptor } from "../../engine/encryptor.js";
import { FheError } from "../../engine/ring/errors.js";
import { unpackWeights } from "./layout.js";
import { checkMulticlassTask, type MulticlassTask } from "./multiclass-task.js";
import { packFeatures, packLabels, type SoftmaxLayout } from "./softmax-layout.js";
import type { SoftmaxTrainingPlan } from "./softmax-plan.js";

/** One data ciphertext's encryption: its features and its labels. */
export interface EncryptedSamples {
  readonly features: Ciphertext;
  readonly labels: Ciphertext;
}

/**
 * Encrypts the data ciphertexts [first, first + count) of the task's packing (default: all), at
 * plan.inputLevel and plan.dataScale. Checks the task (INVALID_ARGUMENT on NaN features, labels
 * outside [0, C), a shape other than the plan's).
 */
export function encryptSoftmaxTask(
  encryptor: Encryptor, encoder: Encoder, plan: SoftmaxTrainingPlan, task: MulticlassTask,
  range: { readonly first: number; readonly count: number } = { first: 0, count: plan.layout.ciphertexts },
): EncryptedSamples[] {
  const operation = "encrypt training data";
  checkMulticlassTask(task, operation);
  const { layout } = plan;
  if (task.samples !== layout.samples || task.features !== layout.features || task.classes !== layout.classes) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `the task has ${task.samples} x ${task.features} values in ${task.classes} classes and the plan is for ${layout.samples} x ${layout.features} in ${layout.classes}`);
  }
  const encrypt = (values: Float64Array): Ciphertext => {
    using plaintext = encoder.encode(values, { level: plan.inputLevel, scale: plan.dataScale, slots: encoder.params.maxSlots });
    return encryptor.encrypt(plaintext);
  };
  return Array.from({ length: range.count }, (_, i) => {
    const k = range.first + i;
    const features = encrypt(packFeatures(layout, task, k));
    try {
      return { features, labels: encrypt(packLabels(layout, task, k)) };
    } catch (error) {
      features.dispose();
      throw error;
    }
  });
}

/** The weights of every class (d + 1 each, bias last) from encrypted weights. */
export function decryptSoftmaxWeights(decryptor: Decryptor, encoder: Encoder, layout: SoftmaxLayout, weights: readonly Ciphertext[]): Float64Array[] {
  return weights.map((w) => {
    using plaintext = decryptor.decrypt(w);
    return unpackWeights(layout, [encoder.decode(plaintext)]);
  });
}
