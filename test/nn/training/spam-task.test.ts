// SpamAssassin as a training task: the tokenizer's features row by row, labels kept, width 128.

import { describe, expect, it } from "vitest";
import { HashingTokenizer, spamTask, spamTaskBuckets } from "../../../nn/index.js";

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
});
