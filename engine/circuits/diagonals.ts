// The plaintext side of a linear transform: a matrix as the slot vectors ("diagonals") the
// encrypted product multiplies rotations of the input by, and the float64 twin that applies
// them with exactly the encrypted indexing (the test oracle). See diagonal-layout.ts.

import { describe, FheError, isInteger, isPowerOfTwo } from "../ring/errors.js";
import {
  checkShape, denseOffsets, DiagonalLayout, type CheckedShape, type InputPacking, type MatrixShape,
} from "./diagonal-layout.js";

/** A dense matrix: row-major values (rows * cols) or an array of rows. */
export type MatrixData = Float64Array | readonly number[] | readonly (readonly number[])[];

/** Validates a rows x cols matrix and returns its entries row-major. */
export function readMatrix(matrix: unknown, rows: number, cols: number, operation: string): Float64Array {
  const fail = (reason: string): never => {
    throw new FheError("INVALID_ARGUMENT", operation, `the matrix ${reason}`);
  };
  const out = new Float64Array(rows * cols);
  const put = (i: number, j: number, value: unknown): void => {
    if (typeof value !== "number" || !Number.isFinite(value)) fail(`entry (${i}, ${j}) is ${describe(value)}; every entry must be a finite number`);
    out[i * cols + j] = value as number;
  };
  if (Array.isArray(matrix) && matrix.length > 0 && matrix.every((row) => Array.isArray(row) || row instanceof Float64Array)) {
    if (matrix.length !== rows) fail(`has ${matrix.length} rows where the shape says ${rows}`);
    (matrix as ArrayLike<number>[]).forEach((row, i) => {
      if (row.length !== cols) fail(`row ${i} has ${row.length} entries where the shape says ${cols} columns`);
      for (let j = 0; j < cols; j++) put(i, j, row[j]);
    });
  } else if (Array.isArray(matrix) || matrix instanceof Float64Array) {
    const flat = matrix as ArrayLike<unknown>;
    if (flat.length !== rows * cols) fail(`has ${flat.length} values where a ${rows} x ${cols} matrix has ${rows * cols} (row-major)`);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) put(i, j, flat[i * cols + j]);
  } else {
    fail(`must be a Float64Array, an array of numbers (row-major) or an array of rows, got ${describe(matrix)}`);
  }
  return out;
}

/** Validates a vector of exactly `length` finite numbers (`what` names it in messages). */
export function readVector(values: unknown, length: number, operation: string, what: string): Float64Array {
  if (!(Array.isArray(values) || values instanceof Float64Array)) {
    throw new FheError("INVALID_ARGUMENT", operation, `${what} must be an array of numbers or a Float64Array, got ${describe(values)}`);
  }
  if (values.length !== length) throw new FheError("INVALID_ARGUMENT", operation, `${what} has ${values.length} values where ${length} are expected`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const value: unknown = values[i];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new FheError("INVALID_ARGUMENT", operation, `${what}: value ${i} is ${describe(value)}; every value must be a finite number`);
    }
    out[i] = value;
  }
  return out;
}

/** Offsets (j - i) mod P of the non-zero entries of a row-major matrix. */
function nonZeroOffsets(data: Float64Array, shape: CheckedShape): number[] {
  const { rows, cols, period } = shape;
  const offsets = new Set<number>();
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) if (data[i * cols + j] !== 0) offsets.add((((j - i) % period) + period) % period);
  }
  return [...offsets];
}

/**
 * A linear map on a packed vector as non-zero diagonals: apply(x) = sum over the windows k < windows
 * of rot_{k stride}(sum_a diagonal_a * rot_a(pack(x))) on `slots` slots, rot_a a left rotation.
 * From a matrix (fromMatrix), slots 0 .. rows-1 of the result hold M x. Immutable.
 */
export class Diagonals {
  readonly rows: number;
  readonly cols: number;
  readonly slots: number;
  readonly input: InputPacking;
  /** Period of the packed input (see packInput). */
  readonly period: number;
  /** Output windows summed by log-steps (1: none). */
  readonly windows: number;
  /** Slots between output windows (0 when windows = 1). */
  readonly stride: number;
  /** Baby step requested with the shape, if any. */
  readonly babyStep: number | undefined;
  readonly #entries: ReadonlyMap<number, Float64Array>;
  /** Imaginary parts of complex diagonals (fromComplexMap); absent for real ones. */
  readonly #imaginary: ReadonlyMap<number, Float64Array>;

