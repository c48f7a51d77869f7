// The demo server's work queue, deterministically: at most `concurrency` tasks run, at most
// `capacity` wait, the rest are refused at once; a failing task frees its slot.

import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../demo/server/queue.js";

describe("WorkQueue", () => {
  it("runs at most `concurrency` tasks, queues `capacity`, refuses the rest, and frees slots (also after a failure)", async () => {
    const queue = new WorkQueue(2, 1);
    const releases: (() => void)[] = [];
    const task = (): Promise<void> => new Promise<void>((resolve) => releases.push(resolve));
    const accepted = [queue.run(task), queue.run(task), queue.run(task)];
    expect(accepted.every((p) => p !== undefined)).toBe(true);
    expect(queue.run(task)).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.load).toEqual({ running: 2, waiting: 1 });
    releases.shift()!();
    await accepted[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.load).toEqual({ running: 2, waiting: 0 });
    const failing = queue.run(() => {
      throw new Error("boom");
    });
    const failed = expect(failing).rejects.toThrow("boom");
    for (let round = 0; round < 10 && queue.load.running + queue.load.waiting > 0; round++) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(accepted);
    await failed;
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });
});
