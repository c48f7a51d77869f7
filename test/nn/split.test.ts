// The seeded stratified split: per-class proportions (rounded per class), sorted disjoint index
// sets covering every item, determinism for a seed, a pinned known answer, bad arguments.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stratifiedSplit } from "../../nn/data/split.js";
import { expectFheError } from "../helpers/ckks.js";

const operation = "split the data set";

function isSorted(values: Uint32Array): boolean {
  return values.every((v, i) => i === 0 || values[i - 1]! < v);
}

describe("stratifiedSplit", () => {
  it("puts Math.round(n · testFraction) of each class in the test set; sorted, disjoint, complete (fast-check)", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      fc.nat({ max: 2 ** 32 - 1 }),
      (labels, testFraction, seed) => {
        const { train, test } = stratifiedSplit(labels, { testFraction, seed });
        expect(isSorted(train) && isSorted(test)).toBe(true);
        expect([...train, ...test].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
        for (const label of new Set(labels)) {
          const n = labels.filter((l) => l === label).length;
          expect([...test].filter((i) => labels[i] === label).length).toBe(Math.round(n * testFraction));
        }
      }));
  });

  it("is deterministic for a seed and changes with it", () => {
    const labels = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) % 3);
    const a = stratifiedSplit(labels, { seed: 42 });
    expect(stratifiedSplit(labels, { seed: 42 })).toEqual(a);
    expect(stratifiedSplit(Array.from(labels), { seed: 42, testFraction: 0.2 })).toEqual(a);
    expect(stratifiedSplit(labels, { seed: 43 }).test).not.toEqual(a.test);
    expect(a.test.length).toBe(120);   // 200 per class, 40 held out each
  });

  it("gives the pinned answer for a small example (mulberry32, classes in ascending order)", () => {
    // Class 0: five items, round(1.5) = 2 held out; class 1: ten items, 3; class 2: one item, round(0.3) = 0.
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2];
    const { train, test } = stratifiedSplit(labels, { seed: 7, testFraction: 0.3 });
    expect([...test]).toEqual([1, 3, 5, 7, 9]);
    expect([...train]).toEqual([0, 2, 4, 6, 8, 10, 11, 12, 13, 14, 15]);
  });

  it("refuses bad labels, fractions and seeds", () => {
    for (const labels of [[], "0101", null, 3, [0, -1], [0, 0.5], [0, NaN], ["0"], new DataView(new ArrayBuffer(2))]) {
      expectFheError(() => stratifiedSplit(labels as never, { seed: 1 }), "INVALID_ARGUMENT", operation);
    }
    for (const testFraction of [0, 1, -0.1, 1.5, NaN, "0.2"]) {
      expectFheError(() => stratifiedSplit([0, 1], { seed: 1, testFraction: testFraction as never }), "INVALID_ARGUMENT", operation);
    }
    for (const seed of [undefined, -1, 2 ** 32, 1.5, "1"]) {
      expectFheError(() => stratifiedSplit([0, 1], { seed: seed as never }), "INVALID_ARGUMENT", operation);
    }
    expectFheError(() => stratifiedSplit([0, 1], undefined as never), "INVALID_ARGUMENT", operation);
    expect(expectFheError(() => stratifiedSplit([0, 2, -3], { seed: 1 })).message)
      .toBe("cannot split the data set: labels[2] is -3, expected a non-negative integer class id");
  });
});
