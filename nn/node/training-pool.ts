// Shards of encrypted training in worker threads (Node): one single-thread piscina pool per
// shard, so every iteration's task reaches the worker that holds the shard's data.

import { Piscina } from "piscina";
import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Parameters } from "../../engine/parameters.js";
import { loadCiphertext, serializeCiphertext } from "../../engine/serialization/serialize.js";
import type { IterationStep, SigmoidChoice } from "../training/schedule.js";
import type { GradientSource } from "../training/trainer.js";
import { bundleTransfer } from "../wire.js";
import type { ShardLoad, TrainingWorkerResult } from "./training-protocol.js";

/** A shard in a worker; a {@link GradientSource} whose results load into `params` (the coordinator's). */
export class WorkerShard implements GradientSource {
  readonly #pool = new Piscina({ filename: new URL("./training-worker.js", import.meta.url).href, minThreads: 1, maxThreads: 1, idleTimeout: 3_600_000 });
  /** Worker time and the worker heap's reserved bytes after the last task. */
  workerMs = 0;
  heapBytes = 0;

  constructor(readonly params: Parameters) {}

  async load(task: ShardLoad): Promise<void> {
    const result = (await this.#pool.run(task, { transferList: bundleTransfer(task.data) })) as TrainingWorkerResult;
    this.workerMs += result.ms;
    this.heapBytes = result.heapBytes;
  }

  async gradient(v: Ciphertext | undefined, step: IterationStep, sigmoid: SigmoidChoice): Promise<Ciphertext | undefined> {
    const bytes = v === undefined ? undefined : serializeCiphertext(v);
    const result = (await this.#pool.run({ kind: "gradient", v: bytes, step, sigmoid })) as TrainingWorkerResult;
    this.workerMs += result.ms;
    this.heapBytes = result.heapBytes;
    if (result.kind !== "gradient") throw new Error("unexpected worker reply");
    return result.h === undefined ? undefined : loadCiphertext(this.params, result.h);
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
