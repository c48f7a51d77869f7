// Encrypted batch inference against the float64 twin: a small CNN (conv, square, dense,
// polynomial activation, dense) on random weights and inputs, the planner's prediction against
// what happens, and the refusals (shallow parameters, missing key, wrong input).

import { describe, expect, it } from "vitest";
import { FheError, KeyGenerator, Parameters, Evaluator } from "../../engine/index.js";
import fc from "fast-check";
import { decryptBatch, encryptBatch, encryptBatchElements, EncryptedTensor, Sequential, type LayerSpec } from "../../nn/index.js";
import { executionSteps } from "../../nn/batch-executor.js";
import type { ModelPlan } from "../../nn/plan.js";
import { makeContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, smallCnn as smallCnnOf, spec } from "../helpers/nn-models.js";

const c = makeContext({ logN: 11, logScale: 29, depth: 7, allowInsecureParametersForTesting: true });

const geometry = { side: 5, filters: 2, stride: 1, padding: [1, 0, 1, 0], units: 4 } as const;
const smallCnn = (seed: number) => smallCnnOf(seed, { ...geometry, padding: [...geometry.padding] });

describe("batch-packed encrypted inference", () => {
  const model = smallCnn(1);
  const compiled = model.compile({ params: c.params });
  const random = seededRandom(2);
  const samples = Array.from({ length: 200 }, () => randomArray(25, random).map((v) => (v + 1) / 2));

  it("plans 6 levels: linear 1, square 1, linear 1, degree-3 polynomial 2, linear 1; relinearizes lazily", () => {
    expect(compiled.stages.map((s) => s.kind)).toEqual(["linear", "activation", "linear", "activation", "linear"]);
    expect(compiled.plan.depth).toBe(6);
    // Inputs are encrypted at the lowest level that holds the model (7 levels available, 6 needed).
    expect(compiled.plan.input.level).toBe(6);
    expect(compiled.plan.output.level).toBe(0);
    // The square stays unrelinearized: the dense stage relinearizes its 4 outputs, not 32 inputs.
    expect(compiled.plan.stages[1]!.outputDegree).toBe(2);
    expect(compiled.plan.stages[2]!.relinearizations).toBe(4);
    expect(compiled.plan.rotationSteps).toEqual([]);
  });

  it("decrypts to the twin's outputs within 2^-8 (relative to the largest output) and follows the plan", () => {
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
    const seen: number[] = [];
    using y = compiled.predict(c.evaluator, x, { progress: (done) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(y.shape).toEqual([3]);
    expect(y.level).toBe(compiled.plan.output.level);
    expect(y.scale / compiled.plan.output.scale).toBeCloseTo(1, 9);
    const got = decryptBatch(c.decryptor, c.encoder, y);
    let maxError = 0;
    let maxValue = 0;
    samples.forEach((s, i) => {
      const want = model.predictPlain(s);
      want.forEach((v, k) => {
        maxError = Math.max(maxError, Math.abs(v - got[i]![k]!));
        maxValue = Math.max(maxValue, Math.abs(v));
      });
    });
    expect(maxValue).toBeGreaterThan(0.1);
    expect(Math.log2(maxError / maxValue)).toBeLessThan(-8);
    // The input tensor is left untouched and still usable.
    expect(x.ciphertexts.every((ct) => ct.level === compiled.plan.input.level)).toBe(true);
  });

  it("consumeInput: the same outputs, and the input is disposed (using it again is DISPOSED); refused for single packing and non-booleans", () => {
    const some = samples.slice(0, 20);
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(some.length), some, { level: compiled.plan.input.level });
    using kept = compiled.predict(c.evaluator, x);
    using consumed = compiled.predict(c.evaluator, x, { consumeInput: true });
    const [a, b] = [decryptBatch(c.decryptor, c.encoder, kept), decryptBatch(c.decryptor, c.encoder, consumed)];
    a.forEach((row, i) => row.forEach((v, k) => expect(Math.abs(v - b[i]![k]!)).toBeLessThan(2 ** -12)));
    expect(() => compiled.predict(c.evaluator, x)).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    using y = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(1), [some[0]!], { level: compiled.plan.input.level });
    expect(() => compiled.predict(c.evaluator, y, { consumeInput: "yes" as never })).toThrow(/consumeInput must be a boolean/);
  });
});

