// Batch inference on every core (Node): a piscina pool of worker threads, each with its own
// WebAssembly heap. The client's work (encryption, decryption) and the server's (encrypted
// inference) run as separate tasks that only exchange serialized bytes: server tasks receive
// the evaluation key and ciphertexts, never the secret key.

import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { Parameters } from "../../engine/parameters.js";
import { GaloisKeys, type SecretKey, type SwitchingKey } from "../../engine/keys.js";
import { serializeGaloisKeys, serializeParameters, serializeSecretKey, serializeSwitchingKey } from "../../engine/serialization/serialize.js";
import { batchCapacity } from "../layout.js";
import { conjugationGaloisElement } from "../../engine/ring/automorphism.js";
import { FheError } from "../../engine/ring/errors.js";
import type { Sequential } from "../sequential.js";
import { shapeSize } from "../layers/layer.js";
import { bundleTransfer } from "../wire.js";
import type { ClientSessionBytes, ServerSessionBytes, WorkerResult, WorkerTask } from "./protocol.js";

export interface BatchPoolOptions {
  /** Worker threads (default: all cores). */
  readonly threads?: number;
}

/** Per-batch and total figures of a run. */
export interface BatchRunReport {
  /** outputs[i]: the decrypted model outputs (logits) of sample i. */
  readonly outputs: Float64Array[];
  readonly batches: number;
  readonly wallMs: number;
  /** Sums over batches of the time spent in each kind of task (worker time, not wall time). */
  readonly encryptMs: number;
  readonly inferMs: number;
  readonly evaluationMs: number;
  readonly decryptMs: number;
  /** Ciphertext bytes sent to the server and back. */
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Evaluation key bytes (seeded form) the client uploads once: relinearization key, and the conjugation key for complex packing. */
  readonly keyBytes: number;
}

/** Keys and model of one inference session. */
export interface BatchSession {
  readonly params: Parameters;
  readonly secretKey: SecretKey;
  readonly relinearizationKey: SwitchingKey;
  readonly model: Sequential;
  /** Level the client encrypts at (the compiled model's plan.input.level). */
  readonly level: number;
  /**
   * Complex batch packing (two samples per slot: half the ciphertexts): needs `galoisKeys` with
   * the conjugation key (keyGenerator.createGaloisKeys({ steps: [], conjugate: true })).
   */
  readonly complex?: boolean;
  readonly galoisKeys?: GaloisKeys;
}

export class BatchInferencePool {
  readonly threads: number;
  readonly #pool: Piscina;

  constructor(options: BatchPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 256) {
      throw new FheError("INVALID_ARGUMENT", "create inference pool", `threads must be an integer in [1, 256], got ${threads}`);
    }
    this.threads = threads;
    this.#pool = new Piscina({ filename: new URL("./batch-worker.js", import.meta.url).href, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  }

  /**
   * Encrypts `samples` in batches of up to params.maxSlots (twice that in complex packing; client tasks), runs the model on
   * each batch (server tasks) and decrypts (client tasks), all batches in flight at once.
   * `onBatch(done, total)` reports progress.
   */
  async run(session: BatchSession, samples: readonly ArrayLike<number>[], onBatch?: (done: number, total: number) => void): Promise<BatchRunReport> {
    const started = performance.now();
    const { params, model } = session;
    const complex = session.complex ?? false;
    if (typeof complex !== "boolean") throw new FheError("INVALID_ARGUMENT", "run batch inference", "session.complex must be a boolean");
    if (complex && !(session.galoisKeys instanceof GaloisKeys && session.galoisKeys.get(conjugationGaloisElement(params.n)) !== undefined)) {
      throw new FheError("MISSING_KEY", "run batch inference", "complex packing needs the conjugation key: pass galoisKeys: keyGenerator.createGaloisKeys({ steps: [], conjugate: true })");
    }
    const size = shapeSize(model.inputShape);
    const outputSize = shapeSize(model.outputShape);
    const batches = Math.max(1, Math.ceil(samples.length / batchCapacity(params.maxSlots, complex)));
    const perBatch = Math.ceil(samples.length / batches);
    const client: ClientSessionBytes = { id: randomUUID(), params: serializeParameters(params), insecure: params.insecure, secretKey: serializeSecretKey(session.secretKey) };
    const relinearizationKey = serializeSwitchingKey(session.relinearizationKey);
    const galoisKeys = complex ? serializeGaloisKeys(session.galoisKeys!) : undefined;
    const server: ServerSessionBytes = {
      id: randomUUID(), params: client.params, insecure: params.insecure, relinearizationKey, model: JSON.stringify(model), complex, ...(galoisKeys === undefined ? {} : { galoisKeys }),
    };
    const outputs: Float64Array[] = new Array(samples.length);
    const totals = { encryptMs: 0, inferMs: 0, evaluationMs: 0, decryptMs: 0, bytesUp: 0, bytesDown: 0 };
    let done = 0;
    const runBatch = async (b: number) => {
      const first = b * perBatch;
      const count = Math.min(perBatch, samples.length - first);
      const flat = new Float64Array(count * size);
      for (let i = 0; i < count; i++) flat.set(samples[first + i]!, i * size);
      const encrypted = await this.#task({ kind: "encrypt", session: client, shape: model.inputShape, level: session.level, count, complex, samples: flat }, [flat.buffer]);
      if (encrypted.kind !== "encrypted") throw new Error("unexpected worker reply");
      totals.encryptMs += encrypted.ms;
      totals.bytesUp += encrypted.data.bytes.length;
      const inferred = await this.#task({ kind: "infer", session: server, count, data: encrypted.data }, bundleTransfer(encrypted.data));
      if (inferred.kind !== "inferred") throw new Error("unexpected worker reply");
      totals.inferMs += inferred.ms;
      totals.evaluationMs += inferred.evaluationMs;
      totals.bytesDown += inferred.data.bytes.length;
      const decrypted = await this.#task({ kind: "decrypt", session: client, shape: model.outputShape, count, complex, data: inferred.data }, bundleTransfer(inferred.data));
      if (decrypted.kind !== "decrypted") throw new Error("unexpected worker reply");
      totals.decryptMs += decrypted.ms;
      for (let i = 0; i < count; i++) outputs[first + i] = decrypted.outputs.slice(i * outputSize, (i + 1) * outputSize);
      onBatch?.(++done, batches);
    };
    // Every batch in flight: the pool runs tasks first come, first served, so a thread that
    // finishes an encryption early takes the next batch's encryption or a ready evaluation
    // (3 batches on 2 threads finish in 5 task-units instead of 6 with one lane per thread).
    await Promise.all(Array.from({ length: batches }, (_, b) => runBatch(b)));
    return { outputs, batches, wallMs: performance.now() - started, ...totals, keyBytes: relinearizationKey.length + (galoisKeys?.length ?? 0) };
  }

  async #task(task: WorkerTask, transferList: ArrayBuffer[]): Promise<WorkerResult> {
    return (await this.#pool.run(task, { transferList })) as WorkerResult;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
