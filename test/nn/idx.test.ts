// The IDX reader on hand-made files: good ones read back exactly, damaged ones are refused with
// CORRUPT_DATA and a message naming the file and the reason.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSameCount, parseIdxImages, parseIdxLabels } from "../../nn/data/idx.js";
import { expectFheError } from "../helpers/ckks.js";

function idx(magic: number, dims: readonly number[], body: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(body, 4 + 4 * dims.length);
  return bytes;
}

describe("parseIdxImages", () => {
  it("reads the header big-endian and the pixels from byte 16", () => {
    const pixels = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
    const file = idx(0x803, [2, 3, 2], pixels);
    const images = parseIdxImages(file, "tiny");
    expect(images).toEqual({ count: 2, rows: 3, columns: 2, pixels: Uint8Array.from(pixels) });
    file[16] = 99;
    expect(images.pixels[0]).toBe(0);           // a copy, not a view of the file
  });

  it("reads header fields wider than one byte (258 rows)", () => {
    const file = idx(0x803, [1, 258, 1], new Uint8Array(258).fill(7));
    expect(parseIdxImages(file, "wide")).toMatchObject({ count: 1, rows: 258, columns: 1 });
  });

  it("round-trips any small set of images", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer(),
      (count, rows, columns, seed) => {
        const pixels = Uint8Array.from({ length: count * rows * columns }, (_, i) => (seed + 31 * i) & 255);
        const images = parseIdxImages(idx(0x803, [count, rows, columns], pixels), "random");
        expect(images).toEqual({ count, rows, columns, pixels });
      }), { seed: 8, numRuns: 50 });
  });

  it("refuses a wrong magic number (a label file given as images)", () => {
    const error = expectFheError(() => parseIdxImages(idx(0x801, [1, 1, 1], [0]), "labels.idx"), "CORRUPT_DATA");
    expect(error.message).toBe("cannot read IDX file labels.idx: the magic number is 0x00000801, expected 0x00000803");
  });

  it("refuses a file shorter than the header", () => {
    const error = expectFheError(() => parseIdxImages(new Uint8Array(15), "short"), "CORRUPT_DATA");
    expect(error.message).toBe("cannot read IDX file short: the file has 15 bytes, fewer than its 16-byte header");
  });

  it("refuses truncated pixels and trailing bytes", () => {
    const truncated = expectFheError(() => parseIdxImages(idx(0x803, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7]), "cut"), "CORRUPT_DATA");
    expect(truncated.message).toBe("cannot read IDX file cut: the file is truncated: the header announces 2 images of 2 x 2 pixels (8 bytes after the header), found 7");
    const long = expectFheError(() => parseIdxImages(idx(0x803, [1, 2, 2], [1, 2, 3, 4, 5]), "long"), "CORRUPT_DATA");
    expect(long.message).toContain("the file is too long");
  });

  it("refuses images without rows or columns", () => {
    const error = expectFheError(() => parseIdxImages(idx(0x803, [3, 0, 28], []), "flat"), "CORRUPT_DATA");
    expect(error.message).toBe("cannot read IDX file flat: the header announces images of 0 x 28 pixels");
  });
});

describe("parseIdxLabels", () => {
  it("reads the count and the labels from byte 8", () => {
    expect(parseIdxLabels(idx(0x801, [3], [7, 2, 1]), "labels")).toEqual({ count: 3, labels: Uint8Array.from([7, 2, 1]) });
  });

  it("refuses a wrong magic number, a short header and a wrong length", () => {
    expect(expectFheError(() => parseIdxLabels(idx(0x803, [1], [0]), "images.idx"), "CORRUPT_DATA").message)
      .toBe("cannot read IDX file images.idx: the magic number is 0x00000803, expected 0x00000801");
    expect(expectFheError(() => parseIdxLabels(new Uint8Array([0, 0, 8, 1]), "stub"), "CORRUPT_DATA").message)
      .toBe("cannot read IDX file stub: the file has 4 bytes, fewer than its 8-byte header");
    expect(expectFheError(() => parseIdxLabels(idx(0x801, [4], [1, 2, 3]), "cut"), "CORRUPT_DATA").message)
      .toBe("cannot read IDX file cut: the file is truncated: the header announces 4 labels (4 bytes after the header), found 3");
  });
});

describe("checkSameCount", () => {
  it("accepts equal counts and refuses different ones", () => {
    const images = parseIdxImages(idx(0x803, [2, 1, 1], [0, 0]), "images");
    checkSameCount(images, parseIdxLabels(idx(0x801, [2], [0, 1]), "labels"), "images");
    const error = expectFheError(() => checkSameCount(images, parseIdxLabels(idx(0x801, [3], [0, 1, 2]), "labels"), "images"), "CORRUPT_DATA");
    expect(error.message).toBe("cannot read IDX file images: the image file holds 2 images but the label file 3 labels");
  });
});
