// mulBarrett, mulAddBarrett, tensorBarrett, squareBarrett, mulShoup, mulAddShoup,
// mulScalarShoup and mulAddScalarShoup against BigInt, for lengths that are not multiples of 4, primes of many bit lengths (the
// Barrett shift is the bit length), edge values, and Shoup operands a anywhere in [0, 2^32)
// as documented.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shoupCompanion } from "../../engine/ring/modular.js";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { edgy, elementwisePrimes, lengthArb, residue, vectorOf } from "../helpers/arbitraries.js";
import { mod } from "../helpers/reference.js";
import { runOnBuffers } from "../helpers/scratch.js";

const runs = { numRuns: 600 };
const primeArb = fc.constantFrom(...elementwisePrimes);
const garbage = (n: number): number[] => new Array<number>(n).fill(0xdeadbeef);

/** Barrett constants computed here from their definition: s = bit length of q, mu = floor(2^(2s) / q). */
function barrett(q: number): { mu: number; s: number } {
  const s = q.toString(2).length;
  return { mu: Number((1n << BigInt(2 * s)) / BigInt(q)), s };
}

/** Shoup companions as the engine computes them (checked against BigInt in modular-constants.test.ts). */
const shoup = shoupCompanion;

/** Shoup operands: any u32, biased toward 0, q - 1, q, 2q - 1, 4q - 1 and 2^32 - 1. */
const shoupOperand = (q: number): fc.Arbitrary<number> =>
  edgy(2 ** 32, [q - 1, q, 2 * q - 1, 2 * q, 4 * q - 1, 2 ** 31, 2 ** 32 - 1]);

const expectedProduct = (x: number, y: number, q: number, acc = 0): number =>
  Number(mod(BigInt(x) * BigInt(y) + BigInt(acc), BigInt(q)));

type Layout = "fresh" | "out=a" | "out=b";
const layoutArb = fc.constantFrom<Layout>("fresh", "out=a", "out=b");
const outIndex = (layout: Layout, fresh: number): number => (layout === "out=a" ? 0 : layout === "out=b" ? 1 : fresh);

