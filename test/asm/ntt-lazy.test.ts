// Lazy ranges of the NTT kernels: nttForwardLazy / nttInverseLazy output in [0, 2q) congruent
// to the full transforms; the forward transforms accept inputs in [0, 4q), the inverse ones
// inputs in [0, 2q); and lazy outputs chain directly into the next transform.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds } from "../helpers/builds.js";
import { nttPrimesFor, residueVector } from "../helpers/arbitraries.js";
import { forwardNtt, inverseNtt, ringFor } from "../helpers/rings.js";

const logNs = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12];

/** Runs per property; large N stop at the first failure (shrinking 4096-word vectors is slow). */
function runsFor(logN: number): { numRuns: number; endOnFailure: boolean } {
  return { numRuns: logN <= 4 ? 150 : logN <= 8 ? 50 : 8, endOnFailure: logN >= 10 };
}

/** A prime at logN and a vector of N values in [0, factor * q). */
function lazyInput(logN: number, factor: number): fc.Arbitrary<{ q: number; a: number[] }> {
  const n = 2 ** logN;
  return fc.constantFrom(...nttPrimesFor(logN)).chain((q) => residueVector(q, n, factor * q).map((a) => ({ q, a })));
}

const below = (bound: number) => (v: number): boolean => v >= 0 && v < bound;

describe.each(kernelBuilds)("lazy NTT ranges (%s build)", (build) => {
  it.each(logNs)("logN = %i: nttForwardLazy is in [0, 2q) and congruent to nttForward", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(lazyInput(logN, 1), ({ q, a }) => {
      const m = ring.modulus(q);
      const lazy = forwardNtt(m, a, true);
      expect(lazy.every(below(2 * q))).toBe(true);
      expect(lazy.map((v) => v % q)).toEqual(forwardNtt(m, a));
    }), runsFor(logN));
  });

  it.each(logNs)("logN = %i: nttInverseLazy is in [0, 2q) and congruent to nttInverse", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(lazyInput(logN, 1), ({ q, a }) => {
      const m = ring.modulus(q);
      const lazy = inverseNtt(m, a, true);
      expect(lazy.every(below(2 * q))).toBe(true);
      expect(lazy.map((v) => v % q)).toEqual(inverseNtt(m, a));
    }), runsFor(logN));
  });

  it.each(logNs)("logN = %i: forward transforms accept inputs in [0, 4q)", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(lazyInput(logN, 4), ({ q, a }) => {
      const m = ring.modulus(q);
      const reduced = a.map((v) => v % q);
      const expected = forwardNtt(m, reduced);
      expect(forwardNtt(m, a)).toEqual(expected);
      const lazy = forwardNtt(m, a, true);
      expect(lazy.every(below(2 * q))).toBe(true);
      expect(lazy.map((v) => v % q)).toEqual(expected);
    }), runsFor(logN));
  });

  it.each(logNs)("logN = %i: inverse transforms accept inputs in [0, 2q)", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(lazyInput(logN, 2), ({ q, a }) => {
      const m = ring.modulus(q);
      const expected = inverseNtt(m, a.map((v) => v % q));
      expect(inverseNtt(m, a)).toEqual(expected);
      const lazy = inverseNtt(m, a, true);
      expect(lazy.every(below(2 * q))).toBe(true);
      expect(lazy.map((v) => v % q)).toEqual(expected);
    }), runsFor(logN));
  });

  it.each(logNs)("logN = %i: lazy outputs feed the opposite transform directly", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(lazyInput(logN, 1), ({ q, a }) => {
      const m = ring.modulus(q);
      expect(inverseNtt(m, forwardNtt(m, a, true))).toEqual(a);
      expect(forwardNtt(m, inverseNtt(m, a, true))).toEqual(a);
      expect(inverseNtt(m, forwardNtt(m, a, true), true).map((v) => v % q)).toEqual(a);
    }), runsFor(logN));
  });

  it("the all-(4q - 1) forward input and the all-(2q - 1) inverse input, every prime and logN", () => {
    for (const logN of logNs) {
      const n = 2 ** logN;
      for (const q of nttPrimesFor(logN)) {
        const m = ringFor(build, logN).modulus(q);
        const top4 = new Array<number>(n).fill(4 * q - 1);
        const top2 = new Array<number>(n).fill(2 * q - 1);
        const reduced = new Array<number>(n).fill(q - 1);
        expect(forwardNtt(m, top4)).toEqual(forwardNtt(m, reduced));
        expect(forwardNtt(m, top4, true).map((v) => v % q)).toEqual(forwardNtt(m, reduced));
        expect(inverseNtt(m, top2)).toEqual(inverseNtt(m, reduced));
        expect(inverseNtt(m, top2, true).map((v) => v % q)).toEqual(inverseNtt(m, reduced));
      }
    }
  });
});
