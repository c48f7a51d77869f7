// Shards of encrypted training in worker threads (Node): one single-thread piscina pool per
// shard, so every iteration's task reaches the worker that holds the shard's data.

import { Piscina } from "piscina";
import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Parameters } from "../../engine/parameters.js";
import { loadCiphertext, serializeCiphertext } from "../../engine/serialization/serialize.js";
import type { IterationStep, SigmoidChoice } from "../training/schedule.js";
import type { SoftmaxGradientSource } from "../training/softmax-trainer.js";
import type { GradientSource } from "../training/trainer.js";
import { bundleTransfer } from "../wire.js";
import type { ShardLoad, SoftmaxShardLoad, TrainingWorkerResult, TrainingWorkerTask } from "./training-protocol.js";

/** One worker thread holding a shard; its results load into `params` (the coordinator's). */
class ShardWorker {
  readonly #pool = new Piscina({ filename: new URL("./training-worker.js", import.meta.url).href, minThreads: 1, maxThreads: 1, idleTimeout: 3_600_000 });
  /** Worker time and the worker heap's reserved bytes after the last task. */
  workerMs = 0;
  heapBytes = 0;

  constructor(readonly params: Parameters) {}

  protected async run(task: TrainingWorkerTask, transferList?: ArrayBuffer[]): Promise<TrainingWorkerResult> {
    const result = (await this.#pool.run(task, transferList === undefined ? {} : { transferList })) as TrainingWorkerResult;
    this.workerMs += result.ms;
    this.heapBytes = result.heapBytes;
    return result;
  }

  async load(task: ShardLoad | SoftmaxShardLoad): Promise<void> {
    await this.run(task, bundleTransfer(task.data));
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

/** A logistic-regression shard in a worker: a {@link GradientSource}. */
export class WorkerShard extends ShardWorker implements GradientSource {
  async gradient(v: readonly Ciphertext[] | undefined, step: IterationStep, sigmoid: SigmoidChoice): Promise<Ciphertext[] | undefined> {
    const result = await this.run({ kind: "gradient", v: v?.map((ct) => serializeCiphertext(ct)), step, sigmoid });
    if (result.kind !== "gradient") throw new Error("unexpected worker reply");
    return result.h?.map((bytes) => loadCiphertext(this.params, bytes));
  }
}

/** A softmax shard in a worker: a {@link SoftmaxGradientSource}. */
export class SoftmaxWorkerShard extends ShardWorker implements SoftmaxGradientSource {
  async gradient(v: readonly Ciphertext[] | undefined, step: IterationStep): Promise<Ciphertext[]> {
    const result = await this.run({ kind: "softmaxGradient", v: v?.map((ct) => serializeCiphertext(ct)), step });
    if (result.kind !== "softmaxGradient") throw new Error("unexpected worker reply");
    return result.h.map((bytes) => loadCiphertext(this.params, bytes));
  }
}
