// Byte bundles (many serialized objects in one transferable buffer) and batch layouts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchLayout, packBatch, unpackBatch } from "../../nn/index.js";
import { bundle, BundleBuilder, releaseBundle, unbundle } from "../../nn/wire.js";

describe("byte bundles", () => {
  it("unbundle(bundle(parts)) gives the parts back, empty parts included", () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), (parts) => {
      const back = unbundle(bundle(parts));
      expect(back.map((p) => Array.from(p))).toEqual(parts.map((p) => Array.from(p)));
    }), { seed: 4 });
  });

  it("BundleBuilder, part by part with the size guessed from the first part (parts of other sizes grow it), equals bundle(parts)", () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), fc.boolean(), (parts, guess) => {
      const builder = new BundleBuilder(parts.length, guess ? 0 : 7);
      for (const p of parts) builder.add(p);
      const built = builder.finish();
      const whole = bundle(parts);
      expect(Array.from(built.bytes)).toEqual(Array.from(whole.bytes));
      expect(Array.from(built.lengths)).toEqual(Array.from(whole.lengths));
    }), { seed: 5 });
  });

  it("releaseBundle detaches the buffers (views of the parts go empty); unbundling afterwards is CORRUPT_DATA", () => {
    const data = bundle([new Uint8Array([1, 2, 3]), new Uint8Array([4])]);
    const [first] = unbundle(data);
    releaseBundle(data);
    expect(data.bytes.length).toBe(0);
    expect(first!.length).toBe(0);
    expect(() => unbundle(data)).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
  });

  it("BundleBuilder refuses a part too many, a finish with parts missing, and a bad count", () => {
    const builder = new BundleBuilder(1);
    expect(() => builder.finish()).toThrow(/0 of 1 parts were added/);
    builder.add(new Uint8Array([1]));
    expect(() => builder.add(new Uint8Array([2]))).toThrow(/built for 1 parts/);
    expect(() => new BundleBuilder(-1)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("lengths that do not add up are CORRUPT_DATA, never a short read", () => {
    const data = bundle([new Uint8Array([1, 2, 3]), new Uint8Array([4])]);
    expect(() => unbundle({ bytes: data.bytes, lengths: Uint32Array.of(3, 2) })).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
    expect(() => unbundle({ bytes: data.bytes.subarray(1), lengths: data.lengths })).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
    expect(() => unbundle(null as never)).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
  });
});

describe("batch layout", () => {
  it("packs element e of sample s into vector e slot s, and unpacks back", () => {
    const layout = batchLayout([2, 2, 1], 3, 8);
    const samples = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
    const vectors = packBatch(layout, samples);
    expect(vectors).toHaveLength(4);
    expect(Array.from(vectors[1]!)).toEqual([2, 6, 10, 0, 0, 0, 0, 0]);
    expect(unpackBatch(layout, vectors).map((s) => Array.from(s))).toEqual(samples);
  });

  it("refuses more samples than slots, bad shapes and non-finite inputs", () => {
    expect(() => batchLayout([4], 9, 8)).toThrow(/9 samples do not fit in 8 slots/);
    expect(() => batchLayout([0], 1, 8)).toThrow(/shape must list positive integers/);
    const layout = batchLayout([2], 2, 4);
    expect(() => packBatch(layout, [[1, 2]])).toThrow(/expected 2 samples/);
    expect(() => packBatch(layout, [[1, 2], [3, Infinity]])).toThrow(/sample 1 element 1 is Infinity/);
  });
});
