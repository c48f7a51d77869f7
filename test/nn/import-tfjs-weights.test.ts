// importTfjs and the weights: manifest names (tfjs, Keras 3, by order), topology variants
// (legacy array, Keras converter wrapper), shards (a weight across a boundary, loaders,
// groups), quantisation (uint8, uint16, float16 against tfjs's own decoder and predictions),
// and refusals of inconsistent bytes or manifests.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { ModelSpec } from "../../nn/model-spec.js";
import { importTfjs } from "../../nn/import/tfjs.js";
import { expectFheError } from "../helpers/ckks.js";
import { forwardSpec } from "../helpers/spec-forward.js";
import {
  concatBytes, float32Values, loadModel, predictOne, randomizeWeights, repack, saveModel, seededRandom, tf, unpackWeights,
  useCpuBackend, type PackedWeight, type SavedModel,
} from "../helpers/tfjs-models.js";

const operation = "import TensorFlow.js model";
let saved: SavedModel;
let reference: ModelSpec;

beforeAll(async () => {
  await useCpuBackend();
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], name: "conv" }));
  model.add(tf.layers.batchNormalization({ name: "bn" }));
  model.add(tf.layers.flatten({ name: "flat" }));
  model.add(tf.layers.dense({ units: 3, name: "dense" }));
  randomizeWeights(model, seededRandom(11));
  saved = await saveModel(model);
  reference = importTfjs(saved.modelJson, saved.weights);
});

/** The saved weights with `rename` applied to each entry's name. */
function renamed(rename: (name: string) => string): PackedWeight[] {
  return unpackWeights(saved).map((w) => ({ entry: { ...w.entry, name: rename(w.entry.name) }, bytes: w.bytes }));
}

/** Keras's order of a layer's weights, for "layer/index" names. */
const kerasIndex: Record<string, number> = { kernel: 0, bias: 1, gamma: 0, beta: 1, moving_mean: 2, moving_variance: 3 };

describe("weight names and topology forms", () => {
  it("reads the manifest in tfjs's order (trainable weights first, BatchNormalization split)", () => {
    expect(saved.modelJson.weightsManifest[0]!.weights.map((w) => w.name)).toEqual([
      "conv/kernel", "conv/bias", "bn/gamma", "bn/beta", "dense/kernel", "dense/bias", "bn/moving_mean", "bn/moving_variance",
    ]);
    const bn = reference.layers[1]!;
    const values = unpackWeights(saved);
    expect(bn.type === "batchNorm" && bn.movingVariance).toEqual(float32Values(values[7]!.bytes));
    expect(bn.type === "batchNorm" && bn.gamma).toEqual(float32Values(values[2]!.bytes));
  });

  it("matches Keras 3 names (layer/0, layer/1, …) by index, whatever their order in the manifest", () => {
    const weights = renamed((name) => `${name.split("/")[0]}/${kerasIndex[name.split("/")[1]!]}`);
    const shuffled = [weights[7]!, weights[1]!, weights[6]!, weights[0]!, weights[5]!, weights[3]!, weights[4]!, weights[2]!];
    const keras3 = repack(saved, shuffled);
    expect(importTfjs(keras3.modelJson, keras3.weights)).toEqual(reference);
  });

  it("falls back to the order within the layer for names that are neither roles nor indices", () => {
    const other = repack(saved, renamed((name) => `${name.split("/")[0]}/w_${name.split("/")[1]}`));
    expect(importTfjs(other.modelJson, other.weights)).toEqual(reference);
  });

  it("reads the legacy topology whose config is the bare array of layers", () => {
    const topology = saved.modelJson.modelTopology as { class_name: string; config: { layers: unknown[] } };
    const legacy = { ...saved.modelJson, modelTopology: { class_name: "Sequential", config: topology.config.layers } };
    const { name: _name, ...unnamed } = reference;
    expect(importTfjs(legacy, saved.weights)).toEqual(unnamed);
  });

  it("unwraps the Keras converter's model_config", () => {
    const keras = { ...saved.modelJson, modelTopology: { keras_version: "2.15.0", backend: "tensorflow", model_config: saved.modelJson.modelTopology } };
    expect(importTfjs(keras, saved.weights)).toEqual(reference);
  });

  it("skips optimizer weights and accepts a model.json without format", () => {
    const slot: PackedWeight = { entry: { name: "dense/kernel/m", shape: [3], dtype: "float32", group: "optimizer" }, bytes: new Uint8Array(12).fill(0xff) };
    const withOptimizer = repack(saved, [...unpackWeights(saved), slot]);
    const { format: _format, ...noFormat } = withOptimizer.modelJson;
    expect(importTfjs(noFormat, withOptimizer.weights)).toEqual(reference);
  });
});

