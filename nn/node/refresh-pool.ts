// Refresh (bootstrapping) workers of encrypted training: a PackedBootstrap whose bootstrappings
// run in worker threads, each holding its own copy of the bootstrapping keys, so the feature
// groups of one refresh bootstrap in parallel (nn/training/refresh.ts).

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Parameters } from "../../engine/parameters.js";
import { loadCiphertext, serializeCiphertext } from "../../engine/serialization/serialize.js";
import { checkScaleDown, type PackedBootstrap } from "../training/refresh.js";
import type { BootstrapLoad, RefreshWorkerResult, RefreshWorkerTask } from "./refresh-protocol.js";
import { bundleTransfer } from "../wire.js";
import { SingleWorker } from "./single-worker.js";

type RefreshWorker = SingleWorker<RefreshWorkerTask, RefreshWorkerResult>;

/** Bootstrappings spread over `threads` workers in turn. close() ends them. */
export class RefreshPool implements PackedBootstrap {
  #next = 0;

  private constructor(
    readonly params: Parameters, readonly workers: readonly RefreshWorker[], readonly outputLevel: number, readonly slots: number, readonly scaleDown: number,
  ) {}

  /**
   * Starts `threads` workers and loads `load` (keys and shape) into each (its Galois key bytes are
   * transferred to the last: unusable afterwards); results load into `params`. Each worker holds
   * the Galois keys outside its heap: at bootstrap16 with 32 slots ~2.1 GiB, and ~1.5 GiB of heap.
   */
  static async start(params: Parameters, load: Omit<BootstrapLoad, "kind">, threads: number): Promise<RefreshPool> {
    checkScaleDown(load.scaleDown, "start refresh workers");
    const workers = Array.from({ length: threads }, () => new SingleWorker<RefreshWorkerTask, RefreshWorkerResult>(new URL("./refresh-worker.js", import.meta.url)));
    try {
      // The last worker takes the key bytes (transferred), the others copies.
      const results = await Promise.all(workers.map((w, i) => (i === threads - 1 ? w.run({ kind: "loadBootstrap", ...load }, bundleTransfer(load.galoisKeys)) : w.run({ kind: "loadBootstrap", ...load }))));
      const levels = new Set(results.map((r) => (r.kind === "loaded" ? r.outputLevel : Number.NaN)));
      if (levels.size !== 1) throw new Error("unexpected refresh worker reply");
      return new RefreshPool(params, workers, [...levels][0]!, load.shape.slots ?? params.maxSlots, load.scaleDown);
    } catch (error) {
      await Promise.all(workers.map((w) => w.close()));
      throw error;
    }
  }

  async split(packed: Ciphertext): Promise<[Ciphertext, Ciphertext]> {
    const worker = this.workers[this.#next++ % this.workers.length]!;
    const result = await worker.run({ kind: "refresh", packed: serializeCiphertext(packed) });
    if (result.kind !== "refreshed") throw new Error("unexpected refresh worker reply");
    const real = loadCiphertext(this.params, result.parts[0]);
    try {
      return [real, loadCiphertext(this.params, result.parts[1])];
    } catch (error) {
      real.dispose();
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
