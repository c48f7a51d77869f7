// divideRoundByLastPrimesTwice (two divisions sharing their NTTs) against two calls of
// divideRoundByLastPrimes: bit for bit, in coefficient and NTT form, for every split of the
// dropped primes, on both kernel builds; bad prime counts give FheError.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  divideRoundByLastPrimes, divideRoundByLastPrimesTwice, generateNttPrimes, polyFromBigInts, polyToBigInts, toNtt,
} from "../../engine/ring/index.js";
import { vectorOf } from "../helpers/arbitraries.js";
import { kernelBuilds } from "../helpers/builds.js";
import { expectFheError } from "../helpers/ckks.js";
import { productBig } from "../helpers/reference.js";
import { ringFor } from "../helpers/rings.js";

const primes: readonly number[] = [
  ...generateNttPrimes({ logN: 5, bits: 30, count: 3 }),
  ...generateNttPrimes({ logN: 5, bits: 25, count: 2 }),
  ...generateNttPrimes({ logN: 5, bits: 20, count: 2 }),
];

interface Case {
  primes: number[];
  k1: number;
  k2: number;
  xs: bigint[];
  ntt: boolean;
}

function caseArb(n: number): fc.Arbitrary<Case> {
  return fc.shuffledSubarray([...primes], { minLength: 3, maxLength: primes.length }).chain((chosen) =>
    fc.integer({ min: 1, max: chosen.length - 2 }).chain((k1) =>
      fc.tuple(fc.integer({ min: 1, max: chosen.length - 1 - k1 }), vectorOf(fc.bigInt({ min: 0n, max: productBig(chosen) - 1n }), n), fc.boolean())
        .map(([k2, xs, ntt]) => ({ primes: chosen, k1, k2, xs, ntt }))));
}

describe.each(kernelBuilds)("divideRoundByLastPrimesTwice (%s build)", (build) => {
  function divided(logN: number, c: Case, divide: (poly: ReturnType<typeof polyFromBigInts>) => void) {
    const ring = ringFor(build, logN);
    using poly = polyFromBigInts(ring, ring.basis(c.primes), c.xs);
    if (c.ntt) toNtt(poly);
    divide(poly);
    const words = Array.from(ring.heap.u32().subarray(poly.limbAddress(0) >>> 2, (poly.limbAddress(0) >>> 2) + ring.n * poly.basis.size));
    return { primes: poly.basis.primes, isNtt: poly.isNtt, words };
  }

  it.each([1, 3, 5])("logN = %i: exactly divideRoundByLastPrimes(k1) then divideRoundByLastPrimes(k2)", (logN) => {
    fc.assert(fc.property(caseArb(2 ** logN), (c) => {
      const twice = divided(logN, c, (poly) => divideRoundByLastPrimesTwice(poly, c.k1, c.k2));
      const oneByOne = divided(logN, c, (poly) => {
        divideRoundByLastPrimes(poly, c.k1);
        divideRoundByLastPrimes(poly, c.k2);
      });
      expect(twice.primes).toEqual(c.primes.slice(0, c.primes.length - c.k1 - c.k2));
      expect(twice.isNtt).toBe(c.ntt);
      expect(twice).toEqual(oneByOne);
    }), { numRuns: logN <= 3 ? 60 : 25 });
  });

  it("refuses prime counts that leave no limb or are not positive integers", () => {
    const ring = ringFor(build, 3);
    using poly = polyFromBigInts(ring, ring.basis(primes.slice(0, 4)), new Array<bigint>(8).fill(5n));
    for (const [k1, k2] of [[0, 1], [1, 0], [2, 2], [3, 1], [1.5, 1], [1, Number.NaN]] as const) {
      expectFheError(() => divideRoundByLastPrimesTwice(poly, k1, k2), "INVALID_ARGUMENT", "divide by last primes");
    }
    expect(polyToBigInts(poly)).toEqual(new Array<bigint>(8).fill(5n));
  });
});
