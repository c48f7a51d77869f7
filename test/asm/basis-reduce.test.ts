// reduceCentered (centered representative of a residue mod qIn, reduced mod q) and
// subMulScalarShoup ((x - y) * c mod q for lazy x, y in [0, 2q)) against BigInt.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shoupCompanion } from "../../engine/ring/modular.js";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { edgy, elementwisePrimes, lazyResidue, lengthArb, residue, vectorOf } from "../helpers/arbitraries.js";
import { centered, mod } from "../helpers/reference.js";
import { runOnBuffers } from "../helpers/scratch.js";

const primeArb = fc.constantFrom(...elementwisePrimes);
const garbage = (n: number): number[] => new Array<number>(n).fill(0xdeadbeef);

describe.each(kernelBuilds)("basis reduction kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  it("reduceCentered: out = [x]_qIn mod q, values above floor(qIn / 2) counting as x - qIn", () => {
    const arb = fc.record({ qIn: primeArb, q: primeArb, n: lengthArb, inPlace: fc.boolean() }).chain((r) => {
      const half = Math.floor(r.qIn / 2);
      return vectorOf(edgy(r.qIn, [half - 1, half, half + 1, r.q - 1, r.q, r.q + 1, 2 * r.q]), r.n)
        .map((x) => ({ ...r, x }));
    });
    fc.assert(fc.property(arb, ({ qIn, q, n, inPlace, x }) => {
      const o = inPlace ? 0 : 1;
      const oneShoup = Math.floor(2 ** 32 / q);
      const out = runOnBuffers(heap, [x, garbage(n)], o,
        ([px, po]) => k.reduceCentered([px, po][o]!, px!, n, qIn, q, qIn % q, oneShoup));
      expect(out).toEqual(x.map((v) => Number(mod(centered(BigInt(v), BigInt(qIn)), BigInt(q)))));
    }), { numRuns: 1000 });
  });

  it("reduceCentered: every residue of a small qIn, into every test prime, lengths 1..9", () => {
    for (const qIn of [3, 17, 113]) {
      for (const q of elementwisePrimes) {
        const x = Array.from({ length: qIn }, (_, i) => i);
        const out = runOnBuffers(heap, [x, garbage(qIn)], 1,
          ([px, po]) => k.reduceCentered(po!, px!, qIn, qIn, q, qIn % q, Math.floor(2 ** 32 / q)));
        expect(out).toEqual(x.map((v) => Number(mod(centered(BigInt(v), BigInt(qIn)), BigInt(q)))));
        for (let n = 1; n <= 9; n++) {
          const top = new Array<number>(n).fill(qIn - 1); // centered: -1
          expect(runOnBuffers(heap, [top, garbage(n)], 1,
            ([px, po]) => k.reduceCentered(po!, px!, n, qIn, q, qIn % q, Math.floor(2 ** 32 / q))))
            .toEqual(new Array<number>(n).fill(q - 1));
        }
      }
    }
  });

  it("subMulScalarShoup: out = (x - y) * c mod q for x, y in [0, 2q) and c in [0, q)", () => {
    type Layout = "fresh" | "out=x" | "out=y";
    const arb = fc.record({ q: primeArb, n: lengthArb, layout: fc.constantFrom<Layout>("fresh", "out=x", "out=y") })
      .chain((r) => fc.record({
        x: vectorOf(lazyResidue(r.q, 2), r.n),
        y: vectorOf(lazyResidue(r.q, 2), r.n),
        c: residue(r.q),
      }).map((v) => ({ ...r, ...v })));
    fc.assert(fc.property(arb, ({ q, n, layout, x, y, c }) => {
      const o = layout === "out=x" ? 0 : layout === "out=y" ? 1 : 2;
      const out = runOnBuffers(heap, [x, y, garbage(n)], o,
        (p) => k.subMulScalarShoup(p[o]!, p[0]!, p[1]!, n, q, c, shoupCompanion(c, q)));
      expect(out).toEqual(x.map((v, i) => Number(mod((BigInt(v) - BigInt(y[i]!)) * BigInt(c), BigInt(q)))));
    }), { numRuns: 1000 });
  });

  it("subMulScalarShoup: the extreme differences 0 - (2q - 1) and (2q - 1) - 0 for every prime", () => {
    for (const q of elementwisePrimes) {
      for (const n of [1, 3, 4, 5, 8, 11]) {
        const zero = new Array<number>(n).fill(0);
        const top = new Array<number>(n).fill(2 * q - 1);
        const c = q - 1;
        const run = (x: number[], y: number[]): number[] => runOnBuffers(heap, [x, y, garbage(n)], 2,
          (p) => k.subMulScalarShoup(p[2]!, p[0]!, p[1]!, n, q, c, shoupCompanion(c, q)));
        expect(run(zero, top)).toEqual(new Array<number>(n).fill(Number(mod(-(2n * BigInt(q) - 1n) * BigInt(c), BigInt(q)))));
        expect(run(top, zero)).toEqual(new Array<number>(n).fill(Number(mod((2n * BigInt(q) - 1n) * BigInt(c), BigInt(q)))));
      }
    }
  });
});
