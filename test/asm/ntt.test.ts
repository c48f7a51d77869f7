// nttForward / nttInverse against the definition: slot i = a(psi^(2 bitrev(i) + 1)) mod q,
// and INTT(NTT(a)) = a, for N = 2^1..2^8 (all slots) and 2^10..2^12 (sampled slots).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds } from "../helpers/builds.js";
import { nttPrimesFor, residueVector } from "../helpers/arbitraries.js";
import { nttDefinition } from "../helpers/reference.js";
import { forwardNtt, inverseNtt, ringFor } from "../helpers/rings.js";

const smallLogNs = [1, 2, 3, 4, 5, 6, 7, 8];
const largeLogNs = [10, 11, 12];

/** Runs per property: many for tiny N, fewer as the BigInt reference gets quadratic. */
function runsFor(logN: number): number {
  if (logN <= 3) return 200;
  if (logN <= 5) return 80;
  if (logN <= 7) return 30;
  return 15;
}

/** A prime usable at logN and a vector of N residues modulo it. */
function primeAndVector(logN: number): fc.Arbitrary<{ q: number; a: number[] }> {
  const n = 2 ** logN;
  return fc.constantFrom(...nttPrimesFor(logN)).chain((q) => residueVector(q, n).map((a) => ({ q, a })));
}

describe.each(kernelBuilds)("nttForward / nttInverse (%s build)", (build) => {
  it.each(smallLogNs)("logN = %i: forward equals the bit-reversed evaluation definition", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(primeAndVector(logN), ({ q, a }) => {
      const m = ring.modulus(q);
      const expected = nttDefinition(a.map(BigInt), BigInt(m.psi), BigInt(q)).map(Number);
      expect(forwardNtt(m, a)).toEqual(expected);
    }), { numRuns: runsFor(logN) });
  });

  it.each(smallLogNs)("logN = %i: inverse equals the definition (inverse of the evaluation)", (logN) => {
    const ring = ringFor(build, logN);
    // Building the evaluation from random coefficients and inverting must recover them.
    fc.assert(fc.property(primeAndVector(logN), ({ q, a }) => {
      const m = ring.modulus(q);
      const evaluations = nttDefinition(a.map(BigInt), BigInt(m.psi), BigInt(q)).map(Number);
      expect(inverseNtt(m, evaluations)).toEqual(a);
    }), { numRuns: runsFor(logN) });
  });

  it.each([...smallLogNs, ...largeLogNs])("logN = %i: INTT(NTT(a)) = a and NTT(INTT(a)) = a", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(primeAndVector(logN), ({ q, a }) => {
      const m = ring.modulus(q);
      expect(inverseNtt(m, forwardNtt(m, a))).toEqual(a);
      expect(forwardNtt(m, inverseNtt(m, a))).toEqual(a);
    }), { numRuns: logN <= 8 ? 120 : 12, endOnFailure: logN >= 10 });
  });

  it.each(largeLogNs)("logN = %i: forward matches the definition at sampled slots", (logN) => {
    const n = 2 ** logN;
    const ring = ringFor(build, logN);
    const slots = fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 6, maxLength: 6 });
    fc.assert(fc.property(primeAndVector(logN), slots, ({ q, a }, picked) => {
      const m = ring.modulus(q);
      const chosen = [0, n - 1, ...picked];
      const expected = nttDefinition(a.map(BigInt), BigInt(m.psi), BigInt(q), chosen);
      const actual = forwardNtt(m, a);
      for (const i of chosen) expect([i, actual[i]]).toEqual([i, Number(expected[i])]);
    }), { numRuns: 6, endOnFailure: true });
  });

  it.each([...smallLogNs, ...largeLogNs])("logN = %i: outputs are fully reduced and the transform is linear", (logN) => {
    const n = 2 ** logN;
    const ring = ringFor(build, logN);
    const arb = fc.constantFrom(...nttPrimesFor(logN)).chain((q) =>
      fc.tuple(residueVector(q, n), residueVector(q, n)).map(([a, b]) => ({ q, a, b })));
    fc.assert(fc.property(arb, ({ q, a, b }) => {
      const m = ring.modulus(q);
      const sum = a.map((v, i) => (v + b[i]!) % q);
      const fa = forwardNtt(m, a);
      const fb = forwardNtt(m, b);
      const fs = forwardNtt(m, sum);
      expect(fa.every((v) => v < q) && fb.every((v) => v < q) && fs.every((v) => v < q)).toBe(true);
      expect(fs).toEqual(fa.map((v, i) => (v + fb[i]!) % q));
    }), { numRuns: logN <= 8 ? 80 : 8, endOnFailure: logN >= 10 });
  });
});
