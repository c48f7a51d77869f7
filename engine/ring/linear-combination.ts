// Many linear combinations of the same polynomials with integer coefficients:
// out_j = Σ_t c_{j,t} · in_t over an RNS basis. This is the hot path of batch-packed neural
// networks (a dense or convolutional layer is such a combination of ciphertext parts) and of
// any plaintext-scalar multiply-accumulate.

import { FheError, requireArgument } from "./errors.js";
import { bigMod, shoupCompanion } from "./modular.js";
import type { RnsBasis } from "./basis.js";
import { checkOperands } from "./operands.js";
import { setNttForm, type RnsPoly } from "./poly.js";

/**
 * A sparse matrix of real weights in compressed-row form: row j uses the entries
 * rowStart[j] .. rowStart[j + 1] − 1 of `columns` (input indices in [0, cols)) and `values`.
 */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

/**
 * The integers round(w · factor) of a sparse matrix, reduced modulo every prime of a basis,
 * with Shoup companions: encoded once and reused for every combination at that basis.
 */
export class EncodedMatrix {
  /** residues[limb][k] = round(values[k] · factor) mod q_limb. */
  readonly residues: readonly Uint32Array[];
  /** Shoup companions of `residues`. */
  readonly companions: readonly Uint32Array[];

  /**
   * Preconditions: `matrix` well formed (checked), finite values; `factor` ≥ 1. Values are
   * rounded to the nearest integer after scaling (exactly, in BigInt, above 2^53).
   */
  constructor(readonly basis: RnsBasis, readonly matrix: SparseMatrix, readonly factor: bigint) {
    checkSparseMatrix(matrix, "encode matrix");
    requireArgument(factor >= 1n, "encode matrix", `the scaling factor must be at least 1, got ${factor}`);
    const primes = basis.moduli.map((m) => m.q);
    const exact = Number(factor) * maxAbs(matrix.values) < 2 ** 52;
    const scale = Number(factor);
    this.residues = primes.map(() => new Uint32Array(matrix.values.length));
    this.companions = primes.map(() => new Uint32Array(matrix.values.length));
    matrix.values.forEach((w, k) => {
      const integer = exact ? Math.round(w * scale) : scaledBig(w, factor);
      primes.forEach((q, limb) => {
        const r = typeof integer === "number" ? ((integer % q) + q) % q : Number(bigMod(integer, q));
        this.residues[limb]![k] = r;
        this.companions[limb]![k] = shoupCompanion(r, q);
      });
    });
  }
}

/**
 * outputs[j] = Σ_k residues[k] · inputs[columns[k]] for the entries k of row j (an empty row
 * gives zero). Preconditions: every polynomial live, over `matrix.basis`, inputs in one form
 * (the outputs take it); outputs.length = rows, inputs.length = cols; no output aliases an input.
 */
export function linearCombine(outputs: readonly RnsPoly[], inputs: readonly RnsPoly[], matrix: EncodedMatrix): void {
  const operation = "combine polynomials";
  const { rows, cols, rowStart, columns } = matrix.matrix;
  requireArgument(outputs.length === rows && inputs.length === cols, operation,
    `expected ${rows} outputs and ${cols} inputs, got ${outputs.length} and ${inputs.length}`);
  if (cols > 0) checkOperands(operation, inputs, "same");
  if (rows > 0) checkOperands(operation, outputs, "any");
  const reference = inputs[0] ?? outputs[0];
  if (reference === undefined) return;
  if (reference.basis !== matrix.basis || outputs.some((o) => o.basis !== matrix.basis)) {
    throw new FheError("MISMATCHED_OPERANDS", operation, "the polynomials are not over the basis the matrix was encoded for");
  }
  const inputSet = new Set(inputs);
  if (outputs.some((o) => inputSet.has(o))) {
    throw new FheError("INVALID_ARGUMENT", operation, "an output aliases an input: use separate polynomials");
  }
  const { kernels } = reference.ring.heap;
  const n = reference.n;
  const form = inputs[0]?.isNtt ?? true;
  matrix.basis.moduli.forEach((m, limb) => {
    const residues = matrix.residues[limb]!;
    const companions = matrix.companions[limb]!;
    for (let j = 0; j < rows; j++) {
      const out = outputs[j]!.limbAddress(limb);
      const start = rowStart[j]!;
      const end = rowStart[j + 1]!;
      if (start === end) {
        reference.ring.heap.zero(out, 4 * n);
        continue;
      }
      kernels.mulScalarShoup(out, inputs[columns[start]!]!.limbAddress(limb), n, m.q, residues[start]!, companions[start]!);
      for (let k = start + 1; k < end; k++) {
        kernels.mulAddScalarShoup(out, inputs[columns[k]!]!.limbAddress(limb), n, m.q, residues[k]!, companions[k]!);
      }
    }
  });
  for (const out of outputs) setNttForm(out, form);
}

/** Throws INVALID_ARGUMENT unless `matrix` is a well-formed compressed-row matrix of finite values. */
export function checkSparseMatrix(matrix: SparseMatrix, operation: string): void {
  const ok = matrix !== null && typeof matrix === "object" && Number.isSafeInteger(matrix.rows) && matrix.rows >= 0 &&
    Number.isSafeInteger(matrix.cols) && matrix.cols >= 0 && matrix.rowStart instanceof Int32Array &&
    matrix.columns instanceof Int32Array && matrix.values instanceof Float64Array &&
    matrix.rowStart.length === matrix.rows + 1 && matrix.columns.length === matrix.values.length &&
    matrix.rowStart[0] === 0 && matrix.rowStart[matrix.rows] === matrix.values.length;
  requireArgument(ok, operation, "the matrix must be {rows, cols, rowStart: Int32Array(rows + 1), columns: Int32Array, values: Float64Array} in compressed-row form");
  for (let j = 0; j < matrix.rows; j++) {
    requireArgument(matrix.rowStart[j]! <= matrix.rowStart[j + 1]!, operation, `row ${j} has a negative length`);
  }
  matrix.columns.forEach((c, k) => requireArgument(c >= 0 && c < matrix.cols, operation, `entry ${k} has column ${c} outside [0, ${matrix.cols})`));
  matrix.values.forEach((v, k) => requireArgument(Number.isFinite(v), operation, `entry ${k} is ${v}: weights must be finite`));
}

/** y = W x + b in float64 (b absent: zero). Preconditions: x.length = matrix.cols; bias of `rows` numbers. */
export function applySparse(matrix: SparseMatrix, bias: ArrayLike<number> | undefined, x: ArrayLike<number>): Float64Array {
  const { rows, rowStart, columns, values } = matrix;
  const y = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    let sum = bias?.[j] ?? 0;
    for (let k = rowStart[j]!; k < rowStart[j + 1]!; k++) sum += values[k]! * x[columns[k]!]!;
    y[j] = sum;
  }
  return y;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

/** round(w · factor) exactly, for |w · factor| ≥ 2^52 (w finite). */
function scaledBig(w: number, factor: bigint): bigint {
  // w = mantissa · 2^exponent with an integer mantissa below 2^53.
  if (w === 0) return 0n;
  let exponent = Math.floor(Math.log2(Math.abs(w))) - 52;
  let mantissa = w / 2 ** exponent;
  while (!Number.isInteger(mantissa)) { exponent -= 1; mantissa = w / 2 ** exponent; }
  const product = BigInt(mantissa) * factor;
  if (exponent >= 0) return product << BigInt(exponent);
  const shift = BigInt(-exponent);
  const half = 1n << (shift - 1n);
  return product >= 0n ? (product + half) >> shift : -((-product + half) >> shift);
}