describe("shards", () => {
  it("reads weights across shard boundaries from buffers, views and loaders (fast-check)", () => {
    const bytes = new Uint8Array(saved.weights);
    const cuts = fc.uniqueArray(fc.integer({ min: 0, max: bytes.byteLength }), { maxLength: 6 }).map((c) => [...c].sort((a, b) => a - b));
    fc.assert(fc.property(cuts, (positions) => {
      const bounds = [0, ...positions, bytes.byteLength];
      const shards = bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end));
      const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
      const modelJson = { ...saved.modelJson, weightsManifest: [{ paths, weights: saved.modelJson.weightsManifest[0]!.weights }] };
      expect(importTfjs(modelJson, shards.map((s) => s.buffer))).toEqual(reference);
      const requested: string[] = [];
      expect(importTfjs(modelJson, (path) => {
        requested.push(path);
        return shards[paths.indexOf(path)]!;
      })).toEqual(reference);
      expect(requested).toEqual(paths);
    }), { numRuns: 40, seed: 7 });
  });

  it("reads groups in order and views at an offset (a pooled Node Buffer)", () => {
    const entries = saved.modelJson.weightsManifest[0]!.weights;
    const packed = unpackWeights(saved);
    const firstBytes = concatBytes(packed.slice(0, 3).map((w) => w.bytes));
    const restBytes = concatBytes(packed.slice(3).map((w) => w.bytes));
    const grouped = {
      ...saved.modelJson,
      weightsManifest: [{ paths: ["a.bin"], weights: entries.slice(0, 3) }, { paths: ["b.bin"], weights: entries.slice(3) }],
    };
    const view = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(restBytes)]).subarray(3);
    expect(importTfjs(grouped, [firstBytes, view])).toEqual(reference);
    expect(importTfjs(saved.modelJson, new Uint8Array(saved.weights))).toEqual(reference);
  });

  it("refuses missing, extra or truncated bytes and wrong loader results", () => {
    const bytes = new Uint8Array(saved.weights);
    const truncated = expectFheError(() => importTfjs(saved.modelJson, bytes.slice(0, -1).buffer), "CORRUPT_DATA", operation);
    expect(truncated.message).toContain(`hold ${bytes.byteLength - 1} bytes but the manifest describes ${bytes.byteLength}`);
    expect(truncated.message).toContain("truncated");
    expectFheError(() => importTfjs(saved.modelJson, concatBytes([bytes, new Uint8Array(1)])), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(saved.modelJson, new ArrayBuffer(0)), "CORRUPT_DATA", operation);
    const count = expectFheError(() => importTfjs(saved.modelJson, [saved.weights, saved.weights]), "INVALID_ARGUMENT", operation);
    expect(count.message).toContain("2 buffers but the manifest lists 1 shard paths");
    const promise = expectFheError(() => importTfjs(saved.modelJson, (() => Promise.resolve(saved.weights)) as never), "INVALID_ARGUMENT", operation);
    expect(promise.message).toContain("returned a Promise");
    expectFheError(() => importTfjs(saved.modelJson, (() => 42) as never), "INVALID_ARGUMENT", operation);
    expectFheError(() => importTfjs(saved.modelJson, [1 as never]), "INVALID_ARGUMENT", operation);
  });
});

/** Uniform quantisation of float32 values to `bits` (8 or 16) as the tfjs converter does it. */
function quantise(values: readonly number[], bits: 8 | 16): { codes: number[]; scale: number; min: number } {
  const min = Math.min(...values);
  const scale = (Math.max(...values) - min) / (2 ** bits - 1) || 1;
  return { codes: values.map((v) => Math.round((v - min) / scale)), scale, min };
}

function codesBytes(codes: readonly number[], bytesPerCode: 1 | 2): Uint8Array {
  const out = new Uint8Array(codes.length * bytesPerCode);
  const view = new DataView(out.buffer);
  codes.forEach((c, i) => (bytesPerCode === 1 ? view.setUint8(i, c) : view.setUint16(2 * i, c, true)));
  return out;
}

/** The saved model with each float32 weight re-encoded by `encode` (entry + bytes). */
function requantised(encode: (values: number[], entry: tf.io.WeightsManifestEntry, index: number) => PackedWeight): SavedModel {
  return repack(saved, unpackWeights(saved).map((w, i) => encode(float32Values(w.bytes), w.entry, i)));
}

