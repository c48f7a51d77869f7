// Diagonals and their float64 twin (no encryption): the twin agrees with the plain matrix
// product for random shapes, packings and window counts; zero diagonals are skipped; the
// slot count is used (replicated inputs need far fewer diagonals); bad input is refused.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { expectFheError } from "../helpers/ckks.js";
import { matVec, randomProduct, shapeArb } from "./lintrans-helpers.js";

/** Largest |a_i - b_i| over the first b.length entries. */
function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e;
}

describe("Diagonals.fromMatrix", () => {
  it("apply(x) holds M x in slots 0 .. rows-1 for random shapes, packings, sparsity and window counts (property)", () => {
    fc.assert(fc.property(
      shapeArb(0, 8), fc.constantFrom("replicated", "padded" as const), fc.constantFrom(0, 0.3, 0.9), fc.option(fc.constantFrom(1, 2, 4, 8)), fc.integer(),
      ({ rows, cols, slots }, input, sparsity, windows, seed) => {
        const product = randomProduct(rows, cols, seed, sparsity);
        let diagonals: Diagonals;
        try {
          diagonals = Diagonals.fromMatrix(product.matrix, { rows, cols, slots, input, ...(windows === null ? {} : { windows }) });
        } catch (error) {
          // A forced window count that does not fit is refused; the default always fits.
          expect(windows).not.toBeNull();
          expect(String(error)).toContain("do not fit");
          return;
        }
        const y = diagonals.apply(product.x);
        expect(y.length).toBe(slots);
        expect(maxError(y, matVec(product))).toBeLessThan(1e-12);
        if (diagonals.windows === 1) expect(maxError(y.subarray(rows), new Float64Array(slots - rows))).toBe(0);
        expect(diagonals.stride === 0 || (diagonals.stride >= rows && diagonals.stride * diagonals.windows <= slots)).toBe(true);
      }), { numRuns: 300 });
  });

  it("packInput replicates with period nextPow2(cols) or pads with zeros", () => {
    const m = randomProduct(3, 5, 1);
    const replicated = Diagonals.fromMatrix(m.matrix, { rows: 3, cols: 5, slots: 32 });
    const packed = replicated.packInput(m.x);
    expect(replicated.period).toBe(8);
    for (let t = 0; t < 32; t++) expect(packed[t]).toBe(t % 8 < 5 ? m.x[t % 8] : 0);
    const padded = Diagonals.fromMatrix(m.matrix, { rows: 3, cols: 5, slots: 32, input: "padded" }).packInput(m.x);
    for (let t = 0; t < 32; t++) expect(padded[t]).toBe(t < 5 ? m.x[t] : 0);
  });

  it("uses the slots: a 256 x 256 matrix over 8192 replicated slots needs 16 diagonals, summed over 16 windows", () => {
    const m = randomProduct(256, 256, 2);
    const diagonals = Diagonals.fromMatrix(m.matrix, { rows: 256, cols: 256, slots: 8192 });
    expect(diagonals.indices.length).toBe(16);
    expect(diagonals.windows).toBe(16);
    expect(maxError(diagonals.apply(m.x), matVec(m))).toBeLessThan(1e-12);
    // The plain diagonal method (one window) needs all 256.
    expect(Diagonals.fromMatrix(m.matrix, { rows: 256, cols: 256, slots: 8192, windows: 1 }).indices.length).toBe(256);
  });

  it("skips zero diagonals: a tridiagonal n x n matrix has exactly 3 (offsets 0, 1 and -1)", () => {
    const n = 12;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j++) matrix[i * n + j] = 1 + i + j;
    const diagonals = Diagonals.fromMatrix(matrix, { rows: n, cols: n, slots: 64, input: "padded" });
    expect(diagonals.indices).toEqual([0, 1, 63]);
    // Dense, the same shape needs many more.
    const dense = Diagonals.fromMatrix(randomProduct(n, n, 3).matrix, { rows: n, cols: n, slots: 64, input: "padded" });
    expect(dense.indices.length).toBeGreaterThan(3);
    // An all-zero matrix has none, and applies to zero.
    const zero = Diagonals.fromMatrix(new Float64Array(n * n), { rows: n, cols: n, slots: 64 });
    expect(zero.indices).toEqual([]);
    expect(zero.apply(new Float64Array(n).fill(1)).every((v) => v === 0)).toBe(true);
  });

  it("accepts an array of rows and a flat array, with identical diagonals", () => {
    const m = randomProduct(4, 6, 4);
    const rows = Array.from({ length: 4 }, (_, i) => Array.from(m.matrix.subarray(i * 6, i * 6 + 6)));
    const a = Diagonals.fromMatrix(rows, { rows: 4, cols: 6, slots: 16 });
    const b = Diagonals.fromMatrix(Array.from(m.matrix), { rows: 4, cols: 6, slots: 16 });
    expect(a.indices).toEqual(b.indices);
    for (const index of a.indices) expect(a.values(index)).toEqual(b.values(index));
  });

  it("refuses bad shapes and matrices with FheError", () => {
    const ok = new Float64Array(6);
    const create = (matrix: unknown, shape: unknown) => () => Diagonals.fromMatrix(matrix as Float64Array, shape as never);
    expectFheError(create(ok, { rows: 2, cols: 3, slots: 6 }), "INVALID_ARGUMENT", "create diagonals");
    expectFheError(create(ok, { rows: 0, cols: 3, slots: 8 }), "INVALID_ARGUMENT");
    expectFheError(create(ok, { rows: 2.5, cols: 3, slots: 8 }), "INVALID_ARGUMENT");
    expect(expectFheError(create(new Float64Array(20 * 3), { rows: 20, cols: 3, slots: 16 })).message).toContain("BlockedTransform");
    expect(expectFheError(create(ok, { rows: 3, cols: 3, slots: 8 })).message).toContain("6 values where a 3 x 3 matrix has 9");
    expect(expectFheError(create([[1, 2, 3], [4, 5]], { rows: 2, cols: 3, slots: 8 })).message).toContain("row 1 has 2 entries");
    expect(expectFheError(create([[1, 2, 3]], { rows: 2, cols: 3, slots: 8 })).message).toContain("1 rows where the shape says 2");
    expect(expectFheError(create([1, 2, NaN, 4, 5, 6], { rows: 2, cols: 3, slots: 8 })).message).toContain("entry (0, 2) is NaN");
    expect(expectFheError(create([1, 2, 3, 4, Infinity, 6], { rows: 2, cols: 3, slots: 8 })).message).toContain("entry (1, 1)");
    expectFheError(create("matrix", { rows: 2, cols: 3, slots: 8 }), "INVALID_ARGUMENT");
    expectFheError(create(ok, { rows: 2, cols: 3, slots: 8, input: "sparse" }), "INVALID_ARGUMENT");
    expectFheError(create(ok, { rows: 2, cols: 3, slots: 8, windows: 3 }), "INVALID_ARGUMENT");
    expect(expectFheError(create(ok, { rows: 2, cols: 3, slots: 8, windows: 8 })).message).toContain("do not fit");
    expectFheError(create(ok, null), "INVALID_ARGUMENT");
    const diagonals = Diagonals.fromMatrix(ok, { rows: 2, cols: 3, slots: 8 });
    expect(expectFheError(() => diagonals.apply([1, 2])).message).toContain("2 values where 3 are expected");
    expectFheError(() => diagonals.packInput([1, NaN, 2]), "INVALID_ARGUMENT");
  });
});

