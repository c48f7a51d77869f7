// The Soft-Argmax layer (HNN): its float64 twin against the exact softmax, the encrypted layer
// against its twin for 2, 3 and 10 classes (fast-check), the planner against the execution,
// the temperature fit, and the refusals.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Evaluator, FheError } from "../../engine/index.js";
import {
  decryptBatch, decryptSingle, encryptBatch, encryptSingle, expectedIndex, fitSoftArgmax, learnTemperature, Sequential, softmax,
  type LayerSpec, type SoftArgmaxLayer, type SoftArgmaxSpec,
} from "../../nn/index.js";
import { makeContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, spec } from "../helpers/nn-models.js";

const c = makeContext({ logN: 11, logScale: 29, depth: 10, allowInsecureParametersForTesting: true });

/** Dense(inputs → classes) with weights in ±0.6, then Soft-Argmax fitted to the logits of `samples`. */
function modelFor(seed: number, classes: number, samples: number[][], options: { output?: "index" | "probabilities"; degree?: number; temperature?: number } = {}) {
  const random = seededRandom(seed);
  const inputs = samples[0]!.length;
  const dense: LayerSpec = { type: "dense", units: classes, kernel: randomArray(inputs * classes, random, 0.6), bias: randomArray(classes, random, 0.3) };
  const logits = samples.map((s) => Sequential.fromSpec(spec([inputs], [dense])).predictPlain(s));
  const { spec: head } = fitSoftArgmax(logits, { temperature: options.temperature ?? 0.5, degree: options.degree ?? 7, ...(options.output ? { output: options.output } : {}) });
  return Sequential.fromSpec(spec([inputs], [dense, head]));
}

function samplesOf(seed: number, count: number, inputs: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomArray(inputs, random));
}

/** Max |encrypted − twin| over the samples, every output. */
function encryptedError(model: Sequential, samples: number[][]): { error: number; level: number; plannedLevel: number } {
  using compiled = model.compile({ params: c.params });
  using x = encryptBatch(c.skEncryptor, c.encoder, compiled.inputLayout(samples.length), samples, { level: compiled.plan.input.level });
  using y = compiled.predict(c.evaluator, x);
  const got = decryptBatch(c.decryptor, c.encoder, y);
  let error = 0;
  samples.forEach((s, i) => model.predictPlain(s).forEach((v, k) => { error = Math.max(error, Math.abs(v - got[i]![k]!)); }));
  return { error, level: y.level, plannedLevel: compiled.plan.output.level };
}

describe("Soft-Argmax float64 twin", () => {
  it("two classes: sigmoid((x1 − x0)/T) within the polynomial's stated error of the exact expected index", () => {
    const layer = Sequential.fromSpec(spec([2], [{ type: "softArgmax", temperature: 2, interval: [-8, 8], degree: 15 }])).layers[0] as SoftArgmaxLayer & { polynomialError: number };
    expect(layer.polynomialError).toBeLessThan(1e-3);
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: -8, max: 8, noNaN: true }), (a, b) => {
      const x = Float64Array.of(a, b); // (x1 − x0)/T = (b − a)/2 ∈ [-8, 8]
      const twin = layer.forwardPlain(x)[0]!;
      const exact = 1 / (1 + Math.exp(-(x[1]! - x[0]!) / 2));
      expect(Math.abs(twin - exact)).toBeLessThanOrEqual(layer.polynomialError * (1 + 1e-9) + 1e-15);
    }));
  });

  it("n classes: the expected index within 2^-8 of the exact one on logits inside the fitted intervals", () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 12 }), fc.integer(), (n, seed) => {
      const random = seededRandom(seed);
      const logits = Array.from({ length: 50 }, () => Float64Array.from(randomArray(n, random, 3)));
      const { spec: head } = fitSoftArgmax(logits, { temperature: 1.5, degree: 15 });
      const layer = Sequential.fromSpec(spec([n], [head])).layers[0] as SoftArgmaxLayer & { forwardExact(x: Float64Array): Float64Array };
      for (const x of logits) {
        const twin = layer.forwardPlain(x)[0]!;
        const exact = layer.forwardExact(x)[0]!;
        expect(exact).toBeCloseTo(expectedIndex(softmax(x, 1.5)), 12);
        expect(Math.abs(twin - exact)).toBeLessThan(2 ** -8);
      }
    }), { numRuns: 20 });
  });

  it("probabilities sum to 1 (within the inverse's precision) and match softmax", () => {
    const random = seededRandom(4);
    const logits = Array.from({ length: 40 }, () => Float64Array.from(randomArray(5, random, 2)));
    const { spec: head } = fitSoftArgmax(logits, { temperature: 1, degree: 15, output: "probabilities" });
    const layer = Sequential.fromSpec(spec([5], [head])).layers[0]!;
    for (const x of logits) {
      const p = layer.forwardPlain(x);
      expect(p.length).toBe(5);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-3);
      softmax(x, 1).forEach((v, k) => expect(Math.abs(v - p[k]!)).toBeLessThan(2e-3));
    }
  });
});

