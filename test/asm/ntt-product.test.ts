// NTT, coefficient-wise mulBarrett, INTT = the negacyclic product mod (X^N + 1, q), against
// the BigInt schoolbook product (all coefficients up to N = 2^8, sampled ones beyond).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Modulus } from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { nttPrimesFor, residueVector } from "../helpers/arbitraries.js";
import { negacyclicCoefficient, negacyclicProduct } from "../helpers/reference.js";
import { ringFor } from "../helpers/rings.js";
import { untouchedGuards, withScratch } from "../helpers/scratch.js";

/** a * b in Z_q[X]/(X^N + 1) computed by the kernels: NTT both, mulBarrett, INTT. */
function kernelProduct(m: Modulus, a: readonly number[], b: readonly number[]): number[] {
  return withScratch(m.heap, (s) => {
    const k = m.heap.kernels;
    const x = s.put(a);
    const y = s.put(b);
    k.nttForward(x, m.n, m.q, m.tw, m.twShoup);
    k.nttForward(y, m.n, m.q, m.tw, m.twShoup);
    k.mulBarrett(x, x, y, m.n, m.q, m.barrettMu, m.barrettShift);
    k.nttInverse(x, m.n, m.q, m.itw, m.itwShoup, m.nInv, m.nInvShoup, m.lastTw, m.lastTwShoup);
    expect(s.guards(x)).toEqual(untouchedGuards);
    expect(s.guards(y)).toEqual(untouchedGuards);
    return s.read(x, m.n);
  });
}

function operands(logN: number): fc.Arbitrary<{ q: number; a: number[]; b: number[] }> {
  const n = 2 ** logN;
  return fc.constantFrom(...nttPrimesFor(logN)).chain((q) =>
    fc.tuple(residueVector(q, n), residueVector(q, n)).map(([a, b]) => ({ q, a, b })));
}

describe.each(kernelBuilds)("NTT-based negacyclic product (%s build)", (build) => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])("logN = %i: equals the schoolbook product", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(operands(logN), ({ q, a, b }) => {
      const m = ring.modulus(q);
      const expected = negacyclicProduct(a.map(BigInt), b.map(BigInt), BigInt(q)).map(Number);
      expect(kernelProduct(m, a, b)).toEqual(expected);
    }), { numRuns: logN <= 4 ? 150 : logN <= 6 ? 40 : 12 });
  });

  it("X^(N-1) * X = -1 (the wrap-around sign) for every N and prime", () => {
    for (const logN of [1, 2, 3, 4, 5, 6, 7, 8, 10]) {
      const n = 2 ** logN;
      for (const q of nttPrimesFor(logN)) {
        const m = ringFor(build, logN).modulus(q);
        const a = new Array<number>(n).fill(0);
        const b = new Array<number>(n).fill(0);
        a[n - 1] = 1;
        b[1] = 1;
        const expected = new Array<number>(n).fill(0);
        expected[0] = q - 1;
        expect(kernelProduct(m, a, b)).toEqual(expected);
      }
    }
  });

  it.each([10, 11, 12])("logN = %i: equals the schoolbook product at sampled coefficients", (logN) => {
    const n = 2 ** logN;
    const ring = ringFor(build, logN);
    const picks = fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 4, maxLength: 4 });
    fc.assert(fc.property(operands(logN), picks, ({ q, a, b }, picked) => {
      const m = ring.modulus(q);
      const actual = kernelProduct(m, a, b);
      const ab = a.map(BigInt);
      const bb = b.map(BigInt);
      for (const k of [0, n - 1, ...picked]) {
        expect([k, actual[k]]).toEqual([k, Number(negacyclicCoefficient(ab, bb, k, BigInt(q)))]);
      }
    }), { numRuns: 5, endOnFailure: true });
  });
});