  private constructor(
    shape: CheckedShape, windows: number, stride: number, babyStep: number | undefined, entries: Map<number, Float64Array>,
    imaginary: Map<number, Float64Array> = new Map(),
  ) {
    this.rows = shape.rows;
    this.cols = shape.cols;
    this.slots = shape.slots;
    this.input = shape.input;
    this.period = shape.period;
    this.windows = windows;
    this.stride = stride;
    this.babyStep = babyStep;
    this.#entries = entries;
    this.#imaginary = imaginary;
    Object.freeze(this);
  }

  /**
   * The diagonals of a rows x cols matrix for an input of `cols` values packed in `slots`
   * slots as `shape.input` says, in the layout of least estimated cost (see MatrixShape).
   * Zero diagonals are skipped. Throws FheError for a shape the slots cannot hold (use
   * BlockedTransform), a matrix that does not match the shape, or non-finite entries.
   */
  static fromMatrix(matrix: MatrixData, shape: MatrixShape): Diagonals {
    const operation = "create diagonals";
    const checked = checkShape(shape, operation);
    const data = readMatrix(matrix, checked.rows, checked.cols, operation);
    const layout = DiagonalLayout.plan(checked, nonZeroOffsets(data, checked), operation);
    return Diagonals.withLayout(data, layout, checked.babyStep);
  }

