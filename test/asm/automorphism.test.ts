// automorphismCoeff against the definition a(X^k) mod (X^N + 1), and permuteWords with the
// ring's NTT-slot permutation: permuting NTT(a) equals NTT(a(X^k)). Galois elements: random
// odd k, 2N - 1 (conjugation), powers of 5 (rotations), and odd k beyond 2N (up to 2^32 - 1).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Ring } from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { nttPrimesFor, residueVector, vectorOf } from "../helpers/arbitraries.js";
import { automorphismDefinition, powBig } from "../helpers/reference.js";
import { forwardNtt, ringFor } from "../helpers/rings.js";
import { runOnBuffers } from "../helpers/scratch.js";

const logNs = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12];
/** Runs per property; large N stop at the first failure (shrinking 4096-word vectors is slow). */
const runsFor = (logN: number): { numRuns: number; endOnFailure: boolean } =>
  ({ numRuns: logN <= 5 ? 200 : logN <= 8 ? 50 : 8, endOnFailure: logN >= 10 });

/** Odd Galois elements for N: any odd k < 2N, 1, 2N - 1, 5^r mod 2N, or any odd u32. */
function galoisArb(n: number): fc.Arbitrary<number> {
  const twoN = 2 * n;
  return fc.oneof(
    fc.integer({ min: 0, max: n - 1 }).map((i) => 2 * i + 1),
    fc.constantFrom(1, twoN - 1),
    fc.integer({ min: 0, max: Math.max(0, n / 2 - 1) }).map((r) => Number(powBig(5n, BigInt(r), BigInt(twoN)))),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((i) => 2 * i + 1),
  );
}

function caseArb(logN: number): fc.Arbitrary<{ q: number; a: number[]; k: number }> {
  const n = 2 ** logN;
  return fc.constantFrom(...nttPrimesFor(logN)).chain((q) =>
    fc.tuple(residueVector(q, n), galoisArb(n)).map(([a, k]) => ({ q, a, k })));
}

function automorphismCoeff(ring: Ring, a: readonly number[], k: number, q: number): number[] {
  const garbage = new Array<number>(ring.n).fill(0xdeadbeef);
  return runOnBuffers(ring.heap, [a, garbage], 1, ([pa, po]) => ring.heap.kernels.automorphismCoeff(po!, pa!, ring.n, k, q));
}

function permute(ring: Ring, values: readonly number[], perm: number): number[] {
  const garbage = new Array<number>(ring.n).fill(0xdeadbeef);
  return runOnBuffers(ring.heap, [values, garbage], 1, ([pa, po]) => ring.heap.kernels.permuteWords(po!, pa!, perm, ring.n));
}

describe.each(kernelBuilds)("automorphism kernels (%s build)", (build) => {
  it.each(logNs)("logN = %i: automorphismCoeff equals a(X^k) mod (X^N + 1)", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(caseArb(logN), ({ q, a, k }) => {
      const expected = automorphismDefinition(a.map(BigInt), BigInt(k), BigInt(q)).map(Number);
      expect(automorphismCoeff(ring, a, k, q)).toEqual(expected);
    }), runsFor(logN));
  });

  it.each(logNs)("logN = %i: permuteWords(NTT(a), nttPermutation(k)) = NTT(a(X^k))", (logN) => {
    const ring = ringFor(build, logN);
    fc.assert(fc.property(caseArb(logN), ({ q, a, k }) => {
      const m = ring.modulus(q);
      const twoN = 2 * ring.n;
      const perm = ring.nttPermutation(k % twoN);
      const expected = forwardNtt(m, automorphismDefinition(a.map(BigInt), BigInt(k), BigInt(q)).map(Number));
      expect(permute(ring, forwardNtt(m, a), perm)).toEqual(expected);
    }), runsFor(logN));
  });

  it.each([1, 2, 3, 5, 8])("logN = %i: every odd k < 2N, both representations agree with the definition", (logN) => {
    const ring = ringFor(build, logN);
    const n = ring.n;
    const q = nttPrimesFor(logN).at(-1)!;
    const m = ring.modulus(q);
    const a = Array.from({ length: n }, (_, i) => (i * 7919 + 13) % q);
    for (let k = 1; k < 2 * n; k += 2) {
      const expected = automorphismDefinition(a.map(BigInt), BigInt(k), BigInt(q)).map(Number);
      expect(automorphismCoeff(ring, a, k, q)).toEqual(expected);
      expect(permute(ring, forwardNtt(m, a), ring.nttPermutation(k))).toEqual(forwardNtt(m, expected));
    }
  });

  it.each(logNs)("logN = %i: nttPermutation(k) is a permutation of [0, N), the identity for k = 1", (logN) => {
    const ring = ringFor(build, logN);
    const n = ring.n;
    fc.assert(fc.property(galoisArb(n), (k) => {
      const address = ring.nttPermutation(k % (2 * n));
      const perm = Array.from(ring.heap.u32().subarray(address >>> 2, (address >>> 2) + n));
      expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      if (k % (2 * n) === 1) expect(perm).toEqual(Array.from({ length: n }, (_, i) => i));
    }), runsFor(logN));
  });

  it.each([1, 2, 3, 4, 7, 8])("logN = %i: permuteWords(out, in, perm) sets out[i] = in[perm[i]] for any perm", (logN) => {
    const n = 2 ** logN;
    const ring = ringFor(build, logN);
    const arb = fc.tuple(
      vectorOf(fc.integer({ min: 0, max: 2 ** 32 - 1 }), n),
      vectorOf(fc.integer({ min: 0, max: n - 1 }), n), // not necessarily a permutation
    );
    fc.assert(fc.property(arb, ([input, perm]) => {
      const garbage = new Array<number>(n).fill(0xdeadbeef);
      const out = runOnBuffers(ring.heap, [input, perm, garbage], 2,
        ([pi, pp, po]) => ring.heap.kernels.permuteWords(po!, pi!, pp!, n));
      expect(out).toEqual(perm.map((j) => input[j]!));
    }), runsFor(logN));
  });

  it("composition: X -> X^j then X -> X^k is X -> X^(jk mod 2N)", () => {
    const logN = 6;
    const ring = ringFor(build, logN);
    const n = ring.n;
    const q = 7681;
    fc.assert(fc.property(residueVector(q, n), galoisArb(n), galoisArb(n), (a, j, k) => {
      const once = automorphismCoeff(ring, automorphismCoeff(ring, a, j, q), k, q);
      expect(once).toEqual(automorphismCoeff(ring, a, Number((BigInt(j) * BigInt(k)) % BigInt(2 * n)), q));
    }), { numRuns: 100 });
  });
});