describe("every layer kind encrypted against its twin (fast-check)", () => {
  it("random dense / conv / avgPool / batchNorm / square / polynomial stacks agree within 2^-9 of the largest output", () => {
    const layerKind = fc.constantFrom("conv", "pool", "bn");
    fc.assert(fc.property(fc.integer(), fc.array(layerKind, { minLength: 1, maxLength: 2 }), fc.boolean(), (seed, front, square) => {
      const random = seededRandom(seed);
      const layers: LayerSpec[] = [];
      let shape: [number, number, number] = [4, 4, 2];
      for (const kind of front) {
        const [h, w, ch] = shape;
        if (kind === "conv") {
          layers.push({ type: "conv2d", filters: 2, kernelSize: [2, 2], strides: [1, 1], padding: "same", kernel: randomArray(8 * ch, random, 0.5), bias: randomArray(2, random, 0.1) });
          shape = [h, w, 2];
        } else if (kind === "pool" && h >= 2 && w >= 2) {
          layers.push({ type: "avgPool2d", poolSize: [2, 2], strides: [1, 1] });
          shape = [h - 1, w - 1, ch];
        } else {
          layers.push({ type: "batchNorm", movingMean: randomArray(ch, random), movingVariance: randomArray(ch, random).map((v) => 1 + Math.abs(v)), epsilon: 1e-3 });
        }
      }
      layers.push(square ? { type: "square" } : { type: "polyActivation", basis: "monomial", interval: [-3, 3], coefficients: [0.1, 0.5, 0.25] });
      layers.push({ type: "flatten" }, { type: "dense", units: 2, kernel: randomArray(shape[0] * shape[1] * shape[2] * 2, random, 0.3), bias: randomArray(2, random) });
      const model = Sequential.fromSpec(spec([4, 4, 2], layers));
      const compiled = model.compile({ params: c.params });
      const samples = Array.from({ length: 16 }, () => randomArray(32, random));
      using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
      using y = compiled.predict(c.evaluator, x);
      const got = decryptBatch(c.decryptor, c.encoder, y);
      let worst = 0;
      let largest = 1e-3;
      samples.forEach((sample, i) => model.predictPlain(sample).forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - got[i]![k]!));
        largest = Math.max(largest, Math.abs(v));
      }));
      expect(Math.log2(worst / largest)).toBeLessThan(-9);
    }), { numRuns: 6, seed: 12 });
  });
});

