// fast-check arbitraries and prime lists shared by the kernel suites.

import fc from "fast-check";

/**
 * Odd primes below 2^30 for the element-wise kernels, covering many bit lengths (the Barrett
 * shift is the bit length) and both ends of a bit length: 3 (2 bits), ..., 536870923 (just
 * above 2^29), 1073741789 (the largest prime below 2^30).
 */
export const elementwisePrimes: readonly number[] = [
  3, 17, 113, 7681, 12289, 32771, 65521, 65537, 1048573, 8388617, 16777213, 268435459,
  536870909, 536870923, 1073692673, 1073741789,
];

/**
 * NTT-friendly primes (q = 1 mod 2N) with the largest logN they support. The 29/30-bit ones
 * are 1 mod 2^13: 1073692673 (just below 2^30), 536903681 (just above 2^29, 30 bits),
 * 536813569 (just below 2^29), 268460033 (just above 2^28).
 */
export const nttPrimes: readonly { q: number; maxLogN: number }[] = [
  { q: 17, maxLogN: 3 },
  { q: 97, maxLogN: 4 },
  { q: 113, maxLogN: 3 },
  { q: 257, maxLogN: 7 },
  { q: 7681, maxLogN: 8 },
  { q: 12289, maxLogN: 11 },
  { q: 65537, maxLogN: 15 },
  { q: 268460033, maxLogN: 12 },
  { q: 536813569, maxLogN: 12 },
  { q: 536903681, maxLogN: 12 },
  { q: 1073692673, maxLogN: 12 },
];

/** The NTT-friendly primes of {@link nttPrimes} usable at this logN. */
export function nttPrimesFor(logN: number): number[] {
  return nttPrimes.filter((p) => p.maxLogN >= logN).map((p) => p.q);
}

/**
 * Integers in [0, bound) biased toward the edges 0, 1, bound - 1 and the given extra values
 * (clamped to the range).
 */
export function edgy(bound: number, extra: readonly number[] = []): fc.Arbitrary<number> {
  const edges = [0, 1, bound - 1, ...extra].filter((v) => v >= 0 && v < bound);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: bound - 1 }), weight: 3 },
  );
}

/** Residues mod q: [0, q) with edges 0, 1, q - 1, (q - 1) / 2 and (q + 1) / 2. */
export function residue(q: number): fc.Arbitrary<number> {
  return edgy(q, [(q - 1) / 2, (q + 1) / 2]);
}

/** Lazy values in [0, factor * q) with edges at the multiples of q around the bound. */
export function lazyResidue(q: number, factor: number): fc.Arbitrary<number> {
  const edges: number[] = [];
  for (let m = 1; m <= factor; m++) edges.push(m * q - 1, m * q);
  return edgy(factor * q, edges);
}

/** Any u32, biased toward 0, 1, 2^31 and 2^32 - 1. */
export const anyU32: fc.Arbitrary<number> = edgy(2 ** 32, [2 ** 31 - 1, 2 ** 31]);

/** Vectors of exactly n values from `value`. */
export function vectorOf<T>(value: fc.Arbitrary<T>, n: number): fc.Arbitrary<T[]> {
  return fc.array(value, { minLength: n, maxLength: n });
}

/**
 * Vectors of n residues mod q. Besides random vectors (whose entries are biased toward
 * 0, 1, q - 1), yields the all-zero and all-(q - 1) vectors and a single spike.
 */
export function residueVector(q: number, n: number, bound = q): fc.Arbitrary<number[]> {
  return fc.oneof(
    { arbitrary: vectorOf(bound === q ? residue(q) : lazyResidue(q, bound / q), n), weight: 6 },
    { arbitrary: fc.constant(new Array<number>(n).fill(0)), weight: 1 },
    { arbitrary: fc.constant(new Array<number>(n).fill(bound - 1)), weight: 1 },
    {
      arbitrary: fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: bound - 1 }))
        .map(([i, v]) => Array.from({ length: n }, (_, j) => (j === i ? v : 0))),
      weight: 1,
    },
  );
}

/** Lengths for element-wise kernels: 0..37, so most are not multiples of 4. */
export const lengthArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 37 });
