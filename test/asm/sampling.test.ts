// The branch-free Gaussian sampling kernel against the linear search it replaces: for random
// words and tables, both builds return exactly the index of the first entry above the draw,
// with the sign from the second word's low bit.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { runOnBuffers } from "../helpers/scratch.js";

/** The sample of one word pair by a search that stops at the first entry above the draw. */
function referenceSample(first: number, second: number, table: readonly number[]): number {
  const u = (first * 2097152 + (second >>> 11)) / 9007199254740992;
  let magnitude = 0;
  while (u >= table[magnitude]!) magnitude++;
  return magnitude !== 0 && (second & 1) === 1 ? -magnitude : magnitude;
}

/** f64 values as their little-endian u32 words. */
const f64Words = (values: readonly number[]): number[] => Array.from(new Uint32Array(Float64Array.from(values).buffer));

/** An increasing table in (0, 1] ending in 1, padded to even length with 2. */
const tableArb = fc.array(fc.double({ min: 1e-12, max: 1, noNaN: true }), { minLength: 0, maxLength: 30 }).map((xs) => {
  const table = [...new Set(xs)].filter((x) => x < 1).sort((a, b) => a - b);
  table.push(1);
  if (table.length % 2 === 1) table.push(2);
  return table;
});

describe.each(kernelBuilds)("sampleCumulative (%s build)", (build) => {
  const heap = heapFor(build);

  it("equals the stopping linear search for random words and tables, draws on entries included", () => {
    const arb = fc.record({ table: tableArb, words: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 0, maxLength: 64 }) })
      .map(({ table, words: drawn }) => {
        // Some draws exactly on an entry (u = table[m] counts m as passed); a copy, since
        // fast-check shrinks from the generated array.
        const words = [...drawn];
        const pairs = words.length & ~1;
        const exact = table.filter((t) => t < 1).map((t) => Math.round(t * 2 ** 53));
        exact.slice(0, pairs >> 2).forEach((scaled, k) => {
          words[4 * k] = Math.floor(scaled / 2097152);
          words[4 * k + 1] = ((scaled % 2097152) * 2048 + (words[4 * k + 1]! & 2047)) >>> 0;
        });
        return { table, words: words.slice(0, pairs) };
      });
    fc.assert(fc.property(arb, ({ table, words }) => {
      const n = words.length / 2;
      const out = runOnBuffers(heap, [new Array<number>(n).fill(0xdeadbeef), words, f64Words(table)], 0, ([o, w, t]) => {
        heap.kernels.sampleCumulative(o!, w!, n, t!, table.length);
      });
      const expected = Array.from({ length: n }, (_, i) => referenceSample(words[2 * i]!, words[2 * i + 1]!, table));
      expect(out.map((v) => v | 0)).toEqual(expected);
    }), { numRuns: 200 });
  });

  it("the extremes: all-zero words give 0, all-one words the last entry below 1 and the sign, a draw of exactly 0.5 passes the entry 0.5", () => {
    const table = [0.25, 0.5, 0.75, 1];
    const out = runOnBuffers(heap, [[7, 7, 7], [0, 0, 0xffffffff, 0xffffffff, 2 ** 31, 0], f64Words(table)], 0, ([o, w, t]) => {
      heap.kernels.sampleCumulative(o!, w!, 3, t!, table.length);
    });
    expect(out.map((v) => v | 0)).toEqual([0, -3, 2]);
  });
});