describe("streamed execution under a memory bound", () => {
  it("chunks linear stages and accumulates into the next one: same outputs as the stage-by-stage run", () => {
    // 5 × 5 × 12 conv outputs (300) → chunks of 256: two chunks, the second partial.
    const random = seededRandom(7);
    const model = Sequential.fromSpec(spec([5, 5, 1], [
      { type: "conv2d", filters: 12, kernelSize: [3, 3], strides: [1, 1], padding: "same", kernel: randomArray(108, random, 0.4), bias: randomArray(12, random, 0.1) },
      { type: "square" },
      { type: "flatten" },
      { type: "dense", units: 3, kernel: randomArray(900, random, 0.1), bias: randomArray(3, random, 0.1) },
    ]));
    const streamed = model.compile({ params: c.params, streamAboveBytes: 0 });
    const whole = model.compile({ params: c.params, streamAboveBytes: Infinity });
    expect(model.compile({ params: c.params }).streamedStages).toBe(1); // streaming is the default
    expect(streamed.streamedStages).toBe(1);
    expect(whole.streamedStages).toBe(0);
    const samples = Array.from({ length: 50 }, () => randomArray(25, random));
    using x = encryptBatch(c.skEncryptor, c.encoder, streamed.inputLayout(samples.length), samples, { level: streamed.plan.input.level });
    const seen: number[] = [];
    using a = streamed.predict(c.evaluator, x, { progress: (done) => seen.push(done) });
    using b = whole.predict(c.evaluator, x);
    expect(seen).toEqual([1, 2, 3]);
    expect(a.level).toBe(b.level);
    expect(a.scale).toBe(b.scale);
    const ya = decryptBatch(c.decryptor, c.encoder, a);
    const yb = decryptBatch(c.decryptor, c.encoder, b);
    samples.forEach((s, i) => {
      const want = model.predictPlain(s);
      want.forEach((v, k) => {
        expect(Math.abs(ya[i]![k]! - v)).toBeLessThan(2 ** -10 * (1 + Math.abs(v)));
        expect(Math.abs(ya[i]![k]! - yb[i]![k]!)).toBeLessThan(2 ** -12 * (1 + Math.abs(v)));
      });
    });
  });

  it("a next stage of several blocks, chunks reaching only some, blocks closed early, inputs consumed chunk by chunk: same outputs", () => {
    // conv 12×8×8 (768 outputs: 3 chunks of 4 image rows) → square → conv 12×8×3 (288 rows:
    // blocks of 128, 128 and 32). Chunk 0 reaches image rows 0–4 of the second conv (block 0),
    // chunk 1 rows 3–8 (blocks 0, 1: block 0 is complete then), chunk 2 rows 7–11 (blocks 1, 2).
    const random = seededRandom(8);
    const model = Sequential.fromSpec(spec([12, 8, 1], [
      { type: "conv2d", filters: 8, kernelSize: [3, 3], strides: [1, 1], padding: "same", kernel: randomArray(72, random, 0.4), bias: randomArray(8, random, 0.1) },
      { type: "square" },
      { type: "conv2d", filters: 3, kernelSize: [3, 3], strides: [1, 1], padding: "same", kernel: randomArray(216, random, 0.15), bias: randomArray(3, random, 0.1) },
      { type: "square" },
      { type: "flatten" },
      { type: "dense", units: 2, kernel: randomArray(576, random, 0.05), bias: randomArray(2, random, 0.1) },
    ]));
    const streamed = model.compile({ params: c.params });
    const whole = model.compile({ params: c.params, streamAboveBytes: Infinity });
    expect(streamed.streamedStages).toBe(1);
    const step = executionSteps(streamed.plan as ModelPlan)[0]!;
    if (step.kind !== "streamed") throw new Error("expected a streamed first step");
    expect(step.columns.map((blocks) => blocks.map((b) => b.first))).toEqual([[0], [0, 128], [128, 256]]);
    expect(step.closes).toEqual([[], [0], [1, 2]]);
    expect(Math.max(...step.lastChunk)).toBe(2);
    expect(Array.from(step.lastChunk.subarray(0, 24)).every((last) => last === 0)).toBe(true); // image rows 0–2 feed the first chunk only
    const samples = Array.from({ length: 30 }, () => randomArray(96, random));
    using x = encryptBatch(c.skEncryptor, c.encoder, streamed.inputLayout(samples.length), samples, { level: streamed.plan.input.level });
    using b = whole.predict(c.evaluator, x);
    using a = streamed.predict(c.evaluator, x, { consumeInput: true });
    for (const ct of x.ciphertexts) expect(() => c.evaluator.copy(ct)).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    const [ya, yb] = [decryptBatch(c.decryptor, c.encoder, a), decryptBatch(c.decryptor, c.encoder, b)];
    samples.forEach((sample, i) => model.predictPlain(sample).forEach((v, k) => {
      expect(Math.abs(ya[i]![k]! - v)).toBeLessThan(2 ** -9 * (1 + Math.abs(v)));
      expect(Math.abs(ya[i]![k]! - yb[i]![k]!)).toBeLessThan(2 ** -12 * (1 + Math.abs(v)));
    }));
  });
});

