// Complex batch packing (two samples per slot, real and imaginary parts) against the float64
// twin: the small CNN on more samples than slots, random layer stacks (fast-check), the plan
// against what happens, the layout, and the refusals (missing conjugation key, Soft-Argmax,
// an input in the other packing).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Evaluator, FheError } from "../../engine/index.js";
import { batchLayout, decryptBatch, encryptBatch, keysNeeded, packBatch, Sequential, unpackBatch, type BatchLayout, type LayerSpec } from "../../nn/index.js";
import { makeContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, smallCnn, spec } from "../helpers/nn-models.js";

const c = makeContext({ logN: 11, logScale: 29, depth: 7, allowInsecureParametersForTesting: true }, { steps: [], conjugate: true });
const slots = c.params.maxSlots;

/** max |encrypted - twin| / max |twin| over every output of every sample, as log2. */
function relativeErrorBits(model: Sequential, samples: readonly ArrayLike<number>[], got: readonly Float64Array[]): number {
  let worst = 0;
  let largest = 1e-3;
  samples.forEach((sample, i) => model.predictPlain(sample).forEach((v, k) => {
    worst = Math.max(worst, Math.abs(v - got[i]![k]!));
    largest = Math.max(largest, Math.abs(v));
  }));
  return Math.log2(worst / largest);
}

describe("complex batch layout", () => {
  it("holds 2 slots samples: real parts first, imaginary parts after; pack and unpack are inverse", () => {
    const layout = batchLayout([3], slots + 5, slots, true);
    expect(layout.complex).toBe(true);
    const samples = Array.from({ length: slots + 5 }, (_, s) => Float64Array.from([s, -s, s / 7]));
    const vectors = packBatch(layout, samples);
    expect(vectors[0]!.length).toBe(2 * slots);
    expect(vectors[1]![slots + 2]).toBe(-(slots + 2));
    expect(unpackBatch(layout, vectors)).toEqual(samples);
    expect(() => batchLayout([3], 2 * slots + 1, slots, true)).toThrow(/batches of at most 4096|batches of at most 2048/);
    expect(batchLayout([3], 4, slots).complex).toBeUndefined();
    // A hand-made layout with more samples than it holds is refused, not silently truncated.
    expect(() => packBatch({ kind: "batch", shape: [1], samples: 2 * slots + 1, slots, complex: true }, Array.from({ length: 2 * slots + 1 }, () => [0])))
      .toThrow(/do not fit the layout/);
  });

  it("encrypts and decrypts both parts at a slot count that is not a power of two (the encoder pads it)", () => {
    const layout = batchLayout([2], 15, 10, true);
    const samples = Array.from({ length: 15 }, (_, s) => [s / 8, -s / 16]);
    using x = encryptBatch(c.skEncryptor, c.encoder, layout, samples);
    const back = decryptBatch(c.decryptor, c.encoder, x);
    back.forEach((got, s) => got.forEach((v, e) => expect(Math.abs(v - samples[s]![e]!)).toBeLessThan(2 ** -14)));
  });
});

