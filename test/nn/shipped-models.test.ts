// The trained models shipped in models/: the layout of their architecture (the same layers,
// shapes and polynomials as a freshly built model), float32 weights, depth within inference14's
// 12 levels, and the recorded test accuracy at the targets (CryptoNets ≥ 98.9 %, CryptoDL-style ≥ 99.3 %).

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { MODEL_FORMAT, MODEL_VERSION, type LayerSpec, type ModelSpec } from "../../nn/model-spec.js";
import { architectures, type ArchitectureName } from "../../nn/train/architectures.js";
import { initBackend } from "../../nn/train/backend.js";
import { modelDepth } from "../../nn/train/depth.js";
import { shortestFloat32 } from "../../nn/train/export.js";
import { TrainableModel } from "../../nn/train/model.js";
import { SeededRandom } from "../../nn/random.js";

const weightKeys = ["kernel", "bias", "gamma", "beta", "movingMean", "movingVariance"];

/** The layer without its trained vectors, which are replaced by their lengths. */
function layout(layer: LayerSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, weightKeys.includes(k) ? (v as number[]).length : v]));
}

const targets: Record<ArchitectureName, { accuracy: number; depth: number }> = {
  cryptonets: { accuracy: 0.989, depth: 5 },
  cryptodl: { accuracy: 0.993, depth: 10 },
};

beforeAll(async () => {
  await initBackend("wasm");
});

describe.each(Object.keys(targets) as ArchitectureName[])("models/%s.json", (name) => {
  const spec = JSON.parse(readFileSync(new URL(`../../models/${name}.json`, import.meta.url), "utf8")) as ModelSpec;

  it("has the architecture's layout", () => {
    const architecture = architectures[name];
    const fresh = new TrainableModel(name, architecture.inputShape, architecture.layers, new SeededRandom(1)).toSpec({});
    expect([spec.format, spec.version, spec.name]).toEqual([MODEL_FORMAT, MODEL_VERSION, name]);
    expect(spec.inputShape).toEqual(fresh.inputShape);
    expect(spec.layers.map(layout)).toEqual(fresh.layers.map(layout));
    expect(modelDepth(spec.layers)).toBe(targets[name].depth);
  });

  it("holds finite weights rounded to float32", () => {
    for (const layer of spec.layers) {
      for (const key of weightKeys) {
        const values = (layer as unknown as Record<string, number[] | undefined>)[key] ?? [];
        for (const v of values) expect(Number.isFinite(v) && shortestFloat32(v) === v).toBe(true);
      }
    }
  });

  it(`records a test accuracy on all 10,000 MNIST test digits of at least ${100 * targets[name].accuracy} %`, () => {
    const metadata = spec.metadata as Record<string, unknown>;
    expect(metadata).toMatchObject({ dataset: "mnist", trainImages: 60000, testImages: 10000, depth: targets[name].depth });
    expect(metadata.testAccuracy).toBeGreaterThanOrEqual(targets[name].accuracy);
    expect(metadata.testCorrect).toBe(Math.round((metadata.testAccuracy as number) * 10000));
    expect(Object.keys(metadata.maxAbsOutput as object)).toEqual(spec.layers.map((l) => l.name));
  });
});
