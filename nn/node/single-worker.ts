// One worker thread behind a single-thread piscina pool, so every task reaches the worker that
// holds its state (a data shard, bootstrapping keys), with the worker's time and heap size.

import { Piscina } from "piscina";

export class SingleWorker<Task, Result extends { readonly ms: number; readonly heapBytes: number }> {
  readonly #pool: Piscina;
  /** Worker time and the worker heap's reserved bytes after the last task. */
  workerMs = 0;
  heapBytes = 0;

  /** `filename`: the worker module's URL (its default export handles a Task). */
  constructor(filename: URL) {
    this.#pool = new Piscina({ filename: filename.href, minThreads: 1, maxThreads: 1, idleTimeout: 3_600_000 });
  }

  async run(task: Task, transferList?: ArrayBuffer[]): Promise<Result> {
    const result = (await this.#pool.run(task, transferList === undefined ? {} : { transferList })) as Result;
    this.workerMs += result.ms;
    this.heapBytes = result.heapBytes;
    return result;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
