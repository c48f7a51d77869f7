// MNIST 3-vs-8 as a training task (Han et al.): the images of the two digits, downsampled to
// 14 x 14 = 196 features by 2 x 2 averaging, in [0, 1]; label 1 for an 8, 0 for a 3.

import type { Dataset } from "../data/mnist.js";
import { FheError } from "../../engine/ring/errors.js";
import type { TrainingTask } from "./task.js";

/** The 3s and 8s of a 28 x 28 dataset (loadMnist) as a 196-feature task. */
export function mnist38Task(dataset: Dataset): TrainingTask {
  if (dataset.rows !== 28 || dataset.columns !== 28) throw new FheError("INVALID_ARGUMENT", "build MNIST 3-vs-8", `expected 28 x 28 images, got ${dataset.rows} x ${dataset.columns}`);
  const kept: number[] = [];
  dataset.labels.forEach((label, i) => {
    if (label === 3 || label === 8) kept.push(i);
  });
  const features = 196;
  const rows = new Float64Array(kept.length * features);
  const labels = new Uint8Array(kept.length);
  kept.forEach((image, k) => {
    const pixels = dataset.images.subarray(image * 784, (image + 1) * 784);
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const at = 2 * r * 28 + 2 * c;
        rows[k * features + r * 14 + c] = (pixels[at]! + pixels[at + 1]! + pixels[at + 28]! + pixels[at + 29]!) / 4;
      }
    }
    labels[k] = dataset.labels[image] === 8 ? 1 : 0;
  });
  return { name: "mnist38", samples: kept.length, features, rows, labels };
}
