// Fast base conversion: the baseConvertSum kernel against its BigInt sum, and the whole
// conversion (BasisConverter.convertLimbs: mulScalarShoup then baseConvertSum) against CRT:
// every output y_j = x + u Q mod p_j for ONE integer u in [0, nIn) shared by all j.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BasisConverter, generateNttPrimes } from "../../engine/ring/index.js";
import { shoupCompanion } from "../../engine/ring/modular.js";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { anyU32, elementwisePrimes, vectorOf } from "../helpers/arbitraries.js";
import { crtBig, inverseBig, mod, productBig } from "../helpers/reference.js";
import { ringFor } from "../helpers/rings.js";
import { runOnBuffers, untouchedGuards, withScratch } from "../helpers/scratch.js";

/** Distinct NTT-friendly primes for N up to 2^5 of several sizes (30, 26, 20 and 12 bits). */
const convertPrimes: readonly number[] = [
  ...generateNttPrimes({ logN: 5, bits: 30, count: 4 }),
  ...generateNttPrimes({ logN: 5, bits: 26, count: 2 }),
  ...generateNttPrimes({ logN: 5, bits: 20, count: 2 }),
  ...generateNttPrimes({ logN: 5, bits: 12, count: 1 }),
];

/** Disjoint source and target bases drawn from `primes`. */
function basesArb(primes: readonly number[], maxIn: number, maxOut: number): fc.Arbitrary<{ from: number[]; to: number[] }> {
  return fc.shuffledSubarray([...primes], { minLength: 2, maxLength: maxIn + maxOut })
    .chain((chosen) => fc.integer({ min: 1, max: Math.min(maxIn, chosen.length - 1) })
      .map((split) => ({ from: chosen.slice(0, split), to: chosen.slice(split, split + maxOut) })));
}

/** Integers in [0, Q) biased toward 0, 1, Q - 1, floor(Q/2) and multiples of a prime. */
function bigResidue(bound: bigint, primes: readonly number[]): fc.Arbitrary<bigint> {
  const edges = [0n, 1n, bound - 1n, bound / 2n, (bound / 2n) + 1n, ...primes.map((p) => BigInt(p)), bound - BigInt(primes[0]!)]
    .filter((v) => v >= 0n && v < bound);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: fc.bigInt({ min: 0n, max: bound - 1n }), weight: 3 },
  );
}

describe.each(kernelBuilds)("baseConvertSum kernel (%s build)", (build) => {
  const heap = heapFor(build);

  it("out_j = sum_i t_i c_ij mod p_j for any u32 t_i, c_ij in [0, p_j), lengths not multiples of 4", () => {
    const arb = fc.record({
      n: fc.integer({ min: 0, max: 21 }),
      nIn: fc.integer({ min: 1, max: 6 }),
      outPrimes: fc.shuffledSubarray([...elementwisePrimes], { minLength: 1, maxLength: 4 }),
    }).chain(({ n, nIn, outPrimes }) => fc.record({
      t: vectorOf(anyU32, n * nIn),
      c: fc.tuple(...outPrimes.map((p) => vectorOf(fc.oneof(fc.constantFrom(0, 1, p - 1), fc.integer({ min: 0, max: p - 1 })), nIn))),
    }).map(({ t, c }) => ({ n, nIn, outPrimes, t, c })));
    fc.assert(fc.property(arb, ({ n, nIn, outPrimes, t, c }) => {
      const nOut = outPrimes.length;
      const table: number[] = [];
      c.forEach((row, j) => row.forEach((cij) => table.push(cij, shoupCompanion(cij, outPrimes[j]!))));
      const garbage = new Array<number>(n * nOut).fill(0xdeadbeef);
      const out = runOnBuffers(heap, [t, outPrimes, table, garbage], 3,
        ([pt, pp, ptab, po]) => heap.kernels.baseConvertSum(po!, pt!, n, nIn, nOut, pp!, ptab!));
      const expected: number[] = [];
      outPrimes.forEach((p, j) => {
        for (let x = 0; x < n; x++) {
          let sum = 0n;
          for (let i = 0; i < nIn; i++) sum += BigInt(t[i * n + x]!) * BigInt(c[j]![i]!);
          expected.push(Number(mod(sum, BigInt(p))));
        }
      });
      expect(out).toEqual(expected);
    }), { numRuns: 500 });
  });

  it("the extreme accumulation: t_i = 2^32 - 1 and c_ij = p_j - 1 for six input limbs", () => {
    for (const p of elementwisePrimes) {
      const n = 7;
      const nIn = 6;
      const t = new Array<number>(n * nIn).fill(2 ** 32 - 1);
      const table = new Array<number>(nIn).fill(0).flatMap(() => [p - 1, shoupCompanion(p - 1, p)]);
      const out = runOnBuffers(heap, [t, [p], table, new Array<number>(n).fill(0)], 3,
        ([pt, pp, ptab, po]) => heap.kernels.baseConvertSum(po!, pt!, n, nIn, 1, pp!, ptab!));
      const expected = Number(mod(BigInt(nIn) * (2n ** 32n - 1n) * BigInt(p - 1), BigInt(p)));
      expect(out).toEqual(new Array<number>(n).fill(expected));
    }
  });
});

describe.each(kernelBuilds)("BasisConverter.convertLimbs (%s build)", (build) => {
  it.each([1, 2, 3, 5])("logN = %i: y_j = x + u Q mod p_j for one u in [0, nIn), equal to the exact fast conversion", (logN) => {
    const ring = ringFor(build, logN);
    const n = ring.n;
    const arb = basesArb(convertPrimes, 5, 4).chain(({ from, to }) =>
      vectorOf(bigResidue(productBig(from), from), n).map((xs) => ({ from, to, xs })));
    fc.assert(fc.property(arb, ({ from, to, xs }) => {
      const converter = BasisConverter.of(ring, ring.basis(from), ring.basis(to));
      const product = productBig(from);
      const input = from.flatMap((q) => xs.map((x) => Number(mod(x, BigInt(q)))));
      const out = withScratch(ring.heap, (s) => {
        const pin = s.put(input);
        const pout = s.alloc(n * to.length);
        converter.convertLimbs(pout, pin);
        expect(s.guards(pout)).toEqual(untouchedGuards);
        expect(s.read(pin, input.length)).toEqual(input);
        return s.read(pout, n * to.length);
      });
      xs.forEach((x, c) => {
        expect(crtBig(from.map((q) => mod(x, BigInt(q))), from)).toBe(x);
        // The exact fast conversion S = sum_i [x_i (Q/q_i)^-1]_{q_i} (Q/q_i) = x + u Q.
        let sum = 0n;
        from.forEach((q) => {
          const qb = BigInt(q);
          const hat = product / qb;
          sum += mod(mod(x, qb) * inverseBig(hat % qb, qb), qb) * hat;
        });
        const u = (sum - x) / product;
        expect((sum - x) % product).toBe(0n);
        expect(u >= 0n && u < BigInt(from.length)).toBe(true);
        const actual = to.map((_, j) => out[j * n + c]!);
        expect(actual).toEqual(to.map((p) => Number(mod(sum, BigInt(p)))));
        // Stated without the reference sum: one u in [0, nIn) explains every output.
        const candidates = Array.from({ length: from.length }, (_, v) => BigInt(v)).filter((v) =>
          to.every((p, j) => BigInt(actual[j]!) === mod(x + v * product, BigInt(p))));
        expect(candidates.length).toBeGreaterThan(0);
      });
    }), { numRuns: logN <= 2 ? 200 : 60 });
  });
});
