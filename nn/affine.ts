// Affine maps y = W x + b with sparse rows: the form every linear layer (dense, convolution,
// average pooling, batch normalisation) takes before it runs on ciphertexts, and the form in
// which adjacent linear layers are fused into one.

import { applySparse, type SparseMatrix } from "../engine/ring/linear-combination.js";

/** y = W x + b with W in compressed-row form (see SparseMatrix) and a bias of `rows` numbers. */
export interface Affine extends SparseMatrix {
  readonly bias: Float64Array;
}

/** Builds an affine map row by row: `row(j)` returns the (column, weight) pairs of row j. */
export function affineFromRows(
  rows: number, cols: number, bias: Float64Array, row: (j: number, push: (column: number, weight: number) => void) => void,
): Affine {
  const rowStart = new Int32Array(rows + 1);
  const columns: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < rows; j++) {
    row(j, (column, weight) => {
      if (weight !== 0) {
        columns.push(column);
        values.push(weight);
      }
    });
    rowStart[j + 1] = columns.length;
  }
  return { rows, cols, rowStart, columns: Int32Array.from(columns), values: Float64Array.from(values), bias };
}

/** The composition second ∘ first: x ↦ second(first(x)). Precondition: second.cols = first.rows. */
export function composeAffine(first: Affine, second: Affine): Affine {
  const accumulator = new Float64Array(first.cols);
  const touched = new Uint8Array(first.cols);
  const bias = new Float64Array(second.rows);
  return affineFromRows(second.rows, first.cols, bias, (j, push) => {
    const used: number[] = [];
    let b = second.bias[j]!;
    for (let k = second.rowStart[j]!; k < second.rowStart[j + 1]!; k++) {
      const middle = second.columns[k]!;
      const w = second.values[k]!;
      b += w * first.bias[middle]!;
      for (let m = first.rowStart[middle]!; m < first.rowStart[middle + 1]!; m++) {
        const c = first.columns[m]!;
        if (touched[c] === 0) {
          touched[c] = 1;
          used.push(c);
        }
        accumulator[c] = accumulator[c]! + w * first.values[m]!;
      }
    }
    bias[j] = b;
    used.sort((x, y) => x - y);
    for (const c of used) {
      push(c, accumulator[c]!);
      accumulator[c] = 0;
      touched[c] = 0;
    }
  });
}

/** y = W x + b in float64. Precondition: x.length = map.cols. */
export function applyAffine(map: Affine, x: ArrayLike<number>): Float64Array {
  return applySparse(map, map.bias, x);
}

/** Rows [start, end) of `map` (their bias included). */
export function rowSlice(map: Affine, start: number, end: number): Affine {
  const from = map.rowStart[start]!;
  const to = map.rowStart[end]!;
  return {
    rows: end - start, cols: map.cols, rowStart: map.rowStart.slice(start, end + 1).map((k) => k - from),
    columns: map.columns.slice(from, to), values: map.values.slice(from, to), bias: map.bias.slice(start, end),
  };
}

/**
 * The map restricted to the columns it uses: `map` reads input used[i] as its column i, in
 * increasing order of the original columns (map.cols = used.length). Unused inputs need not exist.
 */
export function usedColumns(map: Affine): { map: Affine; used: Int32Array } {
  const used = Int32Array.from(new Set(map.columns)).sort();
  const renumber = new Map<number, number>();
  used.forEach((column, i) => renumber.set(column, i));
  return { map: { ...map, cols: used.length, columns: map.columns.map((column) => renumber.get(column)!) }, used };
}

/** y_j = factor·x_j + offset on `size` elements (the same factor and offset for every element). */
export function uniformElementwise(size: number, factor: number, offset: number): Affine {
  return affineFromRows(size, size, new Float64Array(size).fill(offset), (j, push) => push(j, factor));
}

/** factor * map (weights and bias); the sparsity pattern is shared. */
export function scaledAffine(map: Affine, factor: number): Affine {
  return { rows: map.rows, cols: map.cols, rowStart: map.rowStart, columns: map.columns, values: map.values.map((v) => v * factor), bias: map.bias.map((b) => b * factor) };
}

/** Columns [start, end) of `map`, renumbered from 0, with the bias when `withBias` (else zero). */
export function columnSlice(map: Affine, start: number, end: number, withBias: boolean): Affine {
  return affineFromRows(map.rows, end - start, withBias ? Float64Array.from(map.bias) : new Float64Array(map.rows), (j, push) => {
    for (let k = map.rowStart[j]!; k < map.rowStart[j + 1]!; k++) {
      const c = map.columns[k]!;
      if (c >= start && c < end) push(c - start, map.values[k]!);
    }
  });
}
