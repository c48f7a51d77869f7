// Matrices larger than the slot count: the input split into blocks of columns (one ciphertext
// each), the output into blocks of rows; every block is a LinearTransform in one shared layout,
// so the products of all input blocks add up per giant step before their rotation, and each
// input ciphertext's baby steps are computed once for all output blocks.

import "../ring/dispose-symbols.js";
import { checkParameters, type Parameters } from "../parameters.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { galoisKeyBytes, planBsgs, transformSteps, type KeyBytesOptions } from "./bsgs.js";
import { checkShape, denseOffsets, DiagonalLayout, type MatrixShape } from "./diagonal-layout.js";
import { Diagonals, readMatrix, readVector, type MatrixData } from "./diagonals.js";
import { keySwitchCount, LinearTransform, transformPlan, type TransformPlan, type TransformShape } from "./lintrans.js";
import type { TransformTerm } from "./lintrans-eval.js";

/** A shape of any size; `slots` (default N/2) is the slot count of every input and output ciphertext. */
export type BlockedShape = TransformShape;

interface Grid {
  readonly rows: number;
  readonly cols: number;
  readonly slots: number;
  readonly blockRows: number;
  readonly blockCols: number;
  readonly layout: DiagonalLayout;
  readonly babyStep: number;
}

function gridOf(params: Parameters, shape: BlockedShape, operation: string): Grid {
  if (shape === null || typeof shape !== "object") throw new FheError("INVALID_ARGUMENT", operation, `expected a shape { rows, cols }, got ${describe(shape)}`);
  const { rows, cols } = shape;
  const slots = shape.slots ?? params.maxSlots;
  for (const [name, value] of [["rows", rows], ["cols", cols]] as const) {
    if (!isInteger(value) || value < 1) throw new FheError("INVALID_ARGUMENT", operation, `${name} must be a positive integer, got ${describe(value)}`);
  }
  if (isInteger(slots) && slots > params.maxSlots) {
    throw new FheError("INVALID_ARGUMENT", operation, `slots (${slots}) exceeds the ${params.maxSlots} slots of these parameters`);
  }
  const blockShape: MatrixShape = { ...shape, slots, rows: Math.min(rows, slots), cols: Math.min(cols, slots) };
  const checked = checkShape(blockShape, operation);
  const offsets = denseOffsets(checked);
  const layout = DiagonalLayout.plan(checked, offsets, operation);
  const babyStep = planBsgs(layout.rotations(offsets), slots, checked.babyStep, operation).babyStep;
  return { rows, cols, slots, blockRows: checked.rows, blockCols: checked.cols, layout, babyStep };
}

/**
 * y = M x for a rows x cols matrix of any size over ciphertexts of `slots` slots: input block j
 * holds columns [j blockCols, (j + 1) blockCols) packed as the shape's input says, output block
 * i rows [i blockRows, (i + 1) blockRows) in its first slots. Owns its blocks' encodings.
 */
export class BlockedTransform implements Disposable {
  readonly rows: number;
  readonly cols: number;
  readonly slots: number;
  readonly blockRows: number;
  readonly blockCols: number;
  readonly inputBlocks: number;
  readonly outputBlocks: number;
  /** Output windows every block sums (see Diagonals.windows). */
  readonly windows: number;
  readonly #blocks: readonly TransformTerm[];

  constructor(readonly params: Parameters, matrix: MatrixData, shape: BlockedShape) {
    const operation = "create blocked transform";
    checkParameters(params, operation);
    const grid = gridOf(params, shape, operation);
    const data = readMatrix(matrix, grid.rows, grid.cols, operation);
    this.rows = grid.rows;
    this.cols = grid.cols;
    this.slots = grid.slots;
    this.blockRows = grid.blockRows;
    this.blockCols = grid.blockCols;
    this.outputBlocks = Math.ceil(grid.rows / grid.blockRows);
    this.inputBlocks = Math.ceil(grid.cols / grid.blockCols);
    this.windows = grid.layout.windows;
    const blocks: TransformTerm[] = [];
    for (let i = 0; i < this.outputBlocks; i++) {
      for (let j = 0; j < this.inputBlocks; j++) {
        const block = new Float64Array(grid.blockRows * grid.blockCols);
        for (let r = 0; r < grid.blockRows && i * grid.blockRows + r < grid.rows; r++) {
          for (let c = 0; c < grid.blockCols && j * grid.blockCols + c < grid.cols; c++) {
            block[r * grid.blockCols + c] = data[(i * grid.blockRows + r) * grid.cols + j * grid.blockCols + c]!;
          }
        }
        const diagonals = Diagonals.withLayout(block, grid.layout, grid.babyStep);
        blocks.push({ input: j, output: i, transform: new LinearTransform(params, diagonals, { babyStep: grid.babyStep }) });
      }
    }
    this.#blocks = blocks;
    Object.freeze(this);
  }

