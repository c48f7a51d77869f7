// The trainable layers and the exporter: spec shapes of both architectures, the padding side,
// batch normalisation's two modes, seeded initialisation, float32 rounding of the JSON, depth,
// the batches the loop feeds.

import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { BatchNormSpec, Conv2DSpec, DenseSpec, LayerSpec, ModelSpec } from "../../nn/model-spec.js";
import { architectures, cryptodl, cryptonets } from "../../nn/train/architectures.js";
import { initBackend } from "../../nn/train/backend.js";
import { layerDepth, modelDepth } from "../../nn/train/depth.js";
import { modelToJson, shortestFloat32 } from "../../nn/train/export.js";
import { buildLayers } from "../../nn/train/layers.js";
import { batchTensors } from "../../nn/train/loop.js";
import { TrainableModel } from "../../nn/train/model.js";
import { SeededRandom } from "../../nn/random.js";
import { expectFheError } from "../helpers/ckks.js";

function byName(spec: ModelSpec, name: string): LayerSpec {
  const layer = spec.layers.find((l) => l.name === name);
  if (layer === undefined) throw new Error(`no layer ${name}`);
  return layer;
}

function weightLengths(layer: LayerSpec): Record<string, number> {
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => Array.isArray(v) && typeof v[0] === "number" && v.length > 4).map(([k, v]) => [k, (v as number[]).length]));
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("architectures exported as ModelSpec", () => {
  it("CryptoNets: pad top/left to 29 x 29, conv 5 x 5 / 2 x 5 (845), square, dense 845 -> 100, square, dense 100 -> 10; depth 5", () => {
    const spec = new TrainableModel("cryptonets", cryptonets.inputShape, cryptonets.layers, new SeededRandom(1)).toSpec({});
    expect(spec.inputShape).toEqual([28, 28, 1]);
    expect(spec.layers.map((l) => l.type)).toEqual(["conv2d", "square", "flatten", "dense", "square", "dense"]);
    const conv = byName(spec, "conv1") as Conv2DSpec;
    expect([conv.filters, conv.kernelSize, conv.strides, conv.padding]).toEqual([5, [5, 5], [2, 2], [1, 0, 1, 0]]);
    expect(weightLengths(conv)).toEqual({ kernel: 5 * 5 * 1 * 5, bias: 5 });
    expect(weightLengths(byName(spec, "dense1"))).toEqual({ kernel: 845 * 100, bias: 100 });
    expect((byName(spec, "dense2") as DenseSpec).units).toBe(10);
    expect(weightLengths(byName(spec, "dense2"))).toEqual({ kernel: 100 * 10, bias: 10 });
    expect(modelDepth(spec.layers)).toBe(5);
  });

  it("CryptoDL-style: conv x8, conv x16, dense 256 -> 100 -> 10 with BN and degree-2 ReLU polynomials; depth 10 of inference14's 12", () => {
    const model = new TrainableModel("cryptodl", cryptodl.inputShape, cryptodl.layers, new SeededRandom(1));
    expect(model.layers.map((l) => l.outputShape.join("x"))).toEqual([
      "24x24x8", "24x24x8", "24x24x8", "12x12x8", "8x8x16", "8x8x16", "8x8x16", "4x4x16", "256", "100", "100", "100", "10"]);
    const spec = model.toSpec({});
    expect(weightLengths(byName(spec, "conv1"))).toEqual({ kernel: 5 * 5 * 1 * 8 });
    expect(weightLengths(byName(spec, "conv2"))).toEqual({ kernel: 5 * 5 * 8 * 16 });
    expect(weightLengths(byName(spec, "dense1"))).toEqual({ kernel: 256 * 100 });
    expect(weightLengths(byName(spec, "bn3"))).toEqual({ gamma: 100, beta: 100, movingMean: 100, movingVariance: 100 });
    expect(byName(spec, "bn1")).toMatchObject({ gamma: new Array(8).fill(1), beta: new Array(8).fill(0), movingMean: new Array(8).fill(0), epsilon: 1e-3 });
    expect(byName(spec, "poly1")).toMatchObject({ type: "polyActivation", basis: "chebyshev", interval: [-4, 4], approximates: "relu" });
    expect(spec.layers.map(layerDepth)).toEqual([1, 0, 2, 0, 1, 0, 2, 0, 0, 1, 0, 2, 1]);
    expect(modelDepth(spec.layers)).toBe(10);
  });

  it("draws the same initial weights from the same seed, others from another", () => {
    const kernel = (seed: number) => (byName(new TrainableModel("m", cryptonets.inputShape, cryptonets.layers, new SeededRandom(seed)).toSpec({}), "conv1") as Conv2DSpec).kernel;
    expect(kernel(7)).toEqual(kernel(7));
    expect(kernel(8)).not.toEqual(kernel(7));
  });

  it("refuses a layer that does not fit its input", () => {
    expect(expectFheError(() => buildLayers([4, 4, 1], [{ type: "conv2d", name: "big", filters: 1, kernelSize: [5, 5], strides: [1, 1], padding: [0, 0, 0, 0], useBias: false }], new SeededRandom(1)), "INVALID_ARGUMENT").message)
      .toBe("cannot build layer big: a 5 x 5 kernel does not fit the padded 4 x 4 input");
    expect(expectFheError(() => buildLayers([4, 4, 1], [{ type: "dense", name: "d", units: 3, useBias: true }], new SeededRandom(1)), "INVALID_ARGUMENT").message)
      .toBe("cannot build layer d: dense needs a flat input, got (4, 4, 1); add a flatten layer");
  });
});

