// `npm run mnist -- --mode single`: single-image (latency) inference on MNIST test digits, one
// image after another on this thread. The client encrypts each image (secret-key encryption,
// seeded) and sends bytes; the server loads them, evaluates (the latency measured), and sends
// bytes back; the client decrypts. Keys cross the same boundary once, as seeded bytes.

import { Decryptor } from "../../engine/decryptor.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { Encryptor } from "../../engine/encryptor.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { KeyGenerator } from "../../engine/key-generator.js";
import type { Parameters } from "../../engine/parameters.js";
import {
  loadCiphertext, loadGaloisKeys, loadSwitchingKey, serializeCiphertext, serializeGaloisKeys, serializeSwitchingKey,
} from "../../engine/serialization/serialize.js";
import { decryptSingle, encryptSingle } from "../client.js";
import type { CompiledModel } from "../compiled-model.js";
import type { SingleLayout } from "../layout.js";
import type { SinglePlan } from "../single/plan.js";
import { EncryptedTensor } from "../tensor.js";

/** Figures of a single-image run (times in ms, sizes in bytes). */
export interface SingleRunReport {
  /** outputs[i]: the decrypted model outputs (logits) of image i. */
  readonly outputs: Float64Array[];
  /** Server-side evaluation of each image (predict only), in order. */
  readonly evaluationMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Wall time of the whole run after key setup: client and server work of every image. */
  readonly wallMs: number;
  readonly encryptMs: number;
  readonly decryptMs: number;
  /** Client key generation (relinearization and Galois keys). */
  readonly keygenMs: number;
  readonly bytesUpPerImage: number;
  readonly bytesDownPerImage: number;
  readonly relinearizationKeyBytes: number;
  readonly galoisKeyBytes: number;
  readonly galoisKeys: number;
  readonly keySwitchesPerImage: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `compiled` (single packing) on `samples` one by one; `progress(done)` after each. The
 * first image also warms the code paths; every image counts in the median.
 */
export function runSingleImages(compiled: CompiledModel, samples: readonly ArrayLike<number>[], progress: (done: number) => void): SingleRunReport {
  const plan = compiled.plan as SinglePlan;
  const params: Parameters = compiled.params;
  const layout: SingleLayout = compiled.singleInputLayout();
  // Client: keys, uploaded once as seeded bytes.
  const keygenStart = performance.now();
  const keygen = new KeyGenerator(params);
  const relinearizationBytes = serializeSwitchingKey(keygen.createRelinearizationKey());
  const galoisBytes = serializeGaloisKeys(keygen.createGaloisKeys({ steps: [...plan.rotationSteps], conjugate: false }));
  const keygenMs = performance.now() - keygenStart;
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, keygen.secretKey);
  const decryptor = new Decryptor(params, keygen.secretKey);
  // Server: the model and the evaluation keys, never the secret key.
  const evaluator = new Evaluator(params, { relinearizationKey: loadSwitchingKey(params, relinearizationBytes), galoisKeys: loadGaloisKeys(params, galoisBytes) });

  const outputs: Float64Array[] = [];
  const evaluationMs: number[] = [];
  let [encryptMs, decryptMs, bytesUp, bytesDown] = [0, 0, 0, 0];
  const started = performance.now();
  samples.forEach((sample, i) => {
    const t0 = performance.now();
    const up = (() => {
      using x = encryptSingle(encryptor, encoder, layout, sample, { level: plan.input.level });
      return serializeCiphertext(x.ciphertexts[0]!);
    })();
    const t1 = performance.now();
    const down = (() => {
      using x = new EncryptedTensor(layout, [loadCiphertext(params, up)]);
      const t = performance.now();
      using y = compiled.predict(evaluator, x);
      evaluationMs.push(performance.now() - t);
      return serializeCiphertext(y.ciphertexts[0]!);
    })();
    const t2 = performance.now();
    using y = new EncryptedTensor(plan.outputLayout, [loadCiphertext(params, down)]);
    outputs.push(decryptSingle(decryptor, encoder, y));
    decryptMs += performance.now() - t2;
    encryptMs += t1 - t0;
    bytesUp += up.length;
    bytesDown += down.length;
    progress(i + 1);
  });
  const wallMs = performance.now() - started;
  return {
    outputs, evaluationMs, medianMs: median(evaluationMs), minMs: Math.min(...evaluationMs), maxMs: Math.max(...evaluationMs),
    wallMs, encryptMs, decryptMs, keygenMs,
    bytesUpPerImage: bytesUp / samples.length, bytesDownPerImage: bytesDown / samples.length,
    relinearizationKeyBytes: relinearizationBytes.length, galoisKeyBytes: galoisBytes.length,
    galoisKeys: plan.rotationSteps.length, keySwitchesPerImage: plan.keySwitches,
  };
}