describe("Soft-Argmax encrypted against its twin (batch packing)", () => {
  it.each([2, 3, 10])("%i classes: the expected index within 2^-7 of the twin, at the planned level", (classes) => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const samples = samplesOf(seed, 64, 4);
      const model = modelFor(seed + 1, classes, samples);
      const { error, level, plannedLevel } = encryptedError(model, samples);
      expect(level).toBe(plannedLevel);
      expect(error).toBeLessThan(2 ** -7);
    }), { numRuns: 2 });
  });

  it("3 classes, probabilities: every probability within 2^-8 of the twin", () => {
    const samples = samplesOf(7, 64, 4);
    const model = modelFor(8, 3, samples, { output: "probabilities" });
    const { error } = encryptedError(model, samples);
    expect(error).toBeLessThan(2 ** -8);
  });

  it("plans the levels the circuit uses: dense 1, exp 3, inverse, product 1", () => {
    const samples = samplesOf(9, 16, 4);
    const model = modelFor(10, 10, samples);
    using compiled = model.compile({ params: c.params });
    expect(compiled.stages.map((s) => s.kind)).toEqual(["linear", "softArgmax"]);
    const stage = compiled.plan.stages[1]!;
    const head = model.layers[1] as SoftArgmaxLayer;
    expect(stage.softArgmax!.polynomial.levelsUsed).toBe(3);
    expect(stage.softArgmax!.inverse!.levelsUsed).toBeGreaterThanOrEqual(head.inverse!.depth);
    expect(stage.input.level - stage.output.level).toBe(3 + stage.softArgmax!.inverse!.levelsUsed + 1);
    expect(compiled.plan.output.scale).toBe(c.params.scale);
  });

  it("two classes returning the index run in single-image packing too", () => {
    const samples = samplesOf(11, 4, 4);
    const model = modelFor(12, 2, samples);
    using compiled = model.compile({ params: c.params, packing: "single" });
    const galoisKeys = c.keygen.createGaloisKeys({ steps: [...compiled.plan.rotationSteps], conjugate: false });
    const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys });
    for (const s of samples) {
      using x = encryptSingle(c.skEncryptor, c.encoder, compiled.singleInputLayout(), s, { level: compiled.plan.input.level });
      using y = compiled.predict(evaluator, x);
      const got = decryptSingle(c.decryptor, c.encoder, y);
      expect(Math.abs(got[0]! - model.predictPlain(s)[0]!)).toBeLessThan(2 ** -8);
    }
    galoisKeys.dispose();
  });
});

describe("Soft-Argmax temperature and intervals", () => {
  it("learnTemperature recovers the temperature that generated the labels", () => {
    const random = seededRandom(13);
    const trueT = 3;
    const logits: Float64Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = Float64Array.from(randomArray(4, random, 6));
      const p = softmax(x, trueT);
      let u = (random() + 1) / 2;
      let k = 0;
      while (k < 3 && u > p[k]!) u -= p[k++]!;
      logits.push(x);
      labels.push(k);
    }
    const steps: number[] = [];
    const fit = learnTemperature(logits, labels, { steps: 300, progress: (s) => steps.push(s) });
    expect(steps.length).toBe(300);
    expect(fit.loss).toBeLessThan(fit.initialLoss);
    expect(Math.abs(fit.temperature - trueT) / trueT).toBeLessThan(0.1);
  });

  it("fitSoftArgmax intervals hold the logits it saw", () => {
    const random = seededRandom(14);
    const logits = Array.from({ length: 100 }, () => randomArray(6, random, 4));
    const { spec: head, ranges } = fitSoftArgmax(logits, { temperature: 2 });
    expect(head.interval[0]).toBeLessThan(ranges.input[0]);
    expect(head.interval[1]).toBeGreaterThan(ranges.input[1]);
    expect(ranges.sum![0]).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(head.sumInterval![1]).toBeGreaterThan(ranges.sum![1]);
  });
});

describe("Soft-Argmax refusals", () => {
  const base: SoftArgmaxSpec = { type: "softArgmax", temperature: 1, interval: [-3, 3], degree: 7, sumInterval: [0.9, 5] };
  const build = (layers: LayerSpec[], inputShape = [4]) => () => Sequential.fromSpec(spec(inputShape, layers));
  const refuses = (f: () => unknown, pattern: RegExp) => {
    expect(f).toThrow(FheError);
    expect(f).toThrow(pattern);
  };
  it("names the problem", () => {
    refuses(build([{ ...base, temperature: 0 }]), /temperature .* positive/);
    refuses(build([{ ...base, temperature: Number.NaN }]), /temperature/);
    refuses(build([{ ...base, interval: [0.5, 3] }]), /must contain 0/);
    refuses(build([{ ...base, sumInterval: [1.2, 5] }]), /0 < a < 1 < b/);
    refuses(build([{ ...base, sumInterval: undefined }]), /sumInterval/);
    refuses(build([{ ...base, degree: 0 }]), /degree/);
    refuses(build([{ ...base, output: "logits" as "index" }]), /output/);
    refuses(build([base], [4, 4, 1]), /vector of 2 to 256 logits/);
    refuses(build([base, { type: "square" }]), /must be the last layer/);
  });

  it("single-image packing refuses n classes and says to use batch packing", () => {
    const model = Sequential.fromSpec(spec([4], [base]));
    expect(() => model.compile({ params: c.params, packing: "single" })).toThrow(/packing: "batch"/);
  });
});