  /** Rows of output block i (the last one may be shorter). */
  outputRows(i: number): number {
    return Math.min(this.blockRows, this.rows - i * this.blockRows);
  }

  /** The input blocks as the ciphertexts must pack them (encode each with slots: this.slots). */
  packInputs(x: ArrayLike<number>): Float64Array[] {
    const values = readVector(x, this.cols, "pack blocked transform input", "the input vector");
    return Array.from({ length: this.inputBlocks }, (_, j) => {
      const chunk = new Float64Array(this.blockCols);
      chunk.set(values.subarray(j * this.blockCols, Math.min(this.cols, (j + 1) * this.blockCols)));
      return this.#blocks[j]!.transform.diagonals.packInput(chunk);
    });
  }

  /** The float64 twin: per output block, the `slots` values its ciphertext decrypts to. */
  apply(x: ArrayLike<number>): Float64Array[] {
    const values = readVector(x, this.cols, "apply blocked transform", "the input vector");
    const outputs = Array.from({ length: this.outputBlocks }, () => new Float64Array(this.slots));
    for (const { input, output, transform } of this.#blocks) {
      const chunk = new Float64Array(this.blockCols);
      chunk.set(values.subarray(input * this.blockCols, Math.min(this.cols, (input + 1) * this.blockCols)));
      const partial = transform.diagonals.apply(chunk);
      const target = outputs[output]!;
      partial.forEach((v, s) => (target[s] = target[s]! + v));
    }
    return outputs;
  }

  /** Exactly the rotation steps the evaluation uses (the union over the blocks), increasing. */
  rotationSteps(): number[] {
    return [...new Set(this.#blocks.flatMap(({ transform }) => transform.rotationSteps()))].sort((a, b) => a - b);
  }

  /** Key switches one evaluation performs (baby steps shared per input, giant steps per output). */
  keySwitches(): number {
    const babies = Array.from({ length: this.inputBlocks }, (_, j) => this.#blocks.filter((b) => b.input === j).flatMap((b) => b.transform.bsgs.babies));
    const giants = Array.from({ length: this.outputBlocks }, (_, i) => this.#blocks.filter((b) => b.output === i).flatMap((b) => [...b.transform.bsgs.giants.keys()]));
    return keySwitchCount(babies, giants, this.windows);
  }

  /** The prediction of one evaluation (see LinearTransform.plan). */
  plan(input: { readonly level: number; readonly scale: number }, options: { readonly rescale?: boolean } = {}): TransformPlan {
    return transformPlan(this.params, input, this.keySwitches(), options, "plan blocked transform");
  }

  /** Serialized bytes of the Galois keys of {@link rotationSteps} (seeded unless `seeded: false`). */
  keyBytes(options: KeyBytesOptions = {}): number {
    checkOptions(options, "compute key size");
    return galoisKeyBytes(this.params, this.rotationSteps().length, options);
  }

  /** The rotation steps of a dense matrix of this shape (before any matrix exists). */
  static rotationSteps(params: Parameters, shape: BlockedShape): number[] {
    const operation = "compute rotation steps";
    checkParameters(params, operation);
    const { layout, slots, babyStep } = gridOf(params, shape, operation);
    const offsets = denseOffsets(layout.shape);
    return transformSteps(planBsgs(layout.rotations(offsets), slots, babyStep, operation), layout.windows, layout.stride);
  }

  /** Serialized bytes of the Galois keys of {@link BlockedTransform.rotationSteps}(params, shape). */
  static keyBytes(params: Parameters, shape: BlockedShape, options: KeyBytesOptions = {}): number {
    checkOptions(options, "compute key size");
    return galoisKeyBytes(params, BlockedTransform.rotationSteps(params, shape).length, options);
  }

  /** @internal The blocks as (input, output, transform) terms, checked live. */
  terms(operation: string): readonly TransformTerm[] {
    for (const { transform } of this.#blocks) transform.checkLive(operation);
    return this.#blocks;
  }

  dispose(): void {
    for (const { transform } of this.#blocks) transform.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
