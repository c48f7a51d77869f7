// Exchanging coefficients between RNS polynomials and float64 integers (the encoder's path):
// writing signed integers below 2^63 and reading small centered integers back (Garner).

import type { RnsBasis } from "./basis.js";
import { describe, FheError } from "./errors.js";
import { invMod, shoupCompanion } from "./modular.js";
import { checkOperands } from "./operands.js";
import { type RnsPoly, setNttForm } from "./poly.js";
import type { WasmHeap } from "./wasm/heap.js";

const two32 = 4294967296;

/**
 * Sets `poly` (coefficient form on exit) to the integers given as integer-valued floats.
 * Precondition: every |c| < 2^63 and c is an integer (callers round).
 */
export function setIntegerCoefficients(poly: RnsPoly, coefficients: Float64Array): void {
  const operation = "set coefficients";
  checkOperands(operation, [poly], "any");
  const { heap, n } = poly.ring;
  if (!(coefficients instanceof Float64Array) || coefficients.length !== n) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected a Float64Array of length ${n}`);
  }
  for (let j = 0; j < n; j++) {
    const c = coefficients[j]!;
    if (!Number.isInteger(c) || Math.abs(c) >= 2 ** 63) {
      throw new FheError("INVALID_ARGUMENT", operation, `coefficient ${j} (${c}) is not an integer of magnitude below 2^63`);
    }
  }
  const scratch = heap.allocate(8 * n, operation);
  try {
    const words = heap.u32();
    const base = scratch >>> 2;
    for (let j = 0; j < n; j++) {
      const c = coefficients[j]!;
      const magnitude = Math.abs(c);
      const high = Math.floor(magnitude / two32);
      const low = magnitude - high * two32;
      if (c >= 0) {
        words[base + 2 * j] = low;
        words[base + 2 * j + 1] = high;
      } else {
        // two's complement of the 64-bit magnitude
        words[base + 2 * j] = (~low + 1) >>> 0;
        words[base + 2 * j + 1] = (~high + (low === 0 ? 1 : 0)) >>> 0;
      }
    }
    setFromInt64(poly, scratch);
  } finally {
    heap.zero(scratch, 8 * n); // the integers may be secret (a message, flooding noise)
    heap.free(scratch, 8 * n);
  }
}

/**
 * Sets `poly` (coefficient form on exit) from N signed 64-bit integers (|c| < 2^63) at heap
 * address `address`. @internal No validation: for callers that produced the integers.
 */
export function setFromInt64(poly: RnsPoly, address: number): void {
  const { heap, n } = poly.ring;
  poly.basis.moduli.forEach((m, i) => heap.kernels.reduceInt64(poly.limbAddress(i), address, n, m.q, m.r32, m.r32Shoup, m.oneShoup));
  setNttForm(poly, false);
}

/**
 * Garner constants q_i^-1 mod q_j (i < j) with Shoup companions for one basis, and the
 * mixed-radix digits of (Q - 1) / 2, the largest non-negative centered value.
 */
class GarnerTable {
  readonly inverse: number[][];
  readonly inverseShoup: number[][];
  readonly halfDigits: number[];
  /** Heap block: the k primes, then the k digits of (Q - 1) / 2 (u32 each). */
  readonly constants: number;

  constructor(readonly basis: RnsBasis, heap: WasmHeap) {
    const primes = basis.primes;
    this.inverse = primes.map((qi, i) => primes.map((qj, j) => (j > i ? invMod(qi % qj, qj) : 0)));
    this.inverseShoup = this.inverse.map((row, i) => row.map((c, j) => (j > i ? shoupCompanion(c, primes[j]!) : 0)));
    let rest = (basis.product() - 1n) / 2n;
    this.halfDigits = primes.map((q) => {
      const digit = Number(rest % BigInt(q));
      rest /= BigInt(q);
      return digit;
    });
    this.constants = heap.allocate(8 * primes.length, "build Garner table");
    heap.u32().set([...primes, ...this.halfDigits], this.constants >>> 2);
  }
}

/**
 * The centered integers (as floats, relative error ~2^-53) of the coefficients of `poly`
 * (coefficient form) at `indices`, reconstructed from its first `limbs` limbs by mixed-radix
 * (Garner) conversion. Precondition: each |x| < (q_0 ... q_{limbs-1}) / 2.
 */
export function centeredCoefficients(poly: RnsPoly, limbs: number, indices: ArrayLike<number>): Float64Array {
  const operation = "read coefficients";
  checkOperands(operation, [poly], "coefficient");
  const { ring } = poly;
  const { heap, n } = ring;
  if (!Number.isInteger(limbs) || limbs < 1 || limbs > poly.basis.size) {
    throw new FheError("INVALID_ARGUMENT", operation, `limbs must be an integer in [1, ${poly.basis.size}], got ${describe(limbs)}`);
  }
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
    throw new FheError("INVALID_ARGUMENT", operation, "indices must be an array of coefficient indices");
  }
  for (let t = 0; t < indices.length; t++) {
    const index = indices[t];
    if (!Number.isInteger(index) || index! < 0 || index! >= n) {
      throw new FheError("INVALID_ARGUMENT", operation, `index ${t} must be an integer in [0, ${n}), got ${describe(index)}`);
    }
  }
  const primes = poly.basis.primes.slice(0, limbs);
  const subBasis = ring.basis(primes);
  const table = ring.memo(`garner:${subBasis.key}`, () => new GarnerTable(subBasis, heap));
  const bytes = 4 * n * (limbs + 1) + 8 * n;
  const digits = heap.allocate(bytes, operation);
  const reduced = digits + 4 * n * limbs;
  const floats = reduced + 4 * n;
  const values = new Float64Array(indices.length);
  try {
    heap.kernels.copyWords(digits, poly.limbAddress(0), n * limbs);
    for (let j = 1; j < limbs; j++) {
      const m = subBasis.moduli[j]!;
      const digit = digits + 4 * n * j;
      for (let i = 0; i < j; i++) {
        heap.kernels.mulScalarShoup(reduced, digits + 4 * n * i, n, m.q, 1, m.oneShoup);
        heap.kernels.subMulScalarShoup(digit, digit, reduced, n, m.q, table.inverse[i]![j]!, table.inverseShoup[i]![j]!);
      }
    }
    heap.kernels.mixedRadixToFloat(floats, digits, n, limbs, table.constants, table.constants + 4 * limbs);
    const all = new Float64Array(heap.memory.buffer, floats, n);
    for (let t = 0; t < indices.length; t++) values[t] = all[indices[t]!]!;
  } finally {
    heap.zero(digits, bytes); // the coefficients may be secret (an unflooded decryption)
    heap.free(digits, bytes);
  }
  return values;
}