describe("Diagonals.fromMap", () => {
  /** sum_d diag_d * rot_d(v), computed directly. */
  function reference(map: Map<number, number[]>, v: number[]): number[] {
    const n = v.length;
    return v.map((_, s) => {
      let sum = 0;
      for (const [d, diag] of map) sum += diag[s]! * v[(((s + d) % n) + n) % n]!;
      return sum;
    });
  }

  it("apply(v) = sum_d diag_d * rot_d(v), indices of any sign taken mod slots, zero diagonals skipped (property)", () => {
    const arb = fc.integer({ min: 0, max: 6 }).chain((log) => fc.record({
      slots: fc.constant(2 ** log),
      residues: fc.uniqueArray(fc.integer({ min: 0, max: 2 ** log - 1 }), { maxLength: 2 ** log }),
      shifts: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 2 ** log, maxLength: 2 ** log }),
      zero: fc.array(fc.boolean(), { minLength: 2 ** log, maxLength: 2 ** log }),
      seed: fc.integer(),
    }));
    fc.assert(fc.property(arb, ({ slots, residues, shifts, zero, seed }) => {
      const map = new Map<number, number[]>();
      residues.forEach((r, k) => {
        const values = Array.from(randomProduct(1, slots, seed + k).matrix, (x) => (zero[k] ? 0 : x * slots));
        map.set(r + shifts[k]! * slots, values);
      });
      const v = Array.from(randomProduct(1, slots, seed ^ 1).matrix, (x) => x * slots);
      const diagonals = Diagonals.fromMap(map, slots);
      const expected = reference(map, v);
      const y = diagonals.apply(v);
      for (let s = 0; s < slots; s++) expect(Math.abs(y[s]! - expected[s]!)).toBeLessThan(1e-12);
      expect(diagonals.indices).toEqual(residues.filter((_, k) => !zero[k] && map.get(residues[k]! + shifts[k]! * slots)!.some((x) => x !== 0)).sort((a, b) => a - b));
    }), { numRuns: 100 });
  });

  it("accepts a plain object and refuses bad maps with FheError", () => {
    const d = Diagonals.fromMap({ 1: [1, 2, 3, 4], [-1]: [0, 0, 0, 1] }, 4);
    expect(d.indices).toEqual([1, 3]);
    expect(Array.from(d.apply([1, 2, 3, 4]))).toEqual([2, 6, 12, 7]);
    expect(expectFheError(() => Diagonals.fromMap(new Map([[1, [1, 1, 1, 1]], [5, [1, 1, 1, 1]]]), 4)).message).toContain("two diagonal indices are equal to 1 mod 4");
    expect(expectFheError(() => Diagonals.fromMap(new Map([[1, [1, 1]]]), 4)).message).toContain("2 values where 4 are expected");
    expectFheError(() => Diagonals.fromMap(new Map([[0.5, [1, 1, 1, 1]]]), 4), "INVALID_ARGUMENT");
    expectFheError(() => Diagonals.fromMap(new Map([[0, [1, NaN, 1, 1]]]), 4), "INVALID_ARGUMENT");
    expectFheError(() => Diagonals.fromMap(new Map(), 3), "INVALID_ARGUMENT");
    expectFheError(() => Diagonals.fromMap(null as never, 4), "INVALID_ARGUMENT");
  });
});
