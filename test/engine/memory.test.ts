// Forgotten ciphertexts are reclaimed: a long loop of mulRelin + rescale that never calls
// dispose() keeps the default heap's reserved memory bounded, as long as the garbage collector
// gets to run (vitest runs with --expose-gc; FinalizationRegistry callbacks need a macrotask).

import { describe, expect, it } from "vitest";
import { defaultHeap, type Ciphertext } from "../../engine/index.js";
import { expectPrecision, makeContext, oneOperationBound, uniformValues, vmul, type Vec } from "../helpers/ckks.js";

const gc = (globalThis as { gc?: () => void }).gc;

async function macrotask(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** GC and let finalizers run (a few rounds: finalization callbacks are queued as tasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await macrotask();
  }
}

describe("memory of forgotten objects (default heap)", () => {
  it("has garbage collection exposed", () => {
    expect(typeof gc).toBe("function");
  });

  it("2,000 mulRelin + rescale without dispose keep bytesReserved bounded", async () => {
    const c = makeContext({ logN: 10, logScale: 30, depth: 2, allowInsecureParametersForTesting: true });
    const heap = defaultHeap();
    expect(c.params.ring.heap).toBe(heap);
    const v: Vec = { re: uniformValues(512, 1), im: uniformValues(512, 2) };
    const x = c.encrypt(v);
    let last: Ciphertext | undefined;
    let reservedAt200 = 0;
    let inUseAt200 = 0;
    const reserved: number[] = [];
    for (let i = 1; i <= 2000; i++) {
      // Neither the degree-1 product nor the rescaled result is disposed.
      last = c.evaluator.rescale(c.evaluator.mulRelin(x, x));
      if (i % 100 === 0) {
        await collect();
        reserved.push(heap.bytesReserved);
        if (i === 200) {
          reservedAt200 = heap.bytesReserved;
          inUseAt200 = heap.bytesInUse;
        }
      }
    }
    await collect();
    const growth = heap.bytesReserved - reservedAt200;
    expect(growth, `bytesReserved every 100 iterations: ${reserved.map((b) => (b / 2 ** 20).toFixed(1)).join(", ")} MiB`)
      .toBeLessThan(4 * 2 ** 20);
    // What is in use does not creep up either (the live objects are the same few).
    expect(heap.bytesInUse - inUseAt200).toBeLessThan(2 * 2 ** 20);
    // The heap was not corrupted by the recycling: the last result still decrypts.
    expectPrecision(c.decrypt(last!), vmul(v, v), oneOperationBound(c.params));
  });

  it("forgotten fresh encryptions, plaintexts and decryptions are reclaimed too", async () => {
    const c = makeContext({ logN: 10, logScale: 30, depth: 2, allowInsecureParametersForTesting: true });
    const heap = defaultHeap();
    const v: Vec = { re: uniformValues(512, 3), im: uniformValues(512, 4) };
    const round = (): void => {
      for (let i = 0; i < 100; i++) c.decryptor.decrypt(c.encryptor.encrypt(c.encoder.encodeComplex(v)));
    };
    round();
    await collect();
    const before = heap.bytesReserved;
    for (let r = 0; r < 10; r++) {
      round();
      await collect();
    }
    expect(heap.bytesReserved - before).toBeLessThan(4 * 2 ** 20);
  });
});
