// 64-bit lazy accumulation: innerProductPair (two sums of up to 16 products, summed unreduced
// and reduced once), innerProductPairLift (up to 15 products plus f x0, f x1) and reduceInt64 (signed 64-bit values |v| < 2^63 reduced mod q), against
// BigInt, for lengths that are not multiples of 4.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shoupCompanion } from "../../engine/ring/modular.js";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { edgy, elementwisePrimes, lengthArb, vectorOf } from "../helpers/arbitraries.js";
import { mod } from "../helpers/reference.js";
import { runOnBuffers } from "../helpers/scratch.js";

const below30 = edgy(2 ** 30, [2 ** 29, 2 ** 30 - 2]);

/** 64-bit values as little-endian pairs of u32 words (two's complement for negatives). */
function toWords(values: readonly bigint[]): number[] {
  return values.flatMap((v) => {
    const bits = BigInt.asUintN(64, v);
    return [Number(bits & 0xffffffffn), Number(bits >> 32n)];
  });
}

/** Signed 64-bit values with |v| < 2^63, biased toward 0, +-1, +-(2^63 - 1), +-2^32 and multiples of q. */
function int64Arb(q: number): fc.Arbitrary<bigint> {
  const top = 2n ** 63n - 1n;
  const qb = BigInt(q);
  const edges = [0n, 1n, -1n, top, -top, 2n ** 32n, -(2n ** 32n), 2n ** 32n - 1n, -(2n ** 32n - 1n), qb, -qb,
    qb - 1n, 1n - qb, (top / qb) * qb, -(top / qb) * qb, 2n ** 62n, -(2n ** 62n)];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: fc.bigInt({ min: -top, max: top }), weight: 2 },
    { arbitrary: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), weight: 1 },
  );
}

