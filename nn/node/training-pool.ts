// Shards of encrypted training in worker threads (Node): one single-thread piscina pool per
// shard, so every iteration's task reaches the worker that holds the shard's data.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Parameters } from "../../engine/parameters.js";
import { loadCiphertext, serializeCiphertext } from "../../engine/serialization/serialize.js";
import type { IterationStep, SigmoidChoice } from "../training/schedule.js";
import type { SoftmaxGradientSource } from "../training/softmax-trainer.js";
import type { GradientSource } from "../training/trainer.js";
import { bundleTransfer } from "../wire.js";
import { SingleWorker } from "./single-worker.js";
import type { ShardLoad, SoftmaxShardLoad, TrainingWorkerResult, TrainingWorkerTask } from "./training-protocol.js";

/** One worker thread holding a shard; its results load into `params` (the coordinator's). */
class ShardWorker extends SingleWorker<TrainingWorkerTask, TrainingWorkerResult> {
  constructor(readonly params: Parameters) {
    super(new URL("./training-worker.js", import.meta.url));
  }

  async load(task: ShardLoad | SoftmaxShardLoad): Promise<void> {
    await this.run(task, bundleTransfer(task.data));
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
