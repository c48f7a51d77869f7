// divideRoundByLastPrimes (reduceCentered, baseConvertSum, subMulScalarShoup and the NTT
// working together) against BigInt, in coefficient and NTT form:
// - k = 1: exactly round(x / q_last), ties up;
// - k > 1: floor((x + floor(P/2)) / P) - u for an integer 0 <= u < k (P the dropped product),
// both taken modulo the kept product Q' (the result is a residue polynomial over Q').

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  divideRoundByLastPrimes, generateNttPrimes, polyFromBigInts, polyToBigInts, toCoefficients, toNtt,
} from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { vectorOf } from "../helpers/arbitraries.js";
import { floorDiv, mod, productBig } from "../helpers/reference.js";
import { ringFor } from "../helpers/rings.js";

/** Distinct NTT-friendly primes for N up to 2^5: near 2^30, 2^28 and 2^20. */
const chainPrimes: readonly number[] = [
  ...generateNttPrimes({ logN: 5, bits: 30, count: 3 }),
  ...generateNttPrimes({ logN: 5, bits: 28, count: 2 }),
  ...generateNttPrimes({ logN: 5, bits: 20, count: 1 }),
];

type Form = "coefficient" | "ntt";

interface Case {
  primes: number[];
  k: number;
  xs: bigint[];
  form: Form;
}

/** Coefficients in [0, Q) biased toward rounding boundaries of the dropped product P. */
function coefficientArb(primes: readonly number[], k: number): fc.Arbitrary<bigint> {
  const total = productBig(primes);
  const dropped = productBig(primes.slice(primes.length - k));
  const half = dropped / 2n;
  const edges = [0n, 1n, total - 1n, half, half + 1n, dropped - 1n, dropped, dropped + half,
    total - dropped + half, total - half, total - half - 1n, total / 2n];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges.filter((v) => v >= 0n && v < total)), weight: 1 },
    {
      // m P + r with r near P / 2, the rounding boundary
      arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: total / dropped - 1n }), fc.bigInt({ min: -2n, max: 2n }))
        .map(([m, d]) => mod(m * dropped + half + d, total)),
      weight: 1,
    },
    { arbitrary: fc.bigInt({ min: 0n, max: total - 1n }), weight: 3 },
  );
}

function caseArb(n: number, ks: "one" | "many", form: Form): fc.Arbitrary<Case> {
  return fc.shuffledSubarray([...chainPrimes], { minLength: ks === "many" ? 3 : 2, maxLength: 5 })
    .chain((primes) => (ks === "one" ? fc.constant(1) : fc.integer({ min: 2, max: primes.length - 1 }))
      .chain((k) => vectorOf(coefficientArb(primes, k), n).map((xs) => ({ primes, k, xs, form }))));
}

describe.each(kernelBuilds)("divideRoundByLastPrimes (%s build)", (build) => {
  function divide(logN: number, { primes, k, xs, form }: Case): bigint[] {
    const ring = ringFor(build, logN);
    const poly = polyFromBigInts(ring, ring.basis(primes), xs);
    try {
      if (form === "ntt") toNtt(poly);
      divideRoundByLastPrimes(poly, k);
      expect(poly.basis.primes).toEqual(primes.slice(0, primes.length - k));
      expect(poly.isNtt).toBe(form === "ntt");
      toCoefficients(poly);
      return polyToBigInts(poly);
    } finally {
      poly.dispose();
    }
  }

  const forms: readonly Form[] = ["coefficient", "ntt"];

  describe.each(forms)("%s form", (form) => {
    it.each([1, 2, 3, 4, 5])("logN = %i, k = 1: exactly round(x / q_last) mod Q', ties up", (logN) => {
      fc.assert(fc.property(caseArb(2 ** logN, "one", form), (c) => {
        const kept = productBig(c.primes.slice(0, -1));
        const last = BigInt(c.primes.at(-1)!);
        const expected = c.xs.map((x) => mod(floorDiv(2n * x + last, 2n * last), kept));
        expect(divide(logN, c)).toEqual(expected);
      }), { numRuns: logN <= 3 ? 100 : 40 });
    });

    it.each([1, 2, 3, 4, 5])("logN = %i, k > 1: floor((x + floor(P/2)) / P) - u mod Q' with 0 <= u < k", (logN) => {
      fc.assert(fc.property(caseArb(2 ** logN, "many", form), (c) => {
        const split = c.primes.length - c.k;
        const kept = productBig(c.primes.slice(0, split));
        const dropped = productBig(c.primes.slice(split));
        const actual = divide(logN, c);
        c.xs.forEach((x, i) => {
          const rounded = floorDiv(x + dropped / 2n, dropped);
          const u = mod(rounded - actual[i]!, kept);
          expect({ coefficient: i, u: u < BigInt(c.k) ? "in [0, k)" : u }).toEqual({ coefficient: i, u: "in [0, k)" });
        });
      }), { numRuns: logN <= 3 ? 100 : 40 });
    });

    it.each([1, 2, 3])("k = 1..L-1: the zero polynomial of N = 2^%i divides to 0 - u, u in [0, k)", (logN) => {
      const n = 2 ** logN;
      const primes = chainPrimes.slice(0, 4);
      for (let k = 1; k < primes.length; k++) {
        const kept = productBig(primes.slice(0, primes.length - k));
        const actual = divide(logN, { primes, k, xs: new Array<bigint>(n).fill(0n), form });
        // floor((0 + floor(P/2)) / P) = 0, so each coefficient is -u mod Q' for a u in [0, k).
        expect(actual.map((v) => (mod(-v, kept) < BigInt(k) ? "0 - u" : v))).toEqual(new Array<string>(n).fill("0 - u"));
      }
    });
  });

  it.each([1, 2, 3, 4, 5])("logN = %i: NTT form gives exactly the coefficient-form result, for every k", (logN) => {
    const arb = fc.constantFrom<"one" | "many">("one", "many").chain((ks) => caseArb(2 ** logN, ks, "coefficient"));
    fc.assert(fc.property(arb, (c) => {
      expect(divide(logN, { ...c, form: "ntt" })).toEqual(divide(logN, c));
    }), { numRuns: logN <= 3 ? 80 : 30 });
  });
});