/** The imported values of every weight against tfjs's own decoder, and predictions against tfjs. */
async function expectAsTfjs(model: SavedModel): Promise<void> {
  const spec = importTfjs(model.modelJson, model.weights);
  const entries = model.modelJson.weightsManifest[0]!.weights;
  const decoded = tf.io.decodeWeights(model.weights, entries);
  const [conv, bn, , dense] = spec.layers;
  const expected = (name: string): number[] => Array.from(decoded[name]!.dataSync());
  expect(conv?.type === "conv2d" && conv.kernel).toEqual(expected("conv/kernel"));
  expect(conv?.type === "conv2d" && conv.bias).toEqual(expected("conv/bias"));
  expect(bn?.type === "batchNorm" && [bn.gamma, bn.beta, bn.movingMean, bn.movingVariance]).toEqual(
    ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"].map(expected));
  expect(dense?.type === "dense" && [dense.kernel, dense.bias]).toEqual([expected("dense/kernel"), expected("dense/bias")]);
  tf.dispose(Object.values(decoded));
  const loaded = await loadModel(model.modelJson, model.weights);
  const random = seededRandom(3);
  const input = Array.from({ length: 16 }, () => 2 * random() - 1);
  const tfjs = predictOne(loaded, spec.inputShape, input);
  forwardSpec(spec, input).forEach((v, i) => expect(Math.abs(v - tfjs[i]!)).toBeLessThan(1e-4));
  loaded.dispose();
}

describe("quantised weights", () => {
  it("dequantises uint8 and uint16 as v·scale + min, rounded to float32 (as tfjs)", async () => {
    await expectAsTfjs(requantised((values, entry, i) => {
      const bits = i % 2 === 0 ? 8 : 16;
      const { codes, scale, min } = quantise(values, bits);
      return { entry: { ...entry, quantization: { dtype: bits === 8 ? "uint8" : "uint16", scale, min } }, bytes: codesBytes(codes, bits === 8 ? 1 : 2) };
    }));
  });

  it("decodes float16 weights, subnormals included, as tfjs does (fast-check patterns)", async () => {
    // Sign, exponent 0..14 (|value| < 2) and any fraction: normal and subnormal halves.
    const half = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 1023 })).map(([s, e, f]) => (s ? 0x8000 : 0) | (e << 10) | f);
    const patterns = fc.sample(half, { numRuns: 200, seed: 5 });
    await expectAsTfjs(requantised((values, entry, i) => ({
      entry: { ...entry, quantization: { dtype: "float16" } },
      // Variances must stay non-negative: their sign bit is cleared.
      bytes: codesBytes(values.map((_, j) => patterns[(7 * i + j) % patterns.length]! & (entry.name === "bn/moving_variance" ? 0x7fff : 0xffff)), 2),
    })));
  });

  it("decodes known float16 bit patterns", () => {
    const halves = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555, 0x0400];
    const expected = [1, -2, 65504, 2 ** -24, -0, 0.333251953125, 2 ** -14];
    const model = requantised((values, entry) => entry.name === "dense/kernel"
      ? { entry: { ...entry, quantization: { dtype: "float16" } }, bytes: codesBytes(values.map((_, j) => halves[j % halves.length]!), 2) }
      : { entry, bytes: new Uint8Array(new Float32Array(values).buffer) });
    const dense = importTfjs(model.modelJson, model.weights).layers[3]!;
    expect(dense.type === "dense" && dense.kernel.slice(0, 7)).toEqual(expected);
  });

  it("reads int32 weights, rounding their dequantised values (as tfjs)", () => {
    const model = requantised((values, entry) => {
      if (entry.name === "conv/bias") return { entry: { ...entry, dtype: "int32" }, bytes: new Uint8Array(new Int32Array([-7, 2 ** 31 - 1]).buffer) };
      if (entry.name === "dense/bias") {
        return { entry: { ...entry, dtype: "int32", quantization: { dtype: "uint8", scale: 0.3, min: -1 } }, bytes: codesBytes([0, 5, 255], 1) };
      }
      return { entry, bytes: new Uint8Array(new Float32Array(values).buffer) };
    });
    const [conv, , , dense] = importTfjs(model.modelJson, model.weights).layers;
    expect(conv?.type === "conv2d" && conv.bias).toEqual([-7, 2 ** 31 - 1]);
    expect(dense?.type === "dense" && dense.bias).toEqual([-1, 1, 76]); // round(-1), round(0.5), round(75.5)
  });
});

