// Packing layouts: which slot of which ciphertext holds which tensor element of which sample.
// A layout is plain JSON, shared by the client (who packs and unpacks) and the server.

import { describe, isInteger, isPowerOfTwo } from "../engine/ring/errors.js";
import { positiveInteger, requireModel } from "./errors.js";
import { formatShape, shapeSize, type Shape } from "./layers/layer.js";

/**
 * Batch packing (CryptoNets): element e of every sample lives in ciphertext e, sample s in slot
 * s. Linear layers become scalar multiply-accumulates across ciphertexts, with no rotations.
 * Complex batch packing (nGraph-HE2's "complex packing") holds two samples per slot: sample s
 * in the real part of slot s for s < slots, in the imaginary part of slot s − slots otherwise.
 * Real-weighted linear layers act on both parts at once; activations separate them (one
 * conjugation each).
 */
export interface BatchLayout {
  readonly kind: "batch";
  readonly shape: Shape;
  /** Samples packed, at most `slots` (2 `slots` when complex). */
  readonly samples: number;
  readonly slots: number;
  /** Two samples per slot (real and imaginary parts); absent or false: one, in the real part. */
  readonly complex?: boolean;
}

/** Samples one batch ciphertext of `slots` slots holds: `slots`, twice that when complex. */
export function batchCapacity(slots: number, complex: boolean): number {
  return complex ? 2 * slots : slots;
}

/**
 * Single-image packing (LoLa): one sample in one ciphertext of `slots` slots. Element e (flat,
 * channels last) sits at slot (positions[e] + r) mod slots for every shift r of `replicas`
 * (the first is 0): copies let a linear transform find each element where its rotations land.
 * Slots holding no element hold zeros or partial sums that nothing reads.
 */
export interface SingleLayout {
  readonly kind: "single";
  readonly shape: Shape;
  /** Slots of the ciphertext: a power of two. */
  readonly slots: number;
  /** Slot of the first copy of every element, integers in [0, slots). */
  readonly positions: readonly number[];
  /** Shifts of the copies: distinct integers in [0, slots), the first 0. */
  readonly replicas: readonly number[];
}

export type Layout = BatchLayout | SingleLayout;

/**
 * A batch layout for `samples` samples of `shape` on ciphertexts with `slots` slots, two samples
 * per slot when `complex`.
 */
export function batchLayout(shape: Shape, samples: number, slots: number, complex = false): BatchLayout {
  const operation = "create batch layout";
  positiveInteger(samples, operation, "samples");
  positiveInteger(slots, operation, "slots");
  requireModel(typeof complex === "boolean", operation, `complex must be a boolean, got ${describe(complex)}`);
  const capacity = batchCapacity(slots, complex);
  requireModel(samples <= capacity, operation, `${samples} samples do not fit in ${slots} slots${complex ? " (two per slot)" : ""}: split them into batches of at most ${capacity}`);
  requireModel(Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isSafeInteger(d) && d > 0), operation, `shape must list positive integers, got ${describe(shape)}`);
  return Object.freeze({ kind: "batch", shape: Object.freeze([...shape]), samples, slots, ...(complex ? { complex } : {}) });
}

/**
 * The slot vectors of a batch: vector e holds element e of every sample (its `slots` real parts,
 * followed by the `slots` imaginary parts when complex). `samples[s]` is a flat sample of
 * shapeSize(layout.shape) finite numbers.
 */
export function packBatch(layout: BatchLayout, samples: readonly ArrayLike<number>[]): Float64Array[] {
  const operation = "pack batch";
  const size = shapeSize(layout.shape);
  requireModel(Array.isArray(samples) && samples.length === layout.samples, operation, `expected ${layout.samples} samples, got ${describe(samples)}`);
  const capacity = batchCapacity(layout.slots, layout.complex === true);
  requireModel(layout.complex === undefined || typeof layout.complex === "boolean", operation, `layout.complex must be a boolean, got ${describe(layout.complex)}`);
  requireModel(layout.samples <= capacity, operation, `${layout.samples} samples do not fit the layout's ${layout.slots} slots${layout.complex === true ? " (two per slot)" : ""}: make the layout with batchLayout()`);
  const vectors = Array.from({ length: size }, () => new Float64Array(capacity));
  samples.forEach((sample, s) => {
    requireModel(sample !== null && typeof sample === "object" && sample.length === size, operation,
      `sample ${s} must have ${size} numbers (shape ${formatShape(layout.shape)}), got ${describe(sample)}`);
    for (let e = 0; e < size; e++) {
      const v = sample[e]!;
      if (!Number.isFinite(v)) requireModel(false, operation, `sample ${s} element ${e} is ${describe(v)}: inputs must be finite numbers`);
      vectors[e]![s] = v;
    }
  });
  return vectors;
}

