// Asynchronous creation of the process-wide heap (pages' main threads): one heap however many
// calls race, and the synchronous accessor returns it afterwards.

import { describe, expect, it } from "vitest";
import { defaultHeap, defaultHeapAsync, Parameters, WasmHeap } from "../../engine/index.js";
import { testLiterals } from "../helpers/ckks.js";

describe("defaultHeapAsync", () => {
  it("creates the default heap once, asynchronously, and defaultHeap() returns it", async () => {
    const [a, b] = await Promise.all([defaultHeapAsync({ build: "scalar" }), defaultHeapAsync()]);
    expect(a).toBeInstanceOf(WasmHeap);
    expect(b).toBe(a);
    expect(a.build).toBe("scalar");
    expect(defaultHeap()).toBe(a);
    expect(Parameters.create(testLiterals.single).heap).toBe(a);
    expect(await defaultHeapAsync({ build: "simd" })).toBe(a);
  });
});
