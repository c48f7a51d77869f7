// 64-bit lazy accumulation: mulAccumulateWide (exact unreduced sums of products) and
// reduceInt64 (signed 64-bit values |v| < 2^63 reduced mod q), against BigInt, for lengths
// that are not multiples of 4.

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

function fromWords(words: readonly number[], signed: boolean): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const bits = (BigInt(words[i + 1]!) << 32n) | BigInt(words[i]!);
    out.push(signed ? BigInt.asIntN(64, bits) : bits);
  }
  return out;
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

  it("mulAccumulateWide: acc = (first ? 0 : acc) + a * b exactly, over up to 8 terms of 30-bit products", () => {
    const arb = fc.record({ n: lengthArb, terms: fc.integer({ min: 1, max: 8 }) }).chain(({ n, terms }) =>
      fc.tuple(
        fc.array(fc.tuple(vectorOf(below30, n), vectorOf(below30, n)), { minLength: terms, maxLength: terms }),
        vectorOf(fc.integer({ min: 0, max: 2 ** 32 - 1 }), 2 * n), // stale accumulator contents
      ).map(([pairs, stale]) => ({ n, pairs, stale })));
    fc.assert(fc.property(arb, ({ n, pairs, stale }) => {
      const buffers = [stale, ...pairs.flat()];
      const out = runOnBuffers(heap, buffers, 0, (p) => {
        pairs.forEach((_, t) => k.mulAccumulateWide(p[0]!, p[1 + 2 * t]!, p[2 + 2 * t]!, n, t === 0 ? 1 : 0));
      });
      const expected = Array.from({ length: n }, (_, i) =>
        pairs.reduce((sum, [a, b]) => sum + BigInt(a[i]!) * BigInt(b[i]!), 0n));
      expect(fromWords(out, false)).toEqual(expected);
    }), { numRuns: 400 });
  });

  it("mulAccumulateWide with first = 0 adds to the existing 64-bit values", () => {
    const arb = lengthArb.chain((n) => fc.record({
      acc: vectorOf(fc.bigInt({ min: 0n, max: 2n ** 62n }), n),
      a: vectorOf(below30, n),
      b: vectorOf(below30, n),
    }).map((v) => ({ n, ...v })));
    fc.assert(fc.property(arb, ({ n, acc, a, b }) => {
      const out = runOnBuffers(heap, [toWords(acc), a, b], 0, (p) => k.mulAccumulateWide(p[0]!, p[1]!, p[2]!, n, 0));
      expect(fromWords(out, false)).toEqual(acc.map((v, i) => v + BigInt(a[i]!) * BigInt(b[i]!)));
    }), { numRuns: 400 });
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

  it("the largest batch: 8 products (2^30 - 1)^2 accumulate exactly and reduce correctly", () => {
    for (const n of [1, 3, 4, 5, 8, 13]) {
      const top = new Array<number>(n).fill(2 ** 30 - 1);
      const wide = runOnBuffers(heap, [new Array<number>(2 * n).fill(0), top], 0, (p) => {
        for (let t = 0; t < 8; t++) k.mulAccumulateWide(p[0]!, p[1]!, p[1]!, n, t === 0 ? 1 : 0);
      });
      const sum = 8n * (2n ** 30n - 1n) ** 2n; // < 2^63
      expect(fromWords(wide, true)).toEqual(new Array<bigint>(n).fill(sum));
      for (const q of [1073741789, 1073692673, 536870923, 12289, 3]) {
        const r32 = Number((1n << 32n) % BigInt(q));
        const out = runOnBuffers(heap, [wide, new Array<number>(n).fill(0)], 1,
          (p) => k.reduceInt64(p[1]!, p[0]!, n, q, r32, shoupCompanion(r32, q), Math.floor(2 ** 32 / q)));
        expect(out).toEqual(new Array<number>(n).fill(Number(mod(sum, BigInt(q)))));
      }
    }
  });

  it("mulAccumulateWide then reduceInt64 is the inner product mod q", () => {
    const q = 1073692673;
    const arb = lengthArb.chain((n) => fc.array(
      fc.tuple(vectorOf(edgy(q), n), vectorOf(edgy(q), n)), { minLength: 1, maxLength: 8 }).map((pairs) => ({ n, pairs })));
    fc.assert(fc.property(arb, ({ n, pairs }) => {
      const r32 = Number((1n << 32n) % BigInt(q));
      const out = runOnBuffers(heap, [new Array<number>(2 * n).fill(0), new Array<number>(n).fill(0), ...pairs.flat()], 1, (p) => {
        pairs.forEach((_, t) => k.mulAccumulateWide(p[0]!, p[2 + 2 * t]!, p[3 + 2 * t]!, n, t === 0 ? 1 : 0));
        k.reduceInt64(p[1]!, p[0]!, n, q, r32, shoupCompanion(r32, q), Math.floor(2 ** 32 / q));
      }, [0]);
      const expected = Array.from({ length: n }, (_, i) =>
        Number(mod(pairs.reduce((sum, [a, b]) => sum + BigInt(a[i]!) * BigInt(b[i]!), 0n), BigInt(q))));
      expect(out).toEqual(expected);
    }), { numRuns: 200 });
  });
});