describe("complex-packed encrypted inference", () => {
  const model = smallCnn(3, { side: 5, filters: 2, stride: 1, padding: [1, 0, 1, 0], units: 4 });
  const compiled = model.compile({ params: c.params, packing: "complex" });
  const batch = model.compile({ params: c.params });
  const random = seededRandom(4);
  const samples = Array.from({ length: slots + 300 }, () => randomArray(25, random).map((v) => (v + 1) / 2));

  it("plans the batch packing's levels and scales with one conjugation per activated element (the linear stages before them halved)", () => {
    expect(compiled.batchSize).toBe(2 * slots);
    expect(batch.batchSize).toBe(slots);
    expect(compiled.plan.stages.map((s) => s.output.level)).toEqual(batch.plan.stages.map((s) => s.output.level));
    const [, square, , poly] = compiled.plan.stages;
    expect(square!.conjugations).toBe(32);
    expect(poly!.conjugations).toBe(4);
    expect(compiled.plan.stages.map((s) => s.output.scale)).toEqual(batch.plan.stages.map((s) => s.output.scale));
    expect([square!.halvedInput, poly!.halvedInput]).toEqual([true, true]);
    const conv = compiled.plan.stages[0]!.stage;
    const fused = batch.plan.stages[0]!.stage;
    if (conv.kind !== "linear" || fused.kind !== "linear") throw new Error("expected linear stages");
    expect(Array.from(conv.map.values)).toEqual(Array.from(fused.map.values, (v) => v / 2));
    expect(Array.from(conv.map.bias)).toEqual(Array.from(fused.map.bias, (v) => v / 2));
    expect(compiled.plan.conjugations).toBe(36);
    expect(keysNeeded(compiled.plan as never)).toEqual({ relinearization: true, rotations: [], conjugate: true });
    expect(keysNeeded(batch.plan as never).conjugate).toBe(false);
  });

  it("decrypts both parts to the twin's outputs within 2^-8 of the largest output, following the plan", () => {
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
    expect(x.ciphertexts.length).toBe(25);
    using y = compiled.predict(c.evaluator, x);
    expect(y.level).toBe(compiled.plan.output.level);
    expect((y.layout as BatchLayout).complex).toBe(true);
    const got = decryptBatch(c.decryptor, c.encoder, y);
    expect(got.length).toBe(samples.length);
    expect(relativeErrorBits(model, samples, got)).toBeLessThan(-8);
    // The samples in the imaginary parts on their own.
    expect(relativeErrorBits(model, samples.slice(slots), got.slice(slots))).toBeLessThan(-8);
  });

  it("random conv / square / polynomial / dense stacks agree with the twin within 2^-9 (fast-check)", () => {
    fc.assert(fc.property(fc.integer(), fc.boolean(), fc.integer({ min: 1, max: 40 }), (seed, square, extra) => {
      const random = seededRandom(seed);
      const layers: LayerSpec[] = [
        { type: "conv2d", filters: 2, kernelSize: [2, 2], strides: [1, 1], padding: "same", kernel: randomArray(8, random, 0.5), bias: randomArray(2, random, 0.3) },
        square ? { type: "square" } : { type: "polyActivation", basis: "monomial", interval: [-3, 3], coefficients: [0.1, 0.5, 0.25] },
        { type: "flatten" },
        { type: "dense", units: 2, kernel: randomArray(3 * 3 * 2 * 2, random, 0.3), bias: randomArray(2, random) },
      ];
      const model = Sequential.fromSpec(spec([3, 3, 1], layers));
      const compiled = model.compile({ params: c.params, packing: "complex" });
      const samples = Array.from({ length: slots + extra }, () => randomArray(9, random));
      using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
      using y = compiled.predict(c.evaluator, x);
      expect(relativeErrorBits(model, samples, decryptBatch(c.decryptor, c.encoder, y))).toBeLessThan(-9);
    }), { numRuns: 4, seed: 21 });
  });

  it("an activation first (nothing to halve): a square read at 4 times the scale, a polynomial of y / 2; both equal the twin", () => {
    const random = seededRandom(31);
    for (const first of [{ type: "square" }, { type: "polyActivation", basis: "chebyshev", interval: [-2, 2], coefficients: [0.2, 0.6, 0.3, -0.1] }] as LayerSpec[]) {
      const model = Sequential.fromSpec(spec([6], [first, { type: "dense", units: 2, kernel: randomArray(12, random, 0.4), bias: randomArray(2, random) }]));
      const compiled = model.compile({ params: c.params, packing: "complex" });
      const batch = model.compile({ params: c.params });
      expect(compiled.plan.stages[0]!.halvedInput).toBeUndefined();
      expect(compiled.plan.stages.map((s) => s.output.level)).toEqual(batch.plan.stages.map((s) => s.output.level));
      const samples = Array.from({ length: slots + 9 }, () => randomArray(6, random).map((v) => 1.5 * v));
      using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
      using y = compiled.predict(c.evaluator, x);
      expect(relativeErrorBits(model, samples, decryptBatch(c.decryptor, c.encoder, y))).toBeLessThan(-9);
    }
  });

  it("refuses an evaluator without the conjugation key, a batch-packed input and a Soft-Argmax", () => {
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(10), samples.slice(0, 10), { level: compiled.plan.input.level });
    const noConjugation = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey });
    expect(() => compiled.predict(noConjugation, x)).toThrow(expect.objectContaining({ code: "MISSING_KEY", message: expect.stringMatching(/conjugate: true/) }));
    using plain = encryptBatch(c.skEncryptor, c.encoder, batch.inputLayout(10), samples.slice(0, 10), { level: batch.plan.input.level });
    expect(() => compiled.predict(c.evaluator, plain)).toThrow(/compiled for complex packing and the input is batch-packed/);
    expect(() => batch.predict(c.evaluator, x)).toThrow(/compiled for batch packing and the input is complex-packed/);
    // Two classes are a slot-wise sigmoid (complex packing runs it); three or more combine classes.
    const head = Sequential.fromSpec(spec([3], [{ type: "softArgmax", temperature: 1, interval: [-3, 3], degree: 7, sumInterval: [0.9, 5] }]));
    expect(() => head.compile({ params: c.params, packing: "complex" })).toThrow(FheError);
    expect(() => head.compile({ params: c.params, packing: "complex" })).toThrow(/does not run a Soft-Argmax/);
    expect(() => model.compile({ params: c.params, packing: "complexx" as never })).toThrow(/packing must be "batch", "complex" or "single"/);
  });
});