describe("streamed execution: degenerate maps and error paths", () => {
  // dense 16→300 whose first 256 units (the first chunk) have no weights, only biases; dense
  // 300→260 whose units 128–255 (the second block of partial sums) have no weights either.
  const random = seededRandom(9);
  const zeroRows = (units: number, inputs: number, from: number, to: number, scale: number) =>
    randomArray(units * inputs, random, scale).map((v, i) => (i % units >= from && i % units < to ? 0 : v)); // kernel [inputs, units]
  const model = Sequential.fromSpec(spec([4, 4, 1], [
    { type: "flatten" },
    { type: "dense", units: 300, kernel: zeroRows(300, 16, 0, 256, 0.3), bias: randomArray(300, random, 0.3) },
    { type: "square" },
    { type: "dense", units: 260, kernel: zeroRows(260, 300, 128, 256, 0.05), bias: randomArray(260, random, 0.1) },
    { type: "square" },
    { type: "dense", units: 2, kernel: randomArray(520, random, 0.05), bias: randomArray(2, random, 0.1) },
  ]));
  const samples = Array.from({ length: 12 }, () => randomArray(16, random));

  it("equals the stage-by-stage run with an all-zero chunk and a block that no chunk reaches", () => {
    const streamed = model.compile({ params: c.params });
    const step = executionSteps(streamed.plan as ModelPlan)[0]!;
    if (step.kind !== "streamed") throw new Error("expected a streamed first step");
    expect(Array.from(step.inputsOf[0]!)).toEqual([0]); // the all-zero chunk keeps one operand
    expect(step.columns.map((blocks) => blocks.map((b) => b.first))).toEqual([[0, 128, 256], [0, 256]]); // block 128 has no weights: opened (bias only) by chunk 0
    const whole = model.compile({ params: c.params, streamAboveBytes: Infinity });
    using x = encryptBatch(c.skEncryptor, c.encoder, streamed.inputLayout(samples.length), samples, { level: streamed.plan.input.level });
    using b = whole.predict(c.evaluator, x);
    using a = streamed.predict(c.evaluator, x);
    const [ya, yb] = [decryptBatch(c.decryptor, c.encoder, a), decryptBatch(c.decryptor, c.encoder, b)];
    samples.forEach((sample, i) => model.predictPlain(sample).forEach((v, k) => {
      expect(Math.abs(ya[i]![k]! - v)).toBeLessThan(2 ** -9 * (1 + Math.abs(v)));
      expect(Math.abs(ya[i]![k]! - yb[i]![k]!)).toBeLessThan(2 ** -12 * (1 + Math.abs(v)));
    }));
  });

  it("a progress callback that throws leaves no heap block behind; a repeated ciphertext with consumeInput is refused", () => {
    const compiled = model.compile({ params: c.params });
    const heap = c.params.ring.heap;
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
    compiled.predict(c.evaluator, x).dispose(); // encodes the weights once
    for (const failAt of [2, 3, 4, 5]) {
      const before = heap.blocksInUse;
      expect(() => compiled.predict(c.evaluator, x, { progress: (done) => { if (done === failAt) throw new Error("stop"); } })).toThrow("stop");
      expect(heap.blocksInUse).toBe(before);
    }
    using twice = new EncryptedTensor(x.layout, x.ciphertexts.map((ct, i) => (i === 1 ? x.ciphertexts[0]! : ct)));
    expect(() => compiled.predict(c.evaluator, twice, { consumeInput: true })).toThrow(/distinct ciphertexts/);
  });
});

