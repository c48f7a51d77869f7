// Messages between the encrypted-training coordinator and its shard workers.

import type { IterationStep, SigmoidChoice } from "../training/schedule.js";
import type { TrainingLayout } from "../training/layout.js";
import type { ByteBundle } from "../wire.js";

/** What a shard worker holds: parameters, evaluation keys (no secret) and its data ciphertexts. */
export interface ShardLoad {
  readonly kind: "load";
  readonly params: Uint8Array;
  readonly insecure: boolean;
  readonly relinearizationKey: Uint8Array;
  readonly galoisKeys: Uint8Array;
  readonly layout: TrainingLayout;
  /** Indices in the packing of the ciphertexts in `data`. */
  readonly indices: readonly number[];
  readonly data: ByteBundle;
}

/** One iteration's partial gradient; `v` absent at t = 0. */
export interface ShardGradient {
  readonly kind: "gradient";
  readonly v: Uint8Array | undefined;
  readonly step: IterationStep;
  readonly sigmoid: SigmoidChoice;
}

export type TrainingWorkerTask = ShardLoad | ShardGradient;

export type TrainingWorkerResult =
  | { readonly kind: "loaded"; readonly ms: number; readonly heapBytes: number }
  | { readonly kind: "gradient"; readonly h: Uint8Array | undefined; readonly ms: number; readonly heapBytes: number };
