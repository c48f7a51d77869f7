// Hostile model.json: null, arrays, strings, numbers or objects in every field (each path of a
// real saved model, deterministically, then random paths and values with fast-check), and any
// value as the arguments. importTfjs either returns a model or throws its FheError; never a
// TypeError, RangeError or a hang.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { FheError } from "../../engine/ring/errors.js";
import type { ModelSpec } from "../../nn/model-spec.js";
import { importTfjs } from "../../nn/import/tfjs.js";
import { randomizeWeights, saveModel, seededRandom, tf, useCpuBackend, type SavedModel } from "../helpers/tfjs-models.js";

let saved: SavedModel;
let paths: (string | number)[][];

/** Every path to a value inside `value` (the root excluded), depth first. */
function allPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...allPaths(v, [...prefix, i])]);
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...allPaths(v, [...prefix, k])]);
  return [];
}

/** A deep copy of the saved model.json with the value at `path` replaced (or deleted). */
function mutated(path: readonly (string | number)[], value: unknown, remove = false): unknown {
  const copy = structuredClone(saved.modelJson) as unknown as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete parent[last];
  else parent[last] = value;
  return copy;
}

/**
 * The outcome of one import (weights: the saved model's unless given, even as undefined): "ok",
 * "FheError", or the description of any other failure.
 */
function outcome(modelJson: unknown, args: { readonly weights?: unknown; readonly options?: unknown } = {}): string {
  try {
    const weights = Object.hasOwn(args, "weights") ? args.weights : saved.weights;
    const spec: ModelSpec = importTfjs(modelJson, weights as ArrayBuffer, args.options as never);
    expect(spec.format).toBe("wasm-ckks-nn");
    expect(Array.isArray(spec.layers)).toBe(true);
    return "ok";
  } catch (error) {
    if (error instanceof FheError && error.message.startsWith("cannot import TensorFlow.js model: ")) return "FheError";
    return `${error instanceof Error ? error.constructor.name : typeof error}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const hostileValues: unknown[] = [
  null, [], [null], [1, "a"], {}, Object.create(null), "", "x", "channels_first", 0, -1, 1.5, 2 ** 53, 1e300, NaN, true,
  { class_name: "Dense", config: {} }, [[1, 2], [3]],
];

beforeAll(async () => {
  await useCpuBackend();
  const model = tf.sequential({ name: "hostile" });
  model.add(tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]], inputShape: [5, 5, 2] }));
  model.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2 }));
  model.add(tf.layers.averagePooling2d({ poolSize: 1 }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2 }));
  randomizeWeights(model, seededRandom(9));
  const plain = await saveModel(model);
  // One weight quantised, so that quantisation fields are attacked too.
  const manifest = plain.modelJson.weightsManifest[0]!.weights;
  const last = manifest.length - 1;
  const lastEntry = manifest[last]!;
  const lastBytes = 4 * lastEntry.shape.reduce((a, b) => a * b, 1);
  const head = new Uint8Array(plain.weights, 0, plain.weights.byteLength - lastBytes);
  const weights = new Uint8Array(head.byteLength + lastBytes / 4);
  weights.set(head);
  weights.fill(128, head.byteLength);
  manifest[last] = { ...lastEntry, quantization: { dtype: "uint8", scale: 0.01, min: 0.5 } };
  saved = { modelJson: plain.modelJson, weights: weights.buffer };
  paths = allPaths(saved.modelJson);
});

describe("hostile model.json", () => {
  it("imports the unmodified model", () => {
    expect(outcome(saved.modelJson)).toBe("ok");
    expect(paths.length).toBeGreaterThan(150);
  });

  it("answers with an FheError or a model for any JSON value in any field, or a field deleted", () => {
    const failures: string[] = [];
    for (const path of paths) {
      for (const value of hostileValues) {
        const result = outcome(mutated(path, value));
        if (result !== "ok" && result !== "FheError") failures.push(`${path.join(".")} = ${String(value)}: ${result}`);
      }
      const result = outcome(mutated(path, undefined, true));
      if (result !== "ok" && result !== "FheError") failures.push(`delete ${path.join(".")}: ${result}`);
    }
    expect(failures).toEqual([]);
  });

  it("refuses arrays with a hole in any element (a sparse array read as if dense would pass checks)", () => {
    const elements = paths.filter((path) => typeof path[path.length - 1] === "number");
    expect(elements.length).toBeGreaterThan(40);
    for (const path of elements) expect(outcome(mutated(path, undefined, true)), `hole at ${path.join(".")}`).toBe("FheError");
  });

  it("refuses hostile values in the fields that define the model and have no default", () => {
    const defining = [
      ["format"], ["modelTopology"], ["modelTopology", "class_name"], ["modelTopology", "config", "layers"], ["weightsManifest"],
      ["weightsManifest", 0, "paths"], ["weightsManifest", 0, "weights", 0, "shape"], ["weightsManifest", 0, "weights", 0, "dtype"],
      ["weightsManifest", 0, "weights", 7, "quantization", "scale"], ["modelTopology", "config", "layers", 0, "config", "padding"],
      ["modelTopology", "config", "layers", 0, "config", "batch_input_shape"], ["modelTopology", "config", "layers", 1, "config", "filters"],
      ["modelTopology", "config", "layers", 1, "config", "kernel_size"], ["modelTopology", "config", "layers", 2, "config", "pool_size"],
      ["modelTopology", "config", "layers", 0, "class_name"], ["modelTopology", "config", "layers", 5, "config", "units"],
      ["modelTopology", "config", "layers", 5, "config", "name"], ["modelTopology", "config", "layers", 5, "class_name"],
    ];
    for (const path of defining) {
      for (const value of [null, [1, "a"], "x", {}, -1]) expect(outcome(mutated(path, value)), `${path.join(".")} = ${JSON.stringify(value)}`).toBe("FheError");
    }
  });

  it("answers with an FheError or a model for random values at random paths (fast-check)", () => {
    const anything = fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true });
    fc.assert(fc.property(fc.nat(), anything, (index, value) => {
      expect(outcome(mutated(paths[index % paths.length]!, value))).toMatch(/^(ok|FheError)$/);
    }), { numRuns: 600, seed: 42 });
  });

  it("answers with an FheError for any model.json, weights or options argument (fast-check)", () => {
    const anything = fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true });
    fc.assert(fc.property(anything, (value) => {
      expect(outcome(value)).toBe("FheError");
      expect(outcome(saved.modelJson, { weights: value })).toBe("FheError");
      expect(outcome(saved.modelJson, { options: value })).toMatch(/^(ok|FheError)$/);
    }), { numRuns: 300, seed: 43 });
  });
});
