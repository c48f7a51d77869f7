// SpamAssassin as a training task: the tokenizer's features row by row, labels kept, width 128.

import { describe, expect, it } from "vitest";
import { featureScaling, HashingTokenizer, spamTask, spamTaskBuckets, standardizeTask } from "../../../nn/index.js";
import { expectFheError } from "../../helpers/ckks.js";
import { syntheticTask } from "./helpers.js";

describe("spam training task", () => {
  it("holds each chosen e-mail's hashed features and label, in order", () => {
    const texts = ["Subject: hi\n\nlunch tomorrow?", "Subject: WIN\n\nfree money now!!!", ""];
    const task = spamTask(texts, [0, 1, 0], [2, 1]);
    expect(task).toMatchObject({ name: "spam", samples: 2, features: spamTaskBuckets });
    expect(Array.from(task.labels)).toEqual([0, 1]);
    const tokenizer = new HashingTokenizer({ buckets: spamTaskBuckets });
    expect(Array.from(task.rows.subarray(0, 128))).toEqual(Array.from(tokenizer.features("")));
    expect(Array.from(task.rows.subarray(128, 256))).toEqual(Array.from(tokenizer.features(texts[1]!)));
  });

  it("standardizes features by the training set's statistics: mean 0, sd 1 per feature; constant features kept at sd 1", () => {
    const task = syntheticTask(50, 4, 7);
    task.rows.forEach((_, k) => { if (k % 4 === 3) task.rows[k] = 2.5; });
    const scaling = featureScaling(task);
    expect(scaling.sd[3]).toBe(1);
    const standardized = standardizeTask(task, scaling);
    for (let j = 0; j < 4; j++) {
      const column = Array.from({ length: 50 }, (_, i) => standardized.rows[i * 4 + j]!);
      const mean = column.reduce((a, b) => a + b, 0) / 50;
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 50;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(variance).toBeCloseTo(j === 3 ? 0 : 1, 12);
    }
    expect(Array.from(standardized.labels)).toEqual(Array.from(task.labels));
    expectFheError(() => standardizeTask(task, { mean: scaling.mean, sd: new Float64Array(4) }), "INVALID_ARGUMENT", "standardize features");
    expectFheError(() => standardizeTask(task, { mean: new Float64Array(3), sd: scaling.sd }), "INVALID_ARGUMENT", "standardize features");
  });
});