/** Inverse of packBatch: one flat Float64Array per sample from the element vectors (real parts, then imaginary parts when complex). */
export function unpackBatch(layout: BatchLayout, vectors: readonly ArrayLike<number>[]): Float64Array[] {
  const size = shapeSize(layout.shape);
  requireModel(vectors.length === size, "unpack batch", `expected ${size} vectors, got ${vectors.length}`);
  return Array.from({ length: layout.samples }, (_, s) => Float64Array.from({ length: size }, (_, e) => vectors[e]![s]!));
}

/** The fields of a {@link SingleLayout} (a parsed JSON layout is accepted as it is). */
export interface SingleLayoutFields {
  readonly shape: Shape;
  readonly slots: number;
  readonly positions: ArrayLike<number>;
  readonly replicas?: ArrayLike<number>;
}

/**
 * A validated, frozen single layout: slots a power of two, one position per element, replica
 * shifts starting with 0, and no slot holding two copies. Throws FheError (INVALID_ARGUMENT).
 */
export function singleLayout(fields: SingleLayoutFields): SingleLayout {
  const operation = "create single layout";
  requireModel(fields !== null && typeof fields === "object", operation, `expected { shape, slots, positions, replicas }, got ${describe(fields)}`);
  const { shape, slots, positions, replicas = [0] } = fields;
  requireModel(Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isSafeInteger(d) && d > 0), operation, `shape must list positive integers, got ${describe(shape)}`);
  requireModel(isPowerOfTwo(slots), operation, `slots must be a power of two, got ${describe(slots)}`);
  const size = shapeSize(shape);
  const inRange = (v: unknown): boolean => isInteger(v) && v >= 0 && v < slots;
  const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || ArrayBuffer.isView(v);
  requireModel(isList(positions) && positions.length === size && Array.from(positions).every(inRange), operation,
    `positions must list ${size} slots in [0, ${slots}) (one per element of ${formatShape(shape)}), got ${describe(positions)}`);
  requireModel(isList(replicas) && replicas.length >= 1 && replicas[0] === 0 && Array.from(replicas).every(inRange), operation,
    `replicas must list shifts in [0, ${slots}) starting with 0, got ${describe(replicas)}`);
  requireModel(size * replicas.length <= slots, operation, `${size} elements times ${replicas.length} copies do not fit ${slots} slots`);
  const taken = new Uint8Array(slots);
  for (let r = 0; r < replicas.length; r++) {
    for (let e = 0; e < size; e++) {
      const slot = (positions[e]! + replicas[r]!) % slots;
      requireModel(taken[slot] === 0, operation, `slot ${slot} would hold two copies (element ${e}, replica ${r}): positions and replicas must not overlap`);
      taken[slot] = 1;
    }
  }
  return Object.freeze({
    kind: "single", shape: Object.freeze([...shape]), slots, positions: Object.freeze(Array.from(positions)), replicas: Object.freeze(Array.from(replicas)),
  });
}

/** The slot vector of one sample (flat, channels last, shapeSize(layout.shape) finite numbers) in a single layout. */
export function packSingle(layout: SingleLayout, sample: ArrayLike<number>): Float64Array {
  const operation = "pack single";
  const size = shapeSize(layout.shape);
  requireModel(sample !== null && typeof sample === "object" && sample.length === size, operation,
    `the sample must have ${size} numbers (shape ${formatShape(layout.shape)}), got ${describe(sample)}`);
  const vector = new Float64Array(layout.slots);
  for (let e = 0; e < size; e++) {
    const v = sample[e]!;
    if (!Number.isFinite(v)) requireModel(false, operation, `element ${e} is ${describe(v)}: inputs must be finite numbers`);
    for (const r of layout.replicas) vector[(layout.positions[e]! + r) % layout.slots] = v;
  }
  return vector;
}

/** Inverse of packSingle: the elements read from their first copies. */
export function unpackSingle(layout: SingleLayout, vector: ArrayLike<number>): Float64Array {
  requireModel(vector.length === layout.slots, "unpack single", `expected ${layout.slots} slot values, got ${vector.length}`);
  return Float64Array.from(layout.positions, (p) => vector[p]!);
}
