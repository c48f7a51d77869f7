// A bounded work queue: at most `concurrency` tasks run at once, at most `capacity` wait; a task
// beyond that is refused at once (the caller answers 503), so memory stays bounded under load.

export class WorkQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly capacity: number) {}

  /** Tasks running and waiting. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /** Runs `task` when a slot is free; undefined (task not run) when the queue is full. */
  run<T>(task: () => Promise<T> | T): Promise<T> | undefined {
    if (this.#running >= this.concurrency && this.#waiting.length >= this.capacity) return undefined;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        // A macrotask: a synchronous task never runs inside the request handler that queued it.
        setImmediate(() => {
          Promise.resolve().then(task).then(resolve, reject).finally(() => {
            this.#running--;
            this.#waiting.shift()?.();
          });
        });
      };
      if (this.#running < this.concurrency) start();
      else this.#waiting.push(start);
    });
  }
}
