// Binary metrics against definitions written out by hand: AUROC by counting every
// (positive, negative) pair, precision / recall / F1 from the confusion matrix.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FheError } from "../../engine/index.js";
import { auroc, binaryMetrics } from "../../nn/metrics.js";

function pairAuroc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((q, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("binary metrics", () => {
  it("AUROC equals the pair count, ties included (fast-check)", () => {
    const sample = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 60 })
      .filter((xs) => xs.some(([, l]) => l === 1) && xs.some(([, l]) => l === 0));
    fc.assert(fc.property(sample, (xs) => {
      const scores = xs.map(([s]) => s / 3);
      const labels = xs.map(([, l]) => l);
      expect(auroc(scores, labels)).toBeCloseTo(pairAuroc(scores, labels), 12);
    }));
  });

  it("known confusion matrix: 3 TP, 1 FP, 2 FN, 4 TN", () => {
    const labels = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    const scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.1, 0.0];
    const m = binaryMetrics(scores, labels, 0.5);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.precision).toBeCloseTo(0.75, 12);
    expect(m.recall).toBeCloseTo(0.6, 12);
    expect(m.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35, 12);
    expect(m.auroc).toBeCloseTo(pairAuroc(scores, labels), 12);
    expect(auroc([1, 1], [1, 1])).toBeNaN();
  });

  it("refuses labels outside {0, 1}, NaN scores and length mismatches", () => {
    expect(() => binaryMetrics([0.1, 0.2], [0, 2], 0.5)).toThrow(FheError);
    expect(() => binaryMetrics([0.1, Number.NaN], [0, 1], 0.5)).toThrow(/score 1/);
    expect(() => auroc([0.1], [0, 1])).toThrow(/equally long/);
  });
});
