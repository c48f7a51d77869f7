// Messages between the encrypted-training coordinator and its shard workers: logistic-regression
// shards (load, gradient) and softmax shards (loadSoftmax, softmaxGradient).

import type { IterationStep, SigmoidChoice } from "../training/schedule.js";
import type { TrainingLayout } from "../training/layout.js";
import type { SoftmaxShape } from "../training/softmax-plan.js";
import type { SoftmaxTrainingOptions } from "../training/softmax-schedule.js";
import type { ByteBundle } from "../wire.js";

/** What every shard worker holds: parameters and evaluation keys (no secret). */
interface KeysLoad {
  readonly params: Uint8Array;
  readonly insecure: boolean;
  readonly relinearizationKey: Uint8Array;
  readonly galoisKeys: Uint8Array;
  /** Indices in the packing of the data sent: sample sets (logistic regression), data ciphertexts (softmax). */
  readonly indices: readonly number[];
}

/** A logistic-regression shard: its sample sets, each as its feature groups' ciphertexts (layout.groups per set). */
export interface ShardLoad extends KeysLoad {
  readonly kind: "load";
  readonly layout: TrainingLayout;
  readonly data: ByteBundle;
}

/** A softmax shard: the plan's inputs (the worker plans again) and, per data ciphertext, its features then its labels. */
export interface SoftmaxShardLoad extends KeysLoad {
  readonly kind: "loadSoftmax";
  readonly shape: SoftmaxShape;
  readonly options: SoftmaxTrainingOptions;
  readonly data: ByteBundle;
}

/** One iteration's partial gradient (one per feature group); `v` (one per group) absent at t = 0. */
export interface ShardGradient {
  readonly kind: "gradient";
  readonly v: readonly Uint8Array[] | undefined;
  readonly step: IterationStep;
  readonly sigmoid: SigmoidChoice;
}

/** One iteration's partial softmax gradients (one per class); `v` (one per class) absent at t = 0. */
export interface SoftmaxShardGradient {
  readonly kind: "softmaxGradient";
  readonly v: readonly Uint8Array[] | undefined;
  readonly step: IterationStep;
}

export type TrainingWorkerTask = ShardLoad | SoftmaxShardLoad | ShardGradient | SoftmaxShardGradient;

export type TrainingWorkerResult =
  | { readonly kind: "loaded"; readonly ms: number; readonly heapBytes: number }
  | { readonly kind: "gradient"; readonly h: readonly Uint8Array[] | undefined; readonly ms: number; readonly heapBytes: number }
  | { readonly kind: "softmaxGradient"; readonly h: readonly Uint8Array[]; readonly ms: number; readonly heapBytes: number };
