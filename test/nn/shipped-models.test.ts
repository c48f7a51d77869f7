// The trained models shipped in models/: the layout of their architecture (the same layers,
// shapes and polynomials as a freshly built model), float32 weights, depth within inference14's
// 12 levels, and the recorded test accuracy at the targets (CryptoNets ≥ 98.9 %, CryptoDL-style ≥ 99.3 %);
// the Fashion-MNIST CryptoNets (no target in the issue; CryptoNets-size networks reach 85-90 %)
// also on the test images when the dataset is installed.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../nn/data/mnist.js";
import { MODEL_FORMAT, MODEL_VERSION, type LayerSpec, type ModelSpec } from "../../nn/model-spec.js";
import { argmax, Sequential } from "../../nn/sequential.js";
import { architectures, type ArchitectureName } from "../../nn/train/architectures.js";
import { initBackend } from "../../nn/train/backend.js";
import { modelDepth } from "../../nn/train/depth.js";
import { shortestFloat32 } from "../../nn/train/export.js";
import { TrainableModel } from "../../nn/train/model.js";
import { SeededRandom } from "../../nn/random.js";
import { fashionMnistInstalled } from "../helpers/nn-models.js";

const weightKeys = ["kernel", "bias", "gamma", "beta", "movingMean", "movingVariance"];

/** The layer without its trained vectors, which are replaced by their lengths. */
function layout(layer: LayerSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, weightKeys.includes(k) ? (v as number[]).length : v]));
}

interface Shipped { readonly architecture: ArchitectureName; readonly dataset: "mnist" | "fashion"; readonly accuracy: number; readonly depth: number }

const targets: Record<string, Shipped> = {
  cryptonets: { architecture: "cryptonets", dataset: "mnist", accuracy: 0.989, depth: 5 },
  cryptodl: { architecture: "cryptodl", dataset: "mnist", accuracy: 0.993, depth: 10 },
  "cryptonets-fashion": { architecture: "cryptonets", dataset: "fashion", accuracy: 0.87, depth: 5 },
  "cryptodl-fashion": { architecture: "cryptodl", dataset: "fashion", accuracy: 0.89, depth: 10 },
};

beforeAll(async () => {
  await initBackend("wasm");
});

describe.each(Object.keys(targets))("models/%s.json", (name) => {
  const target = targets[name]!;
  const spec = JSON.parse(readFileSync(new URL(`../../models/${name}.json`, import.meta.url), "utf8")) as ModelSpec;

  it("has the architecture's layout", () => {
    const architecture = architectures[target.architecture];
    const fresh = new TrainableModel(target.architecture, architecture.inputShape, architecture.layers, new SeededRandom(1)).toSpec({});
    expect([spec.format, spec.version, spec.name]).toEqual([MODEL_FORMAT, MODEL_VERSION, target.architecture]);
    expect(spec.inputShape).toEqual(fresh.inputShape);
    expect(spec.layers.map(layout)).toEqual(fresh.layers.map(layout));
    expect(modelDepth(spec.layers)).toBe(target.depth);
  });

  it("holds finite weights rounded to float32", () => {
    for (const layer of spec.layers) {
      for (const key of weightKeys) {
        const values = (layer as unknown as Record<string, number[] | undefined>)[key] ?? [];
        for (const v of values) expect(Number.isFinite(v) && shortestFloat32(v) === v).toBe(true);
      }
    }
  });

  it(`records a test accuracy on all 10,000 ${target.dataset} test images of at least ${100 * target.accuracy} %`, () => {
    const metadata = spec.metadata as Record<string, unknown>;
    expect(metadata).toMatchObject({ dataset: target.dataset, trainImages: 60000, testImages: 10000, depth: target.depth });
    expect(metadata.testAccuracy).toBeGreaterThanOrEqual(target.accuracy);
    expect(metadata.testCorrect).toBe(Math.round((metadata.testAccuracy as number) * 10000));
    expect(Object.keys(metadata.maxAbsOutput as object)).toEqual(spec.layers.map((l) => l.name));
  });
});

// All 10,000 test images give 87.54 % and 89.40 %; the first 1,000 lie within a few points.
describe.each([
  { name: "cryptonets-fashion", above: 0.84 },
  { name: "cryptodl-fashion", above: 0.86 },
])("models/$name.json on Fashion-MNIST", ({ name, above }) => {
  it.skipIf(!fashionMnistInstalled)(`classifies over ${100 * above} % of the first 1,000 test images (needs dataset-fashion-mnist)`, () => {
    const model = Sequential.fromJSON(readFileSync(new URL(`../../models/${name}.json`, import.meta.url), "utf8"));
    const data = loadFashionMnist({ split: "test", limit: 1000 });
    const size = data.rows * data.columns;
    let correct = 0;
    for (let i = 0; i < data.count; i++) if (argmax(model.predictPlain(data.images.subarray(i * size, (i + 1) * size))) === data.labels[i]) correct++;
    expect(correct / data.count).toBeGreaterThan(above);
  });
});
