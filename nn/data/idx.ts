// Reader of the IDX files MNIST and Fashion-MNIST ship in: a big-endian header (magic, then one
// 32-bit count per dimension) followed by unsigned bytes. Only the two layouts those datasets use
// are accepted: images (magic 0x00000803: count, rows, columns; pixels from byte 16) and labels
// (magic 0x00000801: count; labels from byte 8).

import { FheError } from "../../engine/ring/errors.js";

/** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** Images of `rows` x `columns` pixels, image after image, row-major, one byte (0..255) each. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
  /** count · rows · columns bytes. */
  readonly pixels: Uint8Array;
}

/** One byte per item. */
export interface IdxLabels {
  readonly count: number;
  readonly labels: Uint8Array;
}

function corrupt(name: string, reason: string): FheError {
  return new FheError("CORRUPT_DATA", `read IDX file ${name}`, reason);
}

function header(bytes: Uint8Array, name: string, magic: number, headerBytes: number): DataView {
  if (bytes.length < headerBytes) {
    throw corrupt(name, `the file has ${bytes.length} bytes, fewer than its ${headerBytes}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw corrupt(name, `the magic number is 0x${found.toString(16).padStart(8, "0")}, expected 0x${magic.toString(16).padStart(8, "0")}`);
  }
  return view;
}

function body(bytes: Uint8Array, name: string, headerBytes: number, expected: number, what: string): Uint8Array {
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const kind = found < expected ? "truncated" : "too long";
    throw corrupt(name, `the file is ${kind}: the header announces ${what} (${expected} bytes after the header), found ${found}`);
  }
  return bytes.slice(headerBytes);
}

/**
 * Parses an IDX image file. `name` only appears in error messages. Throws `FheError`
 * ("CORRUPT_DATA") on a wrong magic number, a header that announces zero rows or columns, or a
 * file whose length is not exactly the header's count · rows · columns bytes after the header.
 * The returned pixels are a copy: `bytes` may be reused.
 */
export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const view = header(bytes, name, IDX_IMAGES_MAGIC, 16);
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const columns = view.getUint32(12, false);
  if (rows === 0 || columns === 0) throw corrupt(name, `the header announces images of ${rows} x ${columns} pixels`);
  const pixels = body(bytes, name, 16, count * rows * columns, `${count} images of ${rows} x ${columns} pixels`);
  return { count, rows, columns, pixels };
}

/**
 * Parses an IDX label file. Throws `FheError` ("CORRUPT_DATA") on a wrong magic number or a file
 * whose length is not exactly the header's count bytes after the header. The labels are a copy.
 */
export function parseIdxLabels(bytes: Uint8Array, name: string): IdxLabels {
  const view = header(bytes, name, IDX_LABELS_MAGIC, 8);
  const count = view.getUint32(4, false);
  return { count, labels: body(bytes, name, 8, count, `${count} labels`) };
}

/** Checks that an image file and a label file describe the same number of items. */
export function checkSameCount(images: IdxImages, labels: IdxLabels, name: string): void {
  if (images.count !== labels.count) {
    throw corrupt(name, `the image file holds ${images.count} images but the label file ${labels.count} labels`);
  }
}
