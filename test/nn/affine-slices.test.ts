// The slices of affine maps that streamed batch inference uses: rows, columns, and the
// restriction to the columns a map reads, against the whole map applied in float64.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { affineFromRows, applyAffine, columnSlice, rowSlice, usedColumns, type Affine } from "../../nn/affine.js";

/** A random sparse map (about a third of the weights zero) and an input for it. */
const mapAndInput = fc.record({ rows: fc.integer({ min: 1, max: 9 }), cols: fc.integer({ min: 1, max: 9 }), seed: fc.integer() }).map(({ rows, cols, seed }) => {
  let state = seed >>> 0 || 1;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const map = affineFromRows(rows, cols, Float64Array.from({ length: rows }, next), (_, push) => {
    for (let c = 0; c < cols; c++) {
      const w = next();
      if (Math.abs(w) > 1 / 3) push(c, w);
    }
  });
  return { map, x: Float64Array.from({ length: cols }, next) };
});

describe("affine slices", () => {
  it("usedColumns: the restricted map on the used inputs equals the map on all inputs; used is increasing and only read columns", () => {
    fc.assert(fc.property(mapAndInput, ({ map, x }) => {
      const { map: restricted, used } = usedColumns(map);
      expect(restricted.cols).toBe(used.length);
      expect(Array.from(used)).toEqual([...new Set(map.columns)].sort((a, b) => a - b));
      const got = applyAffine(restricted, Array.from(used, (c) => x[c]!));
      applyAffine(map, x).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 12));
    }), { numRuns: 200, seed: 3 });
  });

  it("rows then columns add up to the whole map: Σ over column slices (bias once) of a row slice", () => {
    fc.assert(fc.property(mapAndInput, fc.integer({ min: 1, max: 4 }), ({ map, x }, width) => {
      const whole = applyAffine(map, x);
      const start = Math.floor(map.rows / 2);
      const rows: Affine = rowSlice(map, start, map.rows);
      const sum = new Float64Array(rows.rows);
      for (let a = 0; a < map.cols; a += width) {
        const b = Math.min(map.cols, a + width);
        applyAffine(columnSlice(rows, a, b, a === 0), x.subarray(a, b)).forEach((v, j) => { sum[j]! += v; });
      }
      sum.forEach((v, j) => expect(v).toBeCloseTo(whole[start + j]!, 12));
    }), { numRuns: 200, seed: 4 });
  });
});
