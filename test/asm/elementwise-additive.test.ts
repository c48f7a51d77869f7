// addMod, subMod, negMod, addScalarMod, liftSigned and copyWords against BigInt, for lengths
// that are not multiples of 4 (the SIMD loop's scalar tail), primes of many bit lengths, edge
// values, and the allowed aliasing of `out` with an input.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { anyU32, elementwisePrimes, lengthArb, residue, vectorOf } from "../helpers/arbitraries.js";
import { mod } from "../helpers/reference.js";
import { runOnBuffers } from "../helpers/scratch.js";

const runs = { numRuns: 600 };
const primeArb = fc.constantFrom(...elementwisePrimes);
type Alias = "none" | "a" | "b";
const aliasArb = fc.constantFrom<Alias>("none", "a", "b");
const garbage = (n: number): number[] => new Array<number>(n).fill(0xdeadbeef);

/** Two residue vectors of one random length modulo one random prime, and an aliasing choice. */
const twoVectors = fc.record({ q: primeArb, n: lengthArb, alias: aliasArb }).chain(({ q, n, alias }) =>
  fc.record({ a: vectorOf(residue(q), n), b: vectorOf(residue(q), n) }).map((v) => ({ q, n, alias, ...v })));

/** Index of the output buffer among [a, b, fresh out] for an aliasing choice. */
const outIndex = (alias: Alias): number => (alias === "a" ? 0 : alias === "b" ? 1 : 2);

describe.each(kernelBuilds)("additive element-wise kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  it("addMod: out = a + b mod q", () => {
    fc.assert(fc.property(twoVectors, ({ q, n, alias, a, b }) => {
      const o = outIndex(alias);
      const out = runOnBuffers(heap, [a, b, garbage(n)], o, ([pa, pb, po]) => k.addMod([pa, pb, po][o]!, pa!, pb!, n, q));
      expect(out).toEqual(a.map((x, i) => Number(mod(BigInt(x) + BigInt(b[i]!), BigInt(q)))));
    }), runs);
  });

  it("subMod: out = a - b mod q", () => {
    fc.assert(fc.property(twoVectors, ({ q, n, alias, a, b }) => {
      const o = outIndex(alias);
      const out = runOnBuffers(heap, [a, b, garbage(n)], o, ([pa, pb, po]) => k.subMod([pa, pb, po][o]!, pa!, pb!, n, q));
      expect(out).toEqual(a.map((x, i) => Number(mod(BigInt(x) - BigInt(b[i]!), BigInt(q)))));
    }), runs);
  });

  it("negMod: out = -a mod q (0 stays 0)", () => {
    fc.assert(fc.property(twoVectors, ({ q, n, alias, a }) => {
      const o = alias === "a" ? 0 : 1;
      const out = runOnBuffers(heap, [a, garbage(n)], o, ([pa, po]) => k.negMod([pa, po][o]!, pa!, n, q));
      expect(out).toEqual(a.map((x) => Number(mod(-BigInt(x), BigInt(q)))));
    }), runs);
  });

  it("addScalarMod: out = a + c mod q for c in [0, q)", () => {
    const arb = twoVectors.chain((v) => residue(v.q).map((c) => ({ ...v, c })));
    fc.assert(fc.property(arb, ({ q, n, alias, a, c }) => {
      const o = alias === "a" ? 0 : 1;
      const out = runOnBuffers(heap, [a, garbage(n)], o, ([pa, po]) => k.addScalarMod([pa, po][o]!, pa!, n, q, c));
      expect(out).toEqual(a.map((x) => Number(mod(BigInt(x) + BigInt(c), BigInt(q)))));
    }), runs);
  });

  it("liftSigned: out = in mod q for signed inputs with |in| < q", () => {
    const arb = fc.record({ q: primeArb, n: lengthArb, alias: fc.boolean() }).chain(({ q, n, alias }) => {
      const signed = fc.oneof(
        { arbitrary: fc.constantFrom(0, 1, -1, q - 1, -(q - 1)), weight: 1 },
        { arbitrary: fc.integer({ min: -(q - 1), max: q - 1 }), weight: 3 },
      );
      return vectorOf(signed, n).map((a) => ({ q, n, alias, a }));
    });
    fc.assert(fc.property(arb, ({ q, n, alias, a }) => {
      const o = alias ? 0 : 1;
      // runOnBuffers stores each value's 32-bit two's-complement pattern, as an Int32Array would.
      const out = runOnBuffers(heap, [a, garbage(n)], o, ([pa, po]) => k.liftSigned([pa, po][o]!, pa!, n, q));
      expect(out).toEqual(a.map((x) => Number(mod(BigInt(x), BigInt(q)))));
    }), runs);
  });

  it("copyWords: out = in for any u32 words, and in-place copy is a no-op", () => {
    const arb = lengthArb.chain((n) => vectorOf(anyU32, n));
    fc.assert(fc.property(arb, fc.boolean(), (a, inPlace) => {
      const n = a.length;
      const o = inPlace ? 0 : 1;
      const out = runOnBuffers(heap, [a, garbage(n)], o, ([pa, po]) => k.copyWords([pa, po][o]!, pa!, n));
      expect(out).toEqual(a);
    }), runs);
  });

  it("n = 0 writes nothing", () => {
    const q = 12289;
    const untouched = garbage(4);
    const calls: ((out: number, a: number, b: number) => void)[] = [
      (out, a, b) => k.addMod(out, a, b, 0, q),
      (out, a, b) => k.subMod(out, a, b, 0, q),
      (out, a) => k.negMod(out, a, 0, q),
      (out, a) => k.addScalarMod(out, a, 0, q, 5),
      (out, a) => k.liftSigned(out, a, 0, q),
      (out, a) => k.copyWords(out, a, 0),
    ];
    for (const call of calls) {
      expect(runOnBuffers(heap, [[1, 2, 3, 4], [5, 6, 7, 8], untouched], 2, ([pa, pb, po]) => call(po!, pa!, pb!)))
        .toEqual(untouched);
    }
  });
});
