// Many linear combinations of the same polynomials with integer coefficients:
// out_j = Σ_t c_{j,t} · in_t over an RNS basis. This is the hot path of batch-packed neural
// networks (a dense or convolutional layer is such a combination of ciphertext parts) and of
// any plaintext-scalar multiply-accumulate.

import "./dispose-symbols.js";
import { RnsBasis } from "./basis.js";
import { describe, FheError, requireArgument } from "./errors.js";
import { combineBlockWords, combineLimbRecord, combineScratchWords } from "./combine-layout.js";
import { bigMod } from "./modular.js";
import { checkOperands } from "./operands.js";
import { setNttForm, type RnsPoly } from "./poly.js";
import type { WasmHeap } from "./wasm/heap.js";

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

/** The heap copy of an encoded matrix that the combine kernel reads (word offsets from `address`). */
interface MatrixTables {
  readonly heap: WasmHeap;
  readonly address: number;
  readonly bytes: number;
}

function freeTables(tables: MatrixTables): void {
  tables.heap.free(tables.address, tables.bytes);
}

/** Frees the heap tables of encoded matrices that were garbage-collected without dispose(). */
const forgottenTables = new FinalizationRegistry<MatrixTables>(freeTables);

/**
 * The integers round(w · factor) of a sparse matrix, reduced modulo every prime of a basis:
 * encoded once and reused for every combination at that basis.
 *
 * It holds a copy of the matrix structure and the residues (with the kernel's digits) in the
 * WebAssembly heap, for the combine kernel (asm/combine.ts): call dispose() (or `using`) to free
 * it at once; a forgotten matrix is freed after garbage collection. Later changes to `matrix` do
 * not affect the encoding.
 */
export class EncodedMatrix implements Disposable {
  /** residues[limb][k] = round(values[k] · factor) mod q_limb. */
  readonly residues: readonly Uint32Array[];
  readonly rows: number;
  readonly cols: number;
  /** Number of matrix entries (terms over all rows). */
  readonly entries: number;
  /** Coefficients per block of the combine kernel (see combineBlockWords). */
  readonly blockWords: number;
  #tables: MatrixTables | undefined;

  /**
   * Preconditions: `basis` an RnsBasis, `matrix` well formed with finite values (both checked);
   * `factor` ≥ 1. Values are rounded to the nearest integer after scaling (exactly, in BigInt,
   * above 2^53).
   */
  constructor(readonly basis: RnsBasis, readonly matrix: SparseMatrix, readonly factor: bigint) {
    const operation = "encode matrix";
    requireArgument(basis instanceof RnsBasis, operation, `expected an RnsBasis, got ${describe(basis)}`);
    checkSparseMatrix(matrix, operation);
    requireArgument(typeof factor === "bigint" && factor >= 1n, operation, `the scaling factor must be a bigint of at least 1, got ${describe(factor)}`);
    const primes = basis.primes;
    const exact = Number(factor) * maxAbs(matrix.values) < 2 ** 52;
    const scale = Number(factor);
    this.residues = primes.map(() => new Uint32Array(matrix.values.length));
    matrix.values.forEach((w, k) => {
      const integer = exact ? Math.round(w * scale) : scaledBig(w, factor);
      primes.forEach((q, limb) => {
        this.residues[limb]![k] = typeof integer === "number" ? ((integer % q) + q) % q : bigMod(integer, q);
      });
    });
    this.rows = matrix.rows;
    this.cols = matrix.cols;
    this.entries = matrix.values.length;
    const { heap, n } = basis.moduli[0]!;
    this.blockWords = combineBlockWords(n, this.cols);
    const sources = matrix.columns.map((c) => 32 * c);
    const limbRecords = basis.moduli.map((m, limb) => combineLimbRecord(m, this.residues[limb]!));
    const parts = [matrix.rowStart, sources, ...limbRecords];
    const bytes = 4 * parts.reduce((sum, part) => sum + part.length, 0);
    const tables = { heap, address: heap.allocate(bytes, operation), bytes };
    let offset = tables.address >>> 2;
    const words = heap.u32();
    for (const part of parts) {
      words.set(part, offset);
      offset += part.length;
    }
    this.#tables = tables;
    forgottenTables.register(this, tables, this);
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.#tables === undefined;
  }

