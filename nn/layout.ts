// Packing layouts: which slot of which ciphertext holds which tensor element of which sample.
// A layout is plain JSON, shared by the client (who packs and unpacks) and the server.

import { describe } from "../engine/ring/errors.js";
import { positiveInteger, requireModel } from "./errors.js";
import { formatShape, shapeSize, type Shape } from "./layers/layer.js";

/**
 * Batch packing (CryptoNets): element e of every sample lives in ciphertext e, sample s in slot
 * s. Linear layers become scalar multiply-accumulates across ciphertexts, with no rotations.
 */
export interface BatchLayout {
  readonly kind: "batch";
  readonly shape: Shape;
  /** Samples packed (slots 0 .. samples − 1 are used), at most `slots`. */
  readonly samples: number;
  readonly slots: number;
}

export type Layout = BatchLayout;

/** A batch layout for `samples` samples of `shape` on ciphertexts with `slots` slots. */
export function batchLayout(shape: Shape, samples: number, slots: number): BatchLayout {
  const operation = "create batch layout";
  positiveInteger(samples, operation, "samples");
  positiveInteger(slots, operation, "slots");
  requireModel(samples <= slots, operation, `${samples} samples do not fit in ${slots} slots: split them into batches of at most ${slots}`);
  requireModel(Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isSafeInteger(d) && d > 0), operation, `shape must list positive integers, got ${describe(shape)}`);
  return Object.freeze({ kind: "batch", shape: Object.freeze([...shape]), samples, slots });
}

/**
 * The slot vectors of a batch: vector e holds element e of every sample. `samples[s]` is a flat
 * sample of shapeSize(layout.shape) finite numbers.
 */
export function packBatch(layout: BatchLayout, samples: readonly ArrayLike<number>[]): Float64Array[] {
  const operation = "pack batch";
  const size = shapeSize(layout.shape);
  requireModel(Array.isArray(samples) && samples.length === layout.samples, operation, `expected ${layout.samples} samples, got ${describe(samples)}`);
  const vectors = Array.from({ length: size }, () => new Float64Array(layout.slots));
  samples.forEach((sample, s) => {
    requireModel(sample !== null && typeof sample === "object" && sample.length === size, operation,
      `sample ${s} must have ${size} numbers (shape ${formatShape(layout.shape)}), got ${describe(sample)}`);
    for (let e = 0; e < size; e++) {
      const v = sample[e]!;
      requireModel(Number.isFinite(v), operation, `sample ${s} element ${e} is ${describe(v)}: inputs must be finite numbers`);
      vectors[e]![s] = v;
    }
  });
  return vectors;
}

/** Inverse of packBatch: one flat Float64Array per sample from the element vectors. */
export function unpackBatch(layout: BatchLayout, vectors: readonly ArrayLike<number>[]): Float64Array[] {
  const size = shapeSize(layout.shape);
  requireModel(vectors.length === size, "unpack batch", `expected ${size} vectors, got ${vectors.length}`);
  return Array.from({ length: layout.samples }, (_, s) => Float64Array.from({ length: size }, (_, e) => vectors[e]![s]!));
}
