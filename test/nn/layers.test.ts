// Each layer's float64 twin against an independent reference, its affine form against the
// twin, and fusion of adjacent linear layers against running them one after the other.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyAffine, composeAffine, fuseStages, Sequential, type LayerSpec } from "../../nn/index.js";
import { randomArray, referenceConv, seededRandom, spec } from "../helpers/nn-models.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
};

describe("Conv2D", () => {
  it("equals a direct padded convolution for random shapes, strides and paddings; its affine form equals its twin", () => {
    fc.assert(fc.property(
      fc.record({
        h: fc.integer({ min: 3, max: 8 }), w: fc.integer({ min: 3, max: 8 }), c: fc.integer({ min: 1, max: 3 }),
        filters: fc.integer({ min: 1, max: 3 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
        sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 2 }),
        pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), seed: fc.integer(),
      }),
      ({ h, w, c, filters, kh, kw, sh, sw, pad, seed }) => {
        const random = seededRandom(seed);
        const kernel = randomArray(kh * kw * c * filters, random);
        const bias = randomArray(filters, random);
        const model = Sequential.fromSpec(spec([h, w, c], [{ type: "conv2d", filters, kernelSize: [kh, kw], strides: [sh, sw], padding: pad, kernel, bias }]));
        const x = randomArray(h * w * c, random);
        const expected = referenceConv(x, [h, w, c], kernel, bias, filters, [kh, kw], [sh, sw], pad);
        close(model.predictPlain(x), expected);
        const layer = model.layers[0]!;
        if (layer.kind === "linear") close(applyAffine(layer.toAffine(), x), expected);
      },
    ), { numRuns: 60, seed: 11 });
  });

  it('"same" padding follows TensorFlow: output ⌈in/stride⌉, the extra row and column at the bottom and right', () => {
    const model = Sequential.fromSpec(spec([28, 28, 1], [{ type: "conv2d", filters: 1, kernelSize: [5, 5], strides: [2, 2], padding: "same", kernel: new Array(25).fill(0) }]));
    expect(model.outputShape).toEqual([14, 14, 1]);
    const layer = model.layers[0] as unknown as { padding: number[] };
    expect(layer.padding).toEqual([1, 2, 1, 2]);
  });
});

describe("Dense, AvgPool2D, BatchNorm, Flatten, activations", () => {
  const random = seededRandom(5);
  it("Dense is x·K + b with K as [inputs][units]", () => {
    const kernel = randomArray(12, random);
    const bias = randomArray(3, random);
    const x = randomArray(4, random);
    const model = Sequential.fromSpec(spec([4], [{ type: "dense", units: 3, kernel, bias }]));
    const expected = [0, 1, 2].map((u) => bias[u]! + x.reduce((s, v, i) => s + v * kernel[i * 3 + u]!, 0));
    close(model.predictPlain(x), expected);
  });

  it("AvgPool2D averages windows per channel (strides default to the pool size)", () => {
    const x = randomArray(4 * 6 * 2, random);
    const model = Sequential.fromSpec(spec([4, 6, 2], [{ type: "avgPool2d", poolSize: [2, 3] }]));
    expect(model.outputShape).toEqual([2, 2, 2]);
    const at = (i: number, j: number, k: number) => x[(i * 6 + j) * 2 + k]!;
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) s += at(2 * i + a, 3 * j + b, k);
      expected.push(s / 6);
    }
    close(model.predictPlain(x), expected);
    const layer = model.layers[0]!;
    if (layer.kind === "linear") close(applyAffine(layer.toAffine(), x), expected);
  });

  it("BatchNorm is gamma (x − mean)/√(var + ε) + beta per channel", () => {
    const x = randomArray(3 * 2, random);
    const bn: LayerSpec = { type: "batchNorm", gamma: [2, 0.5], beta: [0.1, -1], movingMean: [0.3, -0.2], movingVariance: [4, 0.25], epsilon: 0.001 };
    const model = Sequential.fromSpec(spec([3, 1, 2], [bn]));
    const expected = x.map((v, i) => {
      const k = i % 2;
      return [2, 0.5][k]! * (v - [0.3, -0.2][k]!) / Math.sqrt([4, 0.25][k]! + 0.001) + [0.1, -1][k]!;
    });
    close(model.predictPlain(x), expected);
  });

  it("Square and PolyActivation (Chebyshev on an interval, monomial) evaluate element-wise", () => {
    const x = [-3, -0.5, 0, 1.25, 4];
    close(Sequential.fromSpec(spec([5], [{ type: "square" }])).predictPlain(x), x.map((v) => v * v));
    // 0.5 T0 + 0.25 T1 + 0.125 T2 on [-4, 4]: t = x/4.
    const cheb = Sequential.fromSpec(spec([5], [{ type: "polyActivation", basis: "chebyshev", interval: [-4, 4], coefficients: [0.5, 0.25, 0.125] }]));
    close(cheb.predictPlain(x), x.map((v) => { const t = v / 4; return 0.5 + 0.25 * t + 0.125 * (2 * t * t - 1); }));
    const mono = Sequential.fromSpec(spec([5], [{ type: "polyActivation", basis: "monomial", interval: [-4, 4], coefficients: [0.1, 0.5, 0.2] }]));
    close(mono.predictPlain(x), x.map((v) => 0.1 + 0.5 * v + 0.2 * v * v));
  });
});

describe("fusion", () => {
  it("composeAffine equals applying the maps one after the other (random sparse maps)", () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (seed, a, b, c) => {
      const random = seededRandom(seed);
      const dense = (rows: number, cols: number) => Sequential.fromSpec(spec([cols], [{ type: "dense", units: rows, kernel: randomArray(rows * cols, random).map((v) => (v > 0.3 ? 0 : v)), bias: randomArray(rows, random) }])).layers[0]!;
      const first = dense(b, a);
      const second = dense(c, b);
      if (first.kind !== "linear" || second.kind !== "linear") throw new Error("unreachable");
      const x = randomArray(a, random);
      close(applyAffine(composeAffine(first.toAffine(), second.toAffine()), x), applyAffine(second.toAffine(), applyAffine(first.toAffine(), x)));
    }), { numRuns: 100, seed: 3 });
  });

  it("folds conv → batchNorm → avgPool → flatten → dense into one stage between activations, same outputs as the layers", () => {
    const random = seededRandom(9);
    const model = Sequential.fromSpec(spec([6, 6, 1], [
      { type: "conv2d", filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: "valid", kernel: randomArray(18, random), bias: randomArray(2, random) },
      { type: "batchNorm", movingMean: [0.1, 0.2], movingVariance: [1.5, 0.5], gamma: [1.1, 0.9], beta: [0, 0.3], epsilon: 1e-3 },
      { type: "square" },
      { type: "avgPool2d", poolSize: [2, 2] },
      { type: "flatten" },
      { type: "dense", units: 3, kernel: randomArray(8 * 3, random), bias: randomArray(3, random) },
    ]));
    const stages = fuseStages(model.layers);
    expect(stages.map((s) => s.kind)).toEqual(["linear", "activation", "linear"]);
    const x = randomArray(36, random);
    let y: ArrayLike<number> = x;
    for (const s of stages) y = s.kind === "linear" ? applyAffine(s.map, y) : Array.from(y, (v) => v * v);
    close(y, model.predictPlain(x));
  });
});