describe.each(kernelBuilds)("multiplicative element-wise kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  it("mulBarrett: out = a * b mod q for a, b in [0, q)", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, layout: layoutArb }).chain(({ q, n, layout }) =>
      fc.tuple(vectorOf(residue(q), n), vectorOf(residue(q), n)).map(([a, b]) => ({ q, n, layout, a, b })));
    fc.assert(fc.property(arb, ({ q, n, layout, a, b }) => {
      const { mu, s } = barrett(q);
      const o = outIndex(layout, 2);
      const out = runOnBuffers(heap, [a, b, garbage(n)], o, (p) => k.mulBarrett(p[o]!, p[0]!, p[1]!, n, q, mu, s));
      expect(out).toEqual(a.map((x, i) => expectedProduct(x, b[i]!, q)));
    }), runs);
  });

  it("tensorBarrett: (x0 y0, x0 y1 + x1 y0, x1 y1) mod q in one pass, outputs fresh or over the inputs", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, inPlace: fc.boolean() }).chain(({ q, n, inPlace }) =>
      fc.array(vectorOf(residue(q), n), { minLength: 4, maxLength: 4 }).map((v) => ({ q, n, inPlace, v })));
    fc.assert(fc.property(arb, ({ q, n, inPlace, v }) => {
      const { mu, s } = barrett(q);
      const [x0, x1, y0, y1] = v as [number[], number[], number[], number[]];
      // In place: d0 over x0, d1 over x1, d2 over y0 (as an evaluator squaring into its inputs would).
      const outputs = inPlace ? [0, 1, 2] : [4, 5, 6];
      const results = outputs.map((o) => runOnBuffers(heap, [x0, x1, y0, y1, garbage(n), garbage(n), garbage(n)], o,
        (p) => k.tensorBarrett(p[outputs[0]!]!, p[outputs[1]!]!, p[outputs[2]!]!, p[0]!, p[1]!, p[2]!, p[3]!, n, q, mu, s), outputs));
      expect(results[0]).toEqual(x0.map((x, i) => expectedProduct(x, y0[i]!, q)));
      expect(results[1]).toEqual(x0.map((x, i) => expectedProduct(x, y1[i]!, q, expectedProduct(x1[i]!, y0[i]!, q))));
      expect(results[2]).toEqual(x1.map((x, i) => expectedProduct(x, y1[i]!, q)));
    }), runs);
  });

  it("squareBarrett: (x0^2, 2 x0 x1, x1^2) mod q in one pass, outputs fresh or over the inputs", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, inPlace: fc.boolean() }).chain(({ q, n, inPlace }) =>
      fc.tuple(vectorOf(residue(q), n), vectorOf(residue(q), n)).map(([x0, x1]) => ({ q, n, inPlace, x0, x1 })));
    fc.assert(fc.property(arb, ({ q, n, inPlace, x0, x1 }) => {
      const { mu, s } = barrett(q);
      const outputs = inPlace ? [0, 1, 2] : [2, 3, 4];
      const buffers = inPlace ? [x0, x1, garbage(n)] : [x0, x1, garbage(n), garbage(n), garbage(n)];
      const results = outputs.map((o) => runOnBuffers(heap, buffers, o,
        (p) => k.squareBarrett(p[outputs[0]!]!, p[outputs[1]!]!, p[outputs[2]!]!, p[0]!, p[1]!, n, q, mu, s), outputs));
      expect(results[0]).toEqual(x0.map((x) => expectedProduct(x, x, q)));
      expect(results[1]).toEqual(x0.map((x, i) => expectedProduct(2 * x, x1[i]!, q)));
      expect(results[2]).toEqual(x1.map((x) => expectedProduct(x, x, q)));
    }), runs);
  });

  it("tensorBarrett and squareBarrett: the largest values q - 1 for every prime and every length 0..13", () => {
    for (const q of elementwisePrimes) {
      const { mu, s } = barrett(q);
      for (let n = 0; n <= 13; n++) {
        const top = new Array<number>(n).fill(q - 1);
        const buffers = [top, top, top, top, garbage(n), garbage(n), garbage(n)];
        const tensor = [4, 5, 6].map((o) => runOnBuffers(heap, buffers, o, (p) => k.tensorBarrett(p[4]!, p[5]!, p[6]!, p[0]!, p[1]!, p[2]!, p[3]!, n, q, mu, s), [4, 5, 6]));
        expect(tensor).toEqual([new Array<number>(n).fill(1), new Array<number>(n).fill(2 % q), new Array<number>(n).fill(1)]);
        const square = [4, 5, 6].map((o) => runOnBuffers(heap, buffers, o, (p) => k.squareBarrett(p[4]!, p[5]!, p[6]!, p[0]!, p[1]!, n, q, mu, s), [4, 5, 6]));
        expect(square).toEqual(tensor);
      }
    }
  });

  it("mulBarrett: the largest product (q - 1)^2 for every prime and every length 0..13", () => {
    for (const q of elementwisePrimes) {
      const { mu, s } = barrett(q);
      for (let n = 0; n <= 13; n++) {
        const top = new Array<number>(n).fill(q - 1);
        const out = runOnBuffers(heap, [top, top, garbage(n)], 2, (p) => k.mulBarrett(p[2]!, p[0]!, p[1]!, n, q, mu, s));
        expect(out).toEqual(new Array<number>(n).fill(1)); // (q - 1)^2 = (-1)^2 = 1
      }
    }
  });

  it("mulAddBarrett: out = out + a * b mod q for out, a, b in [0, q)", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, layout: layoutArb }).chain(({ q, n, layout }) =>
      fc.tuple(vectorOf(residue(q), n), vectorOf(residue(q), n), vectorOf(residue(q), n))
        .map(([a, b, acc]) => ({ q, n, layout, a, b, acc })));
    fc.assert(fc.property(arb, ({ q, n, layout, a, b, acc }) => {
      const { mu, s } = barrett(q);
      const o = outIndex(layout, 2);
      const initial = [a, b, acc][o]!; // with out aliasing a (or b) the accumulator is a (or b)
      const out = runOnBuffers(heap, [a, b, acc], o, (p) => k.mulAddBarrett(p[o]!, p[0]!, p[1]!, n, q, mu, s));
      expect(out).toEqual(a.map((x, i) => expectedProduct(x, b[i]!, q, initial[i]!)));
    }), runs);
  });

  it("mulAddBarrett: the largest value (q - 1)^2 + (q - 1) for every prime", () => {
    for (const q of elementwisePrimes) {
      const { mu, s } = barrett(q);
      for (const n of [1, 4, 7, 9]) {
        const top = new Array<number>(n).fill(q - 1);
        const out = runOnBuffers(heap, [top, top, top], 2, (p) => k.mulAddBarrett(p[2]!, p[0]!, p[1]!, n, q, mu, s));
        expect(out).toEqual(new Array<number>(n).fill(0)); // (-1)^2 + (-1) = 0
      }
    }
  });

  it("mulShoup: out = a * w mod q for any u32 a and w in [0, q) with its Shoup companion", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, layout: layoutArb }).chain(({ q, n, layout }) =>
      fc.tuple(vectorOf(shoupOperand(q), n), vectorOf(residue(q), n)).map(([a, w]) => ({ q, n, layout, a, w })));
    fc.assert(fc.property(arb, ({ q, n, layout, a, w }) => {
      const o = outIndex(layout, 3);
      const wShoup = w.map((x) => shoup(x, q));
      const out = runOnBuffers(heap, [a, w, wShoup, garbage(n)], o,
        (p) => k.mulShoup(p[o]!, p[0]!, p[1]!, p[2]!, n, q));
      expect(out).toEqual(a.map((x, i) => expectedProduct(x, w[i]!, q)));
    }), runs);
  });

  it("mulAddShoup: out = out + a * w mod q for out in [0, q), any u32 a, w in [0, q)", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb }).chain(({ q, n }) =>
      fc.tuple(vectorOf(shoupOperand(q), n), vectorOf(residue(q), n), vectorOf(residue(q), n))
        .map(([a, w, acc]) => ({ q, n, a, w, acc })));
    fc.assert(fc.property(arb, ({ q, n, a, w, acc }) => {
      const wShoup = w.map((x) => shoup(x, q));
      const out = runOnBuffers(heap, [a, w, wShoup, acc], 3, (p) => k.mulAddShoup(p[3]!, p[0]!, p[1]!, p[2]!, n, q));
      expect(out).toEqual(a.map((x, i) => expectedProduct(x, w[i]!, q, acc[i]!)));
    }), runs);
  });

  it("mulScalarShoup: out = a * c mod q for any u32 a and c in [0, q)", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, inPlace: fc.boolean() }).chain(({ q, n, inPlace }) =>
      fc.tuple(vectorOf(shoupOperand(q), n), residue(q)).map(([a, c]) => ({ q, n, inPlace, a, c })));
    fc.assert(fc.property(arb, ({ q, n, inPlace, a, c }) => {
      const o = inPlace ? 0 : 1;
      const out = runOnBuffers(heap, [a, garbage(n)], o, (p) => k.mulScalarShoup(p[o]!, p[0]!, n, q, c, shoup(c, q)));
      expect(out).toEqual(a.map((x) => expectedProduct(x, c, q)));
    }), runs);
  });

  it("mulAddScalarShoup: out = out + a * c mod q for out in [0, q), any u32 a and c in [0, q)", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb }).chain(({ q, n }) =>
      fc.tuple(vectorOf(shoupOperand(q), n), vectorOf(residue(q), n), residue(q)).map(([a, acc, c]) => ({ q, n, a, acc, c })));
    fc.assert(fc.property(arb, ({ q, n, a, acc, c }) => {
      const out = runOnBuffers(heap, [a, acc], 1, (p) => k.mulAddScalarShoup(p[1]!, p[0]!, n, q, c, shoup(c, q)));
      expect(out).toEqual(a.map((x, i) => expectedProduct(x, c, q, acc[i]!)));
    }), runs);
  });

  it("Shoup kernels at the extremes: a = 2^32 - 1 and w = q - 1 for every prime and length 0..9", () => {
    for (const q of elementwisePrimes) {
      for (let n = 0; n <= 9; n++) {
        const a = new Array<number>(n).fill(2 ** 32 - 1);
        const w = new Array<number>(n).fill(q - 1);
        const wShoup = w.map((x) => shoup(x, q));
        const expected = new Array<number>(n).fill(expectedProduct(2 ** 32 - 1, q - 1, q));
        expect(runOnBuffers(heap, [a, w, wShoup, garbage(n)], 3, (p) => k.mulShoup(p[3]!, p[0]!, p[1]!, p[2]!, n, q)))
          .toEqual(expected);
        expect(runOnBuffers(heap, [a, garbage(n)], 1, (p) => k.mulScalarShoup(p[1]!, p[0]!, n, q, q - 1, shoup(q - 1, q))))
          .toEqual(expected);
        const acc = new Array<number>(n).fill(q - 1);
        const fused = new Array<number>(n).fill(expectedProduct(2 ** 32 - 1, q - 1, q, q - 1));
        expect(runOnBuffers(heap, [a, w, wShoup, acc], 3, (p) => k.mulAddShoup(p[3]!, p[0]!, p[1]!, p[2]!, n, q)))
          .toEqual(fused);
        expect(runOnBuffers(heap, [a, acc], 1, (p) => k.mulAddScalarShoup(p[1]!, p[0]!, n, q, q - 1, shoup(q - 1, q))))
          .toEqual(fused);
      }
    }
  });
});
