// importTfjs on real TensorFlow.js models: the imported ModelSpec, run by the float64 reference
// forward pass, must give what tfjs's model.predict gives (within 1e-4) on random inputs.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { ModelSpec } from "../../nn/model-spec.js";
import { importTfjs } from "../../nn/import/tfjs.js";
import { Sequential } from "../../nn/sequential.js";
import { forwardSpec } from "../helpers/spec-forward.js";
import { predictOne, randomizeWeights, saveModel, seededRandom, tf, useCpuBackend } from "../helpers/tfjs-models.js";

beforeAll(useCpuBackend);

/** Largest |spec(x) − tfjs(x)| over `count` random inputs in [-1, 1]. */
function maxDifference(spec: ModelSpec, model: tf.LayersModel, seed: number, count = 4): number {
  const random = seededRandom(seed);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  let worst = 0;
  for (let n = 0; n < count; n++) {
    const input = Array.from({ length: size }, () => 2 * random() - 1);
    const expected = predictOne(model, spec.inputShape, input);
    const actual = forwardSpec(spec, input);
    // The library's own twin (layers built by Sequential) must agree as well.
    const twin = Sequential.fromSpec(spec).predictPlain(input);
    expect(actual.length).toBe(expected.length);
    expect(twin.length).toBe(expected.length);
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!), Math.abs(twin[i]! - expected[i]!));
  }
  return worst;
}

async function importModel(model: tf.LayersModel, seed: number): Promise<ModelSpec> {
  randomizeWeights(model, seededRandom(seed));
  const saved = await saveModel(model);
  return importTfjs(saved.modelJson, saved.weights);
}

describe("importTfjs on generated models", () => {
  it("imports ZeroPadding2D/Conv2D/AveragePooling2D/BatchNormalization/Flatten/Dense and matches predict", async () => {
    const model = tf.sequential({ name: "cnn" });
    model.add(tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], inputShape: [8, 7, 2] }));
    model.add(tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: [1, 2] }));
    model.add(tf.layers.averagePooling2d({ poolSize: 2 }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.5 }));
    model.add(tf.layers.dense({ units: 4 }));
    model.add(tf.layers.activation({ activation: "linear" }));
    const spec = await importModel(model, 1);
    expect(spec.format).toBe("wasm-ckks-nn");
    expect(spec.version).toBe(1);
    expect(spec.name).toBe("cnn");
    expect(spec.inputShape).toEqual([8, 7, 2]);
    expect(spec.layers.map((l) => l.type)).toEqual(["conv2d", "avgPool2d", "batchNorm", "flatten", "dense"]);
    const conv = spec.layers[0]!;
    expect(conv.type === "conv2d" && conv.padding).toEqual([1, 0, 2, 1]);
    expect(conv.type === "conv2d" && conv.kernel.length).toBe(3 * 2 * 2 * 3);
    const norm = spec.layers[2]!;
    expect(norm.type === "batchNorm" && [norm.gamma?.length, norm.beta?.length, norm.epsilon]).toEqual([3, 3, 1e-3]);
    expect(spec.metadata?.["importedFrom"]).toBe("TensorFlow.js LayersModel");
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(maxDifference(spec, model, 2)).toBeLessThan(1e-4);
  });

  it("imports same padding, strides, no bias, BatchNormalization without center or scale, and a flat model", async () => {
    const model = tf.sequential();
    model.add(tf.layers.inputLayer({ inputShape: [9, 6, 3] }));
    model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same", useBias: false }));
    model.add(tf.layers.batchNormalization({ center: false, epsilon: 0.01 }));
    model.add(tf.layers.zeroPadding2d({ padding: [[0, 1], [1, 0]] }));
    model.add(tf.layers.conv2d({ filters: 2, kernelSize: [2, 3], padding: "same" }));
    model.add(tf.layers.averagePooling2d({ poolSize: [2, 1], strides: [1, 1] }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.batchNormalization({ scale: false }));
    model.add(tf.layers.dense({ units: 5, useBias: false }));
    model.add(tf.layers.dense({ units: 3 }));
    const spec = await importModel(model, 3);
    expect(spec.inputShape).toEqual([9, 6, 3]);
    expect(spec.layers.map((l) => l.type)).toEqual(["conv2d", "batchNorm", "conv2d", "avgPool2d", "flatten", "batchNorm", "dense", "dense"]);
    const [first, norm, second, , , flatNorm, dense] = spec.layers;
    expect(first?.type === "conv2d" && [first.padding, first.bias]).toEqual(["same", undefined]);
    expect(norm?.type === "batchNorm" && [norm.gamma?.length, norm.beta]).toEqual([4, undefined]);
    // 9 x 6 → 5 x 3 (stride 2, same); zero padding [0, 1, 1, 0] → 6 x 4, where "same" for a 2 x 3
    // kernel adds [0, 1] rows and [1, 1] columns.
    expect(second?.type === "conv2d" && second.padding).toEqual([0, 2, 2, 1]);
    expect(flatNorm?.type === "batchNorm" && [flatNorm.gamma, flatNorm.beta?.length]).toEqual([undefined, 5 * 4 * 2]);
    expect(dense?.type === "dense" && dense.bias).toBeUndefined();
    expect(maxDifference(spec, model, 4)).toBeLessThan(1e-4);
  });

  it("matches predict on random convolution geometries (fast-check)", async () => {
    const geometry = fc.record({
      h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), c: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
      padding: fc.constantFrom("valid" as const, "same" as const),
      zero: fc.option(fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), { nil: undefined }),
      filters: fc.integer({ min: 1, max: 3 }),
      seed: fc.nat(),
    });
    await fc.assert(fc.asyncProperty(geometry, async (g) => {
      const model = tf.sequential();
      if (g.zero !== undefined) model.add(tf.layers.zeroPadding2d({ padding: [[g.zero[0], g.zero[1]], [g.zero[2], g.zero[3]]], inputShape: [g.h, g.w, g.c] }));
      model.add(tf.layers.conv2d({
        filters: g.filters, kernelSize: [g.kh, g.kw], strides: [g.sh, g.sw], padding: g.padding,
        ...(g.zero === undefined ? { inputShape: [g.h, g.w, g.c] } : {}),
      }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 2 }));
      const spec = await importModel(model, g.seed);
      expect(maxDifference(spec, model, g.seed, 2)).toBeLessThan(1e-4);
      model.dispose();
    }), { numRuns: 25, seed: 20240607 });
  });

  it("imports a multilayer perceptron on vectors", async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 7, inputShape: [6] }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.dense({ units: 3 }));
    const spec = await importModel(model, 5);
    expect(spec.inputShape).toEqual([6]);
    expect(spec.layers.map((l) => l.type)).toEqual(["dense", "batchNorm", "dense"]);
    expect(maxDifference(spec, model, 6)).toBeLessThan(1e-4);
  });
});
