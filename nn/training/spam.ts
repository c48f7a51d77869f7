// SpamAssassin as a training task: each e-mail's hashed token features (HashingTokenizer, the
// HNN classifier's tokenizer) with label 1 for spam. 128 buckets keep a sample within one
// 256-slot block of the training layout.

import { HashingTokenizer } from "../text/tokenizer.js";
import type { TrainingTask } from "./task.js";

/** Default bucket count of the spam training task. */
export const spamTaskBuckets = 128;

/** The task of the e-mails `texts[i]` for i in `indices`, labels from `labels`. */
export function spamTask(texts: readonly string[], labels: ArrayLike<number>, indices: ArrayLike<number>, buckets = spamTaskBuckets): TrainingTask {
  const tokenizer = new HashingTokenizer({ buckets });
  const rows = new Float64Array(indices.length * buckets);
  const out = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    rows.set(tokenizer.features(texts[indices[k]!]!), k * buckets);
    out[k] = labels[indices[k]!]!;
  }
  return { name: "spam", samples: indices.length, features: buckets, rows, labels: out };
}