  /** Frees the heap copy now. Idempotent; the matrix cannot be used afterwards. */
  dispose(): void {
    const tables = this.#tables;
    if (tables === undefined) return;
    this.#tables = undefined;
    forgottenTables.unregister(this);
    freeTables(tables);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * @internal Heap addresses of the kernel's tables: rowStart, the entries' source offsets in
   * the scratch block, the record of limb 0 (see combineLimbRecord) and the bytes from one
   * limb's record to the next. Throws when disposed.
   */
  tableAddresses(operation: string): { rowStart: number; sources: number; limb0: number; limbBytes: number } {
    const tables = this.#tables;
    if (tables === undefined) throw new FheError("DISPOSED", operation, "the encoded matrix was disposed");
    const rowStart = tables.address;
    const sources = rowStart + 4 * (this.rows + 1);
    const limb0 = sources + 4 * this.entries;
    return { rowStart, sources, limb0, limbBytes: (tables.address + tables.bytes - limb0) / this.basis.size };
  }
}

/**
 * outputs[j] = Σ_k residues[k] · inputs[columns[k]] for the entries k of row j (an empty row
 * gives zero), in one pass of the combine kernel per limb (lazy accumulation: one reduction per
 * 64 terms in the SIMD build, per 16 in the scalar one). Preconditions (checked): `matrix` not
 * disposed; every polynomial live, over `matrix.basis`, inputs in one form (the outputs take
 * it); outputs.length = rows, inputs.length = cols; no output shares memory with an input or
 * another output (inputs may repeat). The heap scratch (a copy of a block of every input) is
 * zeroed before it is freed when an input is secret.
 */
export function linearCombine(outputs: readonly RnsPoly[], inputs: readonly RnsPoly[], matrix: EncodedMatrix): void {
  const operation = "combine polynomials";
  if (!(matrix instanceof EncodedMatrix)) throw new FheError("INVALID_ARGUMENT", operation, `expected an EncodedMatrix, got ${describe(matrix)}`);
  const tables = matrix.tableAddresses(operation);
  const { rows, cols } = matrix;
  requireArgument(Array.isArray(outputs) && Array.isArray(inputs), operation, "outputs and inputs must be arrays of polynomials");
  requireArgument(outputs.length === rows && inputs.length === cols, operation,
    `expected ${rows} outputs and ${cols} inputs, got ${outputs.length} and ${inputs.length}`);
  if (cols > 0) checkOperands(operation, inputs, "same");
  if (rows > 0) checkOperands(operation, outputs, "any");
  const reference = inputs[0] ?? outputs[0];
  if (reference === undefined) return;
  if (reference.basis !== matrix.basis || outputs.some((o) => o.basis !== matrix.basis)) {
    throw new FheError("MISMATCHED_OPERANDS", operation, "the polynomials are not over the basis the matrix was encoded for");
  }
  checkNoSharedMemory(outputs, inputs, operation);
  if (rows === 0) return;
  const { heap, n } = reference.ring;
  const form = inputs[0]?.isNtt ?? true;
  // one scratch block: the inputs of a coefficient block, then the address tables
  const { blockWords } = matrix;
  const scratchWords = combineScratchWords(cols, blockWords);
  const scratchBytes = 4 * (scratchWords + rows + cols);
  const scratch = heap.allocate(scratchBytes, operation);
  try {
    const outs = scratch + 4 * scratchWords;
    const ins = outs + 4 * rows;
    const words = heap.u32();
    outputs.forEach((o, j) => { words[(outs >>> 2) + j] = o.limbAddress(0); });
    inputs.forEach((x, c) => { words[(ins >>> 2) + c] = x.limbAddress(0); });
    for (let limb = 0; limb < matrix.basis.size; limb++) {
      heap.kernels.combineLimb(
        outs, ins, tables.rowStart, tables.sources, rows, cols, tables.limb0 + tables.limbBytes * limb, n, 4 * n * limb,
        scratch, blockWords);
    }
  } finally {
    if (inputs.some((x) => x.secret)) heap.zero(scratch, scratchBytes); // it holds copies of the inputs
    heap.free(scratch, scratchBytes);
  }
  for (const out of outputs) setNttForm(out, form);
}

/**
 * Throws INVALID_ARGUMENT when an output's memory overlaps an input's or another output's
 * (the same object twice, or views of one polynomial). Operands are live, over one basis, so
 * all have one size: an overlap with any earlier span (by address) is one with the previous.
 */
function checkNoSharedMemory(outputs: readonly RnsPoly[], inputs: readonly RnsPoly[], operation: string): void {
  const first = (outputs[0] ?? inputs[0])!;
  const bytes = 4 * first.n * first.basis.size;
  const spans = [
    ...outputs.map((p) => ({ start: p.limbAddress(0), output: true })),
    ...inputs.map((p) => ({ start: p.limbAddress(0), output: false })),
  ].sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const [a, b] = [spans[i - 1]!, spans[i]!];
    if (b.start < a.start + bytes && (a.output || b.output)) {
      const reason = a.output && b.output ? "two outputs share memory" : "an output aliases an input";
      throw new FheError("INVALID_ARGUMENT", operation, `${reason}: use separate polynomials`);
    }
  }
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
  // Messages are built only on failure (these loops run over every weight).
  matrix.columns.forEach((c, k) => { if (!(c >= 0 && c < matrix.cols)) requireArgument(false, operation, `entry ${k} has column ${c} outside [0, ${matrix.cols})`); });
  matrix.values.forEach((v, k) => { if (!Number.isFinite(v)) requireArgument(false, operation, `entry ${k} is ${v}: weights must be finite`); });
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