  /** @internal The diagonals of a validated row-major matrix in a given layout. */
  static withLayout(data: Float64Array, layout: DiagonalLayout, babyStep?: number): Diagonals {
    const { shape, windows, stride } = layout;
    const { rows, cols, slots, period } = shape;
    const entries = new Map<number, Float64Array>();
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const value = data[i * cols + j]!;
        if (value === 0) continue;
        const [k, a] = layout.assign((((j - i) % period) + period) % period);
        let diagonal = entries.get(a);
        if (diagonal === undefined) entries.set(a, (diagonal = new Float64Array(slots)));
        diagonal[i + k * stride] = value;
      }
    }
    return new Diagonals(shape, windows, stride, babyStep, entries);
  }

  /**
   * Diagonals given directly (Lattigo's map form): index d (any integer, taken mod slots) ->
   * `slots` values, for apply(v) = sum_d diagonal_d * rot_d(v) on a vector v of `slots`
   * values (rows = cols = slots, padded input, no output windows). All-zero diagonals are
   * skipped; two indices equal mod slots are refused.
   */
  static fromMap(diagonals: ReadonlyMap<number, ArrayLike<number>> | Readonly<Record<number, ArrayLike<number>>>, slots: number): Diagonals {
    const operation = "create diagonals";
    if (!(slots === 1 || isPowerOfTwo(slots))) throw new FheError("INVALID_ARGUMENT", operation, `slots must be a power of two, got ${describe(slots)}`);
    if (diagonals === null || typeof diagonals !== "object") {
      throw new FheError("INVALID_ARGUMENT", operation, `expected a Map or an object from diagonal index to values, got ${describe(diagonals)}`);
    }
    const pairs: [unknown, unknown][] = diagonals instanceof Map ? [...diagonals.entries()] : Object.entries(diagonals).map(([k, v]) => [Number(k), v]);
    const entries = new Map<number, Float64Array>();
    const seen = new Set<number>();
    for (const [index, values] of pairs) {
      if (!isInteger(index)) throw new FheError("INVALID_ARGUMENT", operation, `diagonal index ${describe(index)} is not an integer`);
      const a = ((index % slots) + slots) % slots;
      if (seen.has(a)) throw new FheError("INVALID_ARGUMENT", operation, `two diagonal indices are equal to ${a} mod ${slots}`);
      seen.add(a);
      const diagonal = readVector(values, slots, operation, `diagonal ${index}`);
      if (diagonal.some((v) => v !== 0)) entries.set(a, diagonal);
    }
    const shape: CheckedShape = { rows: slots, cols: slots, slots, input: "padded", period: slots };
    return new Diagonals(shape, 1, 0, undefined, entries);
  }

  /**
   * Complex diagonals given directly: index d -> { re, im } of `slots` values each, for
   * apply(v) = sum_d diagonal_d * rot_d(v) in complex arithmetic (the slots of a CKKS
   * ciphertext are complex; the special FFT of bootstrapping needs complex diagonals). The
   * rules of {@link fromMap} apply; a diagonal is skipped when both parts are all zero.
   */
  static fromComplexMap(diagonals: ReadonlyMap<number, { readonly re: ArrayLike<number>; readonly im: ArrayLike<number> }>, slots: number): Diagonals {
    const operation = "create diagonals";
    if (!(diagonals instanceof Map)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Map from diagonal index to { re, im }, got ${describe(diagonals)}`);
    const real = new Map<number, ArrayLike<number>>();
    const imaginary = new Map<number, Float64Array>();
    for (const [index, value] of diagonals) {
      if (value === null || typeof value !== "object") throw new FheError("INVALID_ARGUMENT", operation, `diagonal ${describe(index)} must be { re, im }, got ${describe(value)}`);
      real.set(index, value.re);
      const a = isInteger(index) ? ((index % slots) + slots) % slots : index;
      imaginary.set(a, readVector(value.im, slots, operation, `diagonal ${index} (imaginary part)`));
    }
    const base = Diagonals.fromMap(real, slots);
    const entries = new Map<number, Float64Array>();
    const kept = new Map<number, Float64Array>();
    for (const [a, im] of imaginary) {
      const re = base.#entries.get(a);
      if (re === undefined && im.every((v) => v === 0)) continue;
      entries.set(a, re ?? new Float64Array(slots));
      if (im.some((v) => v !== 0)) kept.set(a, im);
    }
    const shape: CheckedShape = { rows: slots, cols: slots, slots, input: "padded", period: slots };
    return new Diagonals(shape, 1, 0, undefined, entries, kept);
  }

  /** True when some diagonal has a non-zero imaginary part (see {@link fromComplexMap}). */
  get isComplex(): boolean {
    return this.#imaginary.size > 0;
  }

  /** A copy of the imaginary part of diagonal `index`, or undefined when it is zero. */
  imaginary(index: number): Float64Array | undefined {
    return this.#imaginary.get(index)?.slice();
  }

  /**
   * The complex float64 twin: the `slots` complex values the transform's output decrypts to
   * for a complex input of `slots` values (packed, no output windows: fromMap/fromComplexMap).
   */
  applyComplex(x: { readonly re: ArrayLike<number>; readonly im: ArrayLike<number> }): { re: Float64Array; im: Float64Array } {
    const operation = "apply diagonals";
    if (this.windows !== 1 || this.cols !== this.slots) {
      throw new FheError("INVALID_ARGUMENT", operation, "applyComplex takes diagonals of a full slots x slots map (fromMap or fromComplexMap)");
    }
    const { slots } = this;
    const vr = readVector(x?.re, slots, operation, "the real part of the input");
    const vi = readVector(x?.im, slots, operation, "the imaginary part of the input");
    const re = new Float64Array(slots);
    const im = new Float64Array(slots);
    for (const [a, dr] of this.#entries) {
      const di = this.#imaginary.get(a);
      for (let s = 0; s < slots; s++) {
        const t = (s + a) % slots;
        const ar = dr[s]!;
        const ai = di === undefined ? 0 : di[s]!;
        re[s] = re[s]! + ar * vr[t]! - ai * vi[t]!;
        im[s] = im[s]! + ar * vi[t]! + ai * vr[t]!;
      }
    }
    return { re, im };
  }

  /** Rotation indices of the non-zero diagonals, in [0, slots), increasing. */
  get indices(): number[] {
    return [...this.#entries.keys()].sort((a, b) => a - b);
  }

  /** A copy of diagonal `index` (in [0, slots)), or undefined when it is zero. */
  values(index: number): Float64Array | undefined {
    return this.#entries.get(index)?.slice();
  }

  /** The input as the ciphertext must pack it: slot t holds x[t mod period] (0 from cols on). */
  packInput(x: ArrayLike<number>): Float64Array {
    const operation = "pack linear transform input";
    const values = readVector(x, this.cols, operation, "the input vector");
    const packed = new Float64Array(this.slots);
    for (let t = 0; t < this.slots; t++) {
      const j = t % this.period;
      if (j < this.cols) packed[t] = values[j]!;
    }
    return packed;
  }

  /**
   * The float64 twin of the encrypted product: the `slots` values the transform's output
   * decrypts to (up to CKKS noise), slots 0 .. rows-1 holding M x.
   */
  apply(x: ArrayLike<number>): Float64Array {
    const v = this.packInput(x);
    const { slots } = this;
    const u = new Float64Array(slots);
    for (const [a, diagonal] of this.#entries) {
      for (let s = 0; s < slots; s++) u[s] = u[s]! + diagonal[s]! * v[(s + a) % slots]!;
    }
    for (let t = 1; t < this.windows; t *= 2) {
      const step = this.stride * t;
      const rotated = u.map((_, s) => u[(s + step) % slots]!);
      for (let s = 0; s < slots; s++) u[s] = u[s]! + rotated[s]!;
    }
    return u;
  }
}

/** The rotation indices a dense matrix of this shape gets (the layout fromMatrix picks for it). */
export function denseRotations(shape: MatrixShape, operation: string): { layout: DiagonalLayout; rotations: number[]; babyStep: number | undefined } {
  const checked = checkShape(shape, operation);
  const offsets = denseOffsets(checked);
  const layout = DiagonalLayout.plan(checked, offsets, operation);
  return { layout, rotations: layout.rotations(offsets), babyStep: checked.babyStep };
}