describe("refusals", () => {
  const model = smallCnn(3);
  it("parameters too shallow: names the levels needed and a preset that holds them", () => {
    const shallow = Parameters.create({ logN: 11, logScale: 29, depth: 4, allowInsecureParametersForTesting: true });
    const attempt = () => model.compile({ params: shallow });
    expect(attempt).toThrow(FheError);
    expect(attempt).toThrow(/needs 6 levels .* the parameters have 4; use presets\.inference14Fast/);
  });

  it("no relinearization key: MISSING_KEY before any work", () => {
    const compiled = model.compile({ params: c.params });
    const bare = new Evaluator(c.params);
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(4), Array.from({ length: 4 }, () => new Array(25).fill(0.5)), { level: 6 });
    expect(() => compiled.predict(bare, x)).toThrow(expect.objectContaining({ code: "MISSING_KEY" }));
  });

  it("wrong input shape, wrong sample size, NaN inputs, evaluator of other parameters", () => {
    const compiled = model.compile({ params: c.params });
    const other = Sequential.fromSpec(spec([4, 4, 1], [{ type: "flatten" }, { type: "dense", units: 2, kernel: new Array(32).fill(0.1) }])).compile({ params: c.params });
    using wrong = encryptBatch(c.skEncryptor, c.encoder, other.inputLayout(2), [new Array(16).fill(0), new Array(16).fill(1)]);
    expect(() => compiled.predict(c.evaluator, wrong)).toThrow(/takes inputs of shape \[5, 5, 1\], got \[4, 4, 1\]/);
    expect(() => encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(1), [new Array(24).fill(0)])).toThrow(/sample 0 must have 25 numbers/);
    expect(() => encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(1), [[...new Array(24).fill(0), Number.NaN]])).toThrow(/element 24 is NaN/);
    const params2 = Parameters.create({ logN: 11, logScale: 28, depth: 7, allowInsecureParametersForTesting: true });
    const ev2 = new Evaluator(params2, { relinearizationKey: new KeyGenerator(params2).createRelinearizationKey() });
    using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(1), [new Array(25).fill(0)], { level: 6 });
    expect(() => compiled.predict(ev2, x)).toThrow(expect.objectContaining({ code: "MISMATCHED_OPERANDS" }));
  });

  it("encryptBatchElements yields the batch one ciphertext at a time: same packing as encryptBatch, checks before the first", () => {
    const compiled = model.compile({ params: c.params });
    const layout = compiled.inputLayout(3);
    const random = seededRandom(11);
    const some = Array.from({ length: 3 }, () => randomArray(25, random));
    const elements = encryptBatchElements(c.skEncryptor, c.encoder, layout, some, { level: 6 });
    const cts = [];
    for (const ct of elements) {
      expect(ct.level).toBe(6);
      cts.push(ct);
    }
    expect(cts).toHaveLength(25);
    using tensor = new EncryptedTensor(layout, cts);
    decryptBatch(c.decryptor, c.encoder, tensor).forEach((got, s) => {
      got.forEach((v, e) => expect(Math.abs(v - some[s]![e]!)).toBeLessThan(2 ** -20));
    });
    const bad = encryptBatchElements(c.skEncryptor, c.encoder, compiled.inputLayout(1), [new Array(24).fill(0)]);
    expect(() => bad.next()).toThrow(/sample 0 must have 25 numbers/);
  });

  it("bad specs: NaN weight, wrong kernel size, unknown layer type, dense on an image, wrong format", () => {
    const base = smallCnn(4).toSpec();
    const withLayer = (i: number, patch: object) => ({ ...base, layers: base.layers.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
    expect(() => Sequential.fromSpec(withLayer(3, { kernel: [Number.NaN, ...new Array(127).fill(0)] }) as never)).toThrow(/kernel of dense layer 'dense' .*\[0\] is NaN/);
    expect(() => Sequential.fromSpec(withLayer(0, { kernel: [1, 2, 3] }) as never)).toThrow(/kernel of conv2d layer .* must be an array of 18 numbers/);
    expect(() => Sequential.fromSpec(withLayer(1, { type: "maxPool2d" }) as never)).toThrow(/unknown type "maxPool2d"/);
    expect(() => Sequential.fromSpec(spec([5, 5, 1], [{ type: "dense", units: 2, kernel: new Array(50).fill(0) }]))).toThrow(/needs a vector input, got shape \[5, 5, 1\]: add a flatten layer/);
    expect(() => Sequential.fromSpec({ ...base, format: "keras" } as never)).toThrow(FheError);
    expect(() => Sequential.fromJSON("{not json")).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
  });

  it("JSON round trip keeps the model exactly", () => {
    const text = JSON.stringify(model);
    const again = Sequential.fromJSON(text);
    const x = new Array(25).fill(0).map((_, i) => i / 25);
    expect(Array.from(again.predictPlain(x))).toEqual(Array.from(model.predictPlain(x)));
  });
});