describe("inconsistent weights", () => {
  /** The saved model with the entry named `name` changed by `change` (bytes unchanged). */
  function withEntry(name: string, change: (entry: tf.io.WeightsManifestEntry) => object): unknown {
    const weights = saved.modelJson.weightsManifest[0]!.weights.map((w) => (w.name === name ? change(w) : w));
    return { ...saved.modelJson, weightsManifest: [{ paths: ["weights.bin"], weights }] };
  }

  it("refuses NaN and infinite weights, naming the weight and the index", () => {
    const packed = unpackWeights(saved);
    const bytes = packed.map((w) => w.bytes.slice());
    new DataView(bytes[4]!.buffer).setFloat32(4 * 5, NaN, true);
    const nan = expectFheError(() => importTfjs(saved.modelJson, concatBytes(bytes)), "INVALID_ARGUMENT", operation);
    expect(nan.message).toContain(`weight "dense/kernel" holds NaN at index 5`);
    const infinite = requantised((values, entry) => entry.name === "bn/beta"
      ? { entry: { ...entry, quantization: { dtype: "float16" } }, bytes: codesBytes([0, 0x7c00], 2) }
      : { entry, bytes: new Uint8Array(new Float32Array(values).buffer) });
    expect(expectFheError(() => importTfjs(infinite.modelJson, infinite.weights), "INVALID_ARGUMENT", operation).message).toContain("holds Infinity at index 1");
  });

  it("refuses weights whose shape disagrees with the layer's config", () => {
    const swapped = withEntry("dense/kernel", (e) => ({ ...e, shape: [3, 18] }));
    const error = expectFheError(() => importTfjs(swapped, saved.weights), "CORRUPT_DATA", operation);
    expect(error.message).toContain(`layer 'dense' (Dense) needs its kernel of shape [18, 3], but the weight "dense/kernel" has shape [3, 18]`);
    const topology = JSON.parse(JSON.stringify(saved.modelJson.modelTopology)) as { config: { layers: { config: { units?: number } }[] } };
    topology.config.layers[3]!.config.units = 4;
    expectFheError(() => importTfjs({ ...saved.modelJson, modelTopology: topology }, saved.weights), "CORRUPT_DATA", operation);
  });

  it("refuses missing, unclaimed, duplicated and unnamed weights", () => {
    const packed = unpackWeights(saved);
    const missing = repack(saved, packed.filter((w) => w.entry.name !== "dense/bias"));
    expect(expectFheError(() => importTfjs(missing.modelJson, missing.weights), "CORRUPT_DATA", operation).message)
      .toContain("layer 'dense' (Dense) needs 2 weights (kernel [18, 3], bias [3]) but the manifest has 1");
    const ghost = repack(saved, [...packed, { entry: { name: "ghost/kernel", shape: [1], dtype: "float32" }, bytes: new Uint8Array(4) }]);
    expect(expectFheError(() => importTfjs(ghost.modelJson, ghost.weights), "CORRUPT_DATA", operation).message).toContain(`the weight "ghost/kernel" names no layer of the model`);
    const onFlatten = repack(saved, [...packed, { entry: { name: "flat/kernel", shape: [1], dtype: "float32" }, bytes: new Uint8Array(4) }]);
    expect(expectFheError(() => importTfjs(onFlatten.modelJson, onFlatten.weights), "CORRUPT_DATA", operation).message)
      .toContain(`layer 'flat' (Flatten) takes no weights, but the manifest has the weight "flat/kernel"`);
    const twice = repack(saved, packed.map((w) => (w.entry.name === "dense/bias" ? { ...w, entry: { ...w.entry, name: "dense/kernel" } } : w)));
    expect(expectFheError(() => importTfjs(twice.modelJson, twice.weights), "CORRUPT_DATA", operation).message).toContain("twice");
    const sameRole = repack(saved, renamed((name) => (name === "dense/bias" ? "dense/0" : name)));
    expect(expectFheError(() => importTfjs(sameRole.modelJson, sameRole.weights), "CORRUPT_DATA", operation).message).toContain("two weights for its kernel");
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, name: "bias" })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(repack(saved, renamed((n) => (n === "dense/bias" ? "dense/7" : n))).modelJson, saved.weights), "CORRUPT_DATA", operation);
  });

  it("refuses unsupported dtypes and malformed quantisation", () => {
    expect(expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, dtype: "bool" })), saved.weights), "INVALID_ARGUMENT", operation).message)
      .toContain("dtype bool: only float32 and int32");
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, dtype: "float64" })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, quantization: { dtype: "uint8", scale: 1 } })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, dtype: "int32", quantization: { dtype: "float16" } })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, quantization: { dtype: "int4", scale: 1, min: 0 } })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, extra: 1 })), saved.weights), "CORRUPT_DATA", operation);
    expectFheError(() => importTfjs(withEntry("dense/bias", (e) => ({ ...e, shape: [2 ** 30, 2 ** 30, 2] })), saved.weights), "CORRUPT_DATA", operation);
  });
});