describe("conv2d padding [1, 0, 1, 0]", () => {
  it("adds the zero row at the top and the zero column at the left", () => {
    const [layer] = buildLayers([4, 4, 1], [{ type: "conv2d", name: "c", filters: 1, kernelSize: [2, 2], strides: [2, 2], padding: [1, 0, 1, 0], useBias: false }], new SeededRandom(3));
    const spec = layer!.toSpec() as Conv2DSpec;
    const image = Array.from({ length: 16 }, (_, i) => i + 1);
    const padded = (r: number, c: number) => (r === 0 || c === 0 || r > 4 || c > 4 ? 0 : image[(r - 1) * 4 + (c - 1)]!);
    const want: number[] = [];
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        let sum = 0;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) sum += padded(2 * r + i, 2 * c + j) * spec.kernel[i * 2 + j]!;
        want.push(sum);
      }
    }
    const got = tf.tidy(() => layer!.apply(tf.tensor4d(image, [1, 4, 4, 1]), "infer").dataSync());
    expect(layer!.outputShape).toEqual([2, 2, 1]);
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 4));
  });
});

describe("batchNorm", () => {
  it("normalises with the batch statistics in training, folds them into the moving ones on commit, uses those in inference", () => {
    const [bn] = buildLayers([2], [{ type: "batchNorm", name: "bn", momentum: 0.75, epsilon: 1e-3 }], new SeededRandom(1));
    const x = tf.tensor2d([[1, 10], [3, 14], [5, 18]]);                 // means 3, 14; variances 8/3, 32/3
    const trained = tf.tidy(() => bn!.apply(x, "train").arraySync()) as number[][];
    expect(trained.map((row) => row[0])).toEqual([-2, 0, 2].map((v) => expect.closeTo(v / Math.sqrt(8 / 3 + 1e-3), 5)));
    bn!.commit!();
    const spec = bn!.toSpec();
    expect(spec).toMatchObject({ type: "batchNorm", epsilon: 1e-3 });
    const { movingMean, movingVariance } = spec as BatchNormSpec;
    expect(movingMean[0]).toBeCloseTo(0.25 * 3, 5);
    expect(movingMean[1]).toBeCloseTo(0.25 * 14, 5);
    expect(movingVariance[0]).toBeCloseTo(0.75 + 0.25 * 8 / 3, 5);
    const inferred = tf.tidy(() => bn!.apply(tf.tensor2d([[1, 10]]), "infer").dataSync());
    expect(inferred[0]).toBeCloseTo((1 - movingMean[0]!) / Math.sqrt(movingVariance[0]! + 1e-3), 5);
  });
});

describe("shortestFloat32", () => {
  it("reads back as the same float32 with at most 9 significant digits", () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
      const s = shortestFloat32(v);
      expect(Math.fround(s)).toBe(Math.fround(v));
      expect(s.toExponential().split("e")[0]!.replace(/[-.]/g, "").length).toBeLessThanOrEqual(9);
    }), { seed: 5, numRuns: 500 });
    expect(shortestFloat32(0.1)).toBe(0.1);
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(1 / 3)).toBe(0.33333334);
  });
});

describe("modelToJson", () => {
  it("writes a spec that parses back with float32-rounded weights and exact polynomials and metadata", () => {
    const spec = new TrainableModel("cryptodl", cryptodl.inputShape, cryptodl.layers, new SeededRandom(2)).toSpec({ testAccuracy: 0.5, seed: 2 });
    const parsed = JSON.parse(modelToJson(spec)) as ModelSpec;
    expect(parsed.metadata).toEqual({ testAccuracy: 0.5, seed: 2 });
    expect(parsed.layers.map((l) => l.type)).toEqual(spec.layers.map((l) => l.type));
    expect(byName(parsed, "poly2")).toEqual(byName(spec, "poly2"));
    const kernel = (byName(spec, "conv2") as Conv2DSpec).kernel;
    expect((byName(parsed, "conv2") as Conv2DSpec).kernel.map(Math.fround)).toEqual(kernel.map(Math.fround));
    expect({ ...parsed, layers: [] }).toEqual({ ...spec, layers: [] });
  });
});

describe("batchTensors", () => {
  it("stacks the items of the order with their labels", () => {
    const data = { count: 3, rows: 1, columns: 2, images: Float32Array.from([0, 0.1, 1, 0.5, 0.25, 0.75]), labels: Uint8Array.from([4, 7, 9]) };
    const { x, labels } = batchTensors(data, [2, 0, 1], 0, 2);
    expect(x.shape).toEqual([2, 1, 2, 1]);
    expect([...x.dataSync()]).toEqual([0.25, 0.75, 0, 0.1].map(Math.fround));
    expect([...labels.dataSync()]).toEqual([9, 4]);
    tf.dispose([x, labels]);
  });
});

describe("architectures", () => {
  it("lists both models, with learning rates decaying from the first to the last epoch", () => {
    expect(Object.keys(architectures)).toEqual(["cryptonets", "cryptodl"]);
    for (const a of Object.values(architectures)) {
      const rates = Array.from({ length: 5 }, (_, e) => a.learningRate(e, 5));
      rates.slice(1).forEach((r, i) => expect(r).toBeLessThan(rates[i]!));
    }
  });
});
