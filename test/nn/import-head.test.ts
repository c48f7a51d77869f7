// Classifier heads from safetensors (PyTorch nn.Linear layout and ours): the imported model
// against y = W x + b written out by hand, the ReLU replacement, and every refusal.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approx, FheError } from "../../engine/index.js";
import { importHead, readSafetensors, Sequential, writeSafetensors } from "../../nn/index.js";
import { seededRandom, spec } from "../helpers/nn-models.js";

/** A PyTorch-layout head: weight [out][in] row-major. */
function torchHead(seed: number, inputs: number, hidden: number, classes: number) {
  const random = seededRandom(seed);
  const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(random() * 0.5)));
  const vector = (n: number) => Array.from({ length: n }, () => Math.fround(random() * 0.2));
  const w1 = matrix(hidden, inputs), b1 = vector(hidden), w2 = matrix(classes, hidden), b2 = vector(classes);
  const bytes = writeSafetensors({
    "pre_classifier.weight": { dtype: "F32", shape: [hidden, inputs], data: w1.flat() },
    "pre_classifier.bias": { dtype: "F32", shape: [hidden], data: b1 },
    "classifier.weight": { dtype: "F32", shape: [classes, hidden], data: w2.flat() },
    "classifier.bias": { dtype: "F32", shape: [classes], data: b2 },
  });
  return { bytes, w1, b1, w2, b2 };
}

const layers = [{ weight: "pre_classifier.weight", bias: "pre_classifier.bias", relu: true }, { weight: "classifier.weight", bias: "classifier.bias" }];
const relu = approx.relu({ interval: [-4, 4], degree: 3 }).poly;

describe("importHead", () => {
  it("a PyTorch-layout head computes W2 p(W1 x + b1) + b2 with p the ReLU polynomial (fast-check)", () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), (seed, inputs, hidden) => {
      const h = torchHead(seed, inputs, hidden, 2);
      const head = importHead(readSafetensors(h.bytes).tensors, { layers, relu, inputs });
      expect(head.map((l) => l.type)).toEqual(["dense", "polyActivation", "dense"]);
      const model = Sequential.fromSpec(spec([inputs], head));
      const random = seededRandom(seed + 1);
      const x = Array.from({ length: inputs }, () => random());
      const a = h.w1.map((row, o) => relu.evaluate(row.reduce((s, w, i) => s + w * x[i]!, h.b1[o]!)));
      const want = h.w2.map((row, o) => row.reduce((s, w, i) => s + w * a[i]!, h.b2[o]!));
      model.predictPlain(x).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 10));
    }), { numRuns: 30 });
  });

  it("the in-out layout reads [inputs][outputs] matrices as they are", () => {
    const bytes = writeSafetensors({ w: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] } });
    const [dense] = importHead(readSafetensors(bytes).tensors, { layers: [{ weight: "w" }], layout: "in-out" });
    expect(dense).toMatchObject({ type: "dense", units: 2, kernel: [1, 2, 3, 4, 5, 6] });
    const [torch] = importHead(readSafetensors(bytes).tensors, { layers: [{ weight: "w" }] });
    expect(torch).toMatchObject({ units: 3, kernel: [1, 3, 5, 2, 4, 6] });
  });

  it("refuses missing tensors, wrong shapes, non-finite values, a ReLU without its polynomial", () => {
    const h = torchHead(1, 4, 3, 2);
    const tensors = readSafetensors(h.bytes).tensors;
    const refuses = (f: () => unknown, pattern: RegExp) => {
      expect(f).toThrow(FheError);
      expect(f).toThrow(pattern);
    };
    refuses(() => importHead(tensors, { layers: [{ weight: "nope.weight" }] }), /no tensor 'nope.weight'/);
    refuses(() => importHead(tensors, { layers, relu, inputs: 5 }), /takes 4 inputs and the previous layer gives 5/);
    refuses(() => importHead(tensors, { layers: [{ weight: "pre_classifier.bias" }] }), /must be 2-D/);
    refuses(() => importHead(tensors, { layers: [{ weight: "pre_classifier.weight", bias: "classifier.bias" }] }), /has 2 values .* 3 outputs/);
    refuses(() => importHead(tensors, { layers }), /pass options.relu/);
    refuses(() => importHead(tensors, { layers: [{ weight: "classifier.weight" }, { weight: "classifier.weight" }] }), /takes 3 inputs and the previous layer gives 2/);
    refuses(() => importHead(tensors, { layers: [] }), /options.layers/);
    const nan = writeSafetensors({ w: { dtype: "F64", shape: [1, 2], data: [1, 2] } });
    new DataView(nan.buffer, nan.byteOffset).setFloat64(nan.length - 8, Number.NaN, true);
    refuses(() => readSafetensors(nan), /NaN|non-finite|finite/);
    refuses(() => importHead(readSafetensors(nan, { allowNonFinite: true }).tensors, { layers: [{ weight: "w" }] }), /non-finite value at 1/);
    refuses(() => readSafetensors(h.bytes.subarray(0, 6)), /./);
  });
});
