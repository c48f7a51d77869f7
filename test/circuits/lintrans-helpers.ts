// Shared fixtures of the linear-transform suites: random matrices of random shapes, the float64
// matrix product (an oracle independent of the diagonal indexing) and evaluators holding
// exactly a given set of rotation keys.

import fc from "fast-check";
import { Evaluator } from "../../engine/index.js";
import { LinearTransformEvaluator } from "../../engine/circuits/lintrans-eval.js";
import { prng, type CkksContext } from "../helpers/ckks.js";

/** A rows x cols matrix (row-major) and an input vector. */
export interface Product {
  readonly rows: number;
  readonly cols: number;
  readonly matrix: Float64Array;
  readonly x: Float64Array;
}

/**
 * Entries uniform in [-1/cols, 1/cols] (so |M x| <= 1 for x in [-1, 1]^cols), each zero with
 * probability `sparsity`, or all the entries of some generalised diagonals j - i = d zero.
 */
export function randomProduct(rows: number, cols: number, seed: number, sparsity = 0): Product {
  const next = prng(seed);
  const zeroOffsets = new Set<number>();
  if (sparsity > 0) for (let d = -(rows - 1); d < cols; d++) if (next() < sparsity) zeroOffsets.add(d);
  const matrix = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) matrix[i * cols + j] = zeroOffsets.has(j - i) ? 0 : (2 * next() - 1) / cols;
  }
  const x = Float64Array.from({ length: cols }, () => 2 * next() - 1);
  return { rows, cols, matrix, x };
}

/** M x in float64, row by row. */
export function matVec({ rows, cols, matrix, x }: Product): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += matrix[i * cols + j]! * x[j]!;
    y[i] = sum;
  }
  return y;
}

/** A slot count 2^k in [minLog, maxLog] and a shape with rows, cols in [1, slots]. */
export function shapeArb(minLog: number, maxLog: number): fc.Arbitrary<{ rows: number; cols: number; slots: number }> {
  return fc.integer({ min: minLog, max: maxLog }).chain((log) => {
    const slots = 2 ** log;
    const side = fc.oneof(fc.integer({ min: 1, max: slots }), fc.constantFrom(1, slots, Math.max(1, slots / 2), Math.max(1, slots / 4)));
    return fc.record({ rows: side, cols: side, slots: fc.constant(slots) });
  });
}

/** An evaluator (and its linear-transform evaluator) with exactly the keys for `steps`. */
export function evaluatorsFor(c: CkksContext, steps: readonly number[]): { evaluator: Evaluator; lt: LinearTransformEvaluator; dispose: () => void } {
  const galoisKeys = c.keygen.createGaloisKeys({ steps, conjugate: false });
  const evaluator = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys });
  return { evaluator, lt: new LinearTransformEvaluator(evaluator), dispose: () => galoisKeys.dispose() };
}

/** A real vector as the helpers' complex form. */
export function real(values: ArrayLike<number>): { re: number[]; im: number[] } {
  return { re: Array.from(values), im: new Array<number>(values.length).fill(0) };
}