describe.each(kernelBuilds)("wide accumulation kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  /** Runs innerProductPair on `terms` (d, b, a vectors) and returns [out0, out1]; `start` = (out0, out1) when accumulating. */
  function innerProductPair(q: number, n: number, terms: readonly (readonly number[][])[], start: readonly number[][] | undefined): number[][] {
    const r32 = Number((1n << 32n) % BigInt(q));
    const outs = start ?? [new Array<number>(n).fill(0xdeadbeef), new Array<number>(n).fill(0xdeadbeef)];
    const table = new Array<number>(3 * terms.length).fill(0);
    const buffers = [table, outs[0]!, outs[1]!, ...terms.flat()];
    let second: number[] = [];
    const first = runOnBuffers(heap, buffers, 1, (p) => {
      const tableWords = terms.flatMap((_, j) => [p[3 + 3 * j]!, p[4 + 3 * j]!, p[5 + 3 * j]!]);
      heap.u32().set(tableWords, p[0]! >>> 2);
      k.innerProductPair(p[1]!, p[2]!, p[0]!, terms.length, n, q, r32, shoupCompanion(r32, q), Math.floor(2 ** 32 / q), start === undefined ? 0 : 1);
      second = Array.from(heap.u32().subarray(p[2]! >>> 2, (p[2]! >>> 2) + n));
    }, [0, 2]);
    return [first, second];
  }

  const innerProductCase = fc.record({ q: fc.constantFrom(...elementwisePrimes), n: lengthArb, count: fc.integer({ min: 1, max: 16 }) })
    .chain(({ q, n, count }) => fc.record({
      terms: fc.array(fc.tuple(vectorOf(below30, n), vectorOf(below30, n), vectorOf(below30, n)), { minLength: count, maxLength: count }),
      start: fc.option(fc.tuple(vectorOf(edgy(q), n), vectorOf(edgy(q), n)), { nil: undefined }),
    }).map((v) => ({ q, n, ...v })));

  it("innerProductPair: out0 (+)= sum d_j b_j and out1 (+)= sum d_j a_j mod q, for 1 to 16 products of 30-bit values", () => {
    fc.assert(fc.property(innerProductCase, ({ q, n, terms, start }) => {
      const [out0, out1] = innerProductPair(q, n, terms, start);
      const expected = (part: 1 | 2, init: readonly number[] | undefined): number[] => Array.from({ length: n }, (_, i) =>
        Number(mod(terms.reduce((sum, t) => sum + BigInt(t[0]![i]!) * BigInt(t[part]![i]!), BigInt(init?.[i] ?? 0)), BigInt(q))));
      expect(out0).toEqual(expected(1, start?.[0]));
      expect(out1).toEqual(expected(2, start?.[1]));
    }), { numRuns: 400 });
  });

  it("innerProductPairLift: out0 (+)= f x0 + sum d_j b_j and out1 (+)= f x1 + sum d_j a_j mod q, for 1 to 15 products", () => {
    const arb = innerProductCase.filter(({ terms }) => terms.length <= 15).chain((c) => fc.record({
      x0: vectorOf(below30, c.n), x1: vectorOf(below30, c.n), f: below30,
    }).map((lift) => ({ ...c, ...lift })));
    fc.assert(fc.property(arb, ({ q, n, terms, start, x0, x1, f }) => {
      const r32 = Number((1n << 32n) % BigInt(q));
      const outs = start ?? [new Array<number>(n).fill(0xdeadbeef), new Array<number>(n).fill(0xdeadbeef)];
      const table = new Array<number>(3 * terms.length).fill(0);
      let second: number[] = [];
      const first = runOnBuffers(heap, [table, outs[0]!, outs[1]!, x0, x1, ...terms.flat()], 1, (p) => {
        heap.u32().set(terms.flatMap((_, j) => [p[5 + 3 * j]!, p[6 + 3 * j]!, p[7 + 3 * j]!]), p[0]! >>> 2);
        k.innerProductPairLift(p[1]!, p[2]!, p[0]!, terms.length, n, q, r32, shoupCompanion(r32, q), Math.floor(2 ** 32 / q),
          start === undefined ? 0 : 1, p[3]!, p[4]!, f);
        second = Array.from(heap.u32().subarray(p[2]! >>> 2, (p[2]! >>> 2) + n));
      }, [0, 2]);
      const expected = (part: 1 | 2, x: readonly number[], init: readonly number[] | undefined): number[] => Array.from({ length: n }, (_, i) =>
        Number(mod(terms.reduce((sum, t) => sum + BigInt(t[0]![i]!) * BigInt(t[part]![i]!), BigInt(init?.[i] ?? 0) + BigInt(x[i]!) * BigInt(f)), BigInt(q))));
      expect(first).toEqual(expected(1, x0, start?.[0]));
      expect(second).toEqual(expected(2, x1, start?.[1]));
    }), { numRuns: 300 });
  });

  it("reduceInt64: out = v mod q in [0, q) for signed |v| < 2^63", () => {
    const arb = fc.record({ q: fc.constantFrom(...elementwisePrimes), n: lengthArb })
      .chain(({ q, n }) => vectorOf(int64Arb(q), n).map((v) => ({ q, n, v })));
    fc.assert(fc.property(arb, ({ q, n, v }) => {
      const r32 = Number((1n << 32n) % BigInt(q));
      const garbage = new Array<number>(n).fill(0xdeadbeef);
      const out = runOnBuffers(heap, [toWords(v), garbage], 1,
        (p) => k.reduceInt64(p[1]!, p[0]!, n, q, r32, shoupCompanion(r32, q), Math.floor(2 ** 32 / q)));
      expect(out).toEqual(v.map((x) => Number(mod(x, BigInt(q)))));
    }), { numRuns: 600 });
  });

  it("the largest batch: 16 products (2^30 - 1)^2 sum exactly and reduce correctly", () => {
    const sum = 16n * (2n ** 30n - 1n) ** 2n; // < 2^64
    for (const n of [1, 3, 4, 5, 8, 13]) {
      const top = new Array<number>(n).fill(2 ** 30 - 1);
      for (const q of [1073741789, 1073692673, 536870923, 12289, 3]) {
        const [out0, out1] = innerProductPair(q, n, new Array(16).fill([top, top, top]), undefined);
        expect(out0).toEqual(new Array<number>(n).fill(Number(mod(sum, BigInt(q)))));
        expect(out1).toEqual(out0);
      }
    }
  });

});
