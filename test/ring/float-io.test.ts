import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FheError } from "../../engine/index.js";
import {
  Ring, centeredCoefficients, generateNttPrimes, polyFromBigInts, polyToBigInts, setIntegerCoefficients, toNtt,
} from "../../engine/ring/index.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";
import { mod } from "../helpers/reference.js";

/** Integer-valued doubles with |c| < 2^63, weighted towards the edges of the 32/53/63-bit ranges. */
const integerDouble: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }).map(Number),
  fc.constantFrom(0, -0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 32) + 1, 2 ** 53, -(2 ** 53), 2 ** 62, -(2 ** 62), 2 ** 63 - 2 ** 10, -(2 ** 63) + 2 ** 10),
).filter((c) => Math.abs(c) < 2 ** 63);

function expectFheError(f: () => unknown, code?: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FheError);
  if (code !== undefined) expect((thrown as FheError).code).toBe(code);
  expect((thrown as FheError).message).toMatch(/^cannot /);
}

describe.each(kernelBuilds)("integer coefficients as float64 (%s kernels)", (build) => {
  const heap = heapFor(build);
  const pool = [...generateNttPrimes({ logN: 6, bits: 30, count: 2 }), ...generateNttPrimes({ logN: 6, bits: 20, count: 2 })];

  it("setIntegerCoefficients writes c mod q_i for every |c| < 2^63 (from either form)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((logN) => fc.tuple(fc.constant(logN), fc.array(integerDouble, { minLength: 2 ** logN, maxLength: 2 ** logN }))),
        fc.shuffledSubarray(pool, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        ([logN, values], primes, ntt) => {
          const ring = new Ring({ logN, heap });
          const basis = ring.basis(primes);
          const poly = ring.zero(basis, { ntt });
          setIntegerCoefficients(poly, Float64Array.from(values));
          expect(poly.isNtt).toBe(false);
          const q = basis.product();
          expect(polyToBigInts(poly)).toEqual(values.map((c) => mod(BigInt(c), q)));
          poly.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("centeredCoefficients reads back centered integers from a prefix of the limbs", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: 1, maxLength: 4 }).chain((primes) => fc.tuple(
          fc.constant(primes),
          fc.integer({ min: 1, max: primes.length }),
        )),
        fc.nat(),
        ([primes, limbs], salt) => {
          const ring = new Ring({ logN: 4, heap });
          const basis = ring.basis(primes);
          // |x| up to Q/2 minus the product of the lower primes (see the boundary test below)
          const lower = primes.slice(0, limbs - 1).reduce((acc, p) => acc * BigInt(p), 1n);
          const half = primes.slice(0, limbs).reduce((acc, p) => acc * BigInt(p), 1n) / 2n - lower;
          const values = Array.from({ length: 16 }, (_, i) => {
            const r = BigInt(((salt + 1) * 2654435761 * (i + 1)) % 2 ** 31);
            const choices = [0n, 1n, -1n, half, -half, (half * r) / 2n ** 31n, -(half * r) / 2n ** 31n, -2n];
            return choices[i % choices.length]!;
          });
          const poly = polyFromBigInts(ring, basis, values);
          const indices = [0, 3, 5, 15, 7, 6, 1, 2, 4];
          const read = centeredCoefficients(poly, limbs, indices);
          indices.forEach((index, t) => {
            const exact = Number(values[index]!);
            expect(Math.abs(read[t]! - exact), `coefficient ${index}: ${read[t]} vs ${values[index]}`).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -50);
          });
          poly.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });

  // The sign is taken from the top mixed-radix digit alone (digit > (q_top - 1) / 2), so
  // negative values within (q_0 ... q_{limbs-2}) / 2 of -Q/2 come back as x + Q although the
  // documented precondition |x| < Q/2 holds: -(Q - 1)/2 is read as +(Q + 1)/2.
  it("centeredCoefficients honours |x| < Q/2 up to the boundary", () => {
    const ring = new Ring({ logN: 2, heap });
    const primes = pool.slice(0, 2);
    const basis = ring.basis(primes);
    const q = basis.product();
    const values = [(q - 1n) / 2n, -(q - 1n) / 2n, -(q - 1n) / 2n + BigInt(primes[0]!) / 4n, 0n];
    const poly = polyFromBigInts(ring, basis, values);
    const read = centeredCoefficients(poly, 2, [0, 1, 2, 3]);
    values.forEach((x, i) => {
      expect(Math.abs(read[i]! - Number(x)), `coefficient ${i}: read ${read[i]} for ${x}`).toBeLessThanOrEqual(Math.abs(Number(x)) * 2 ** -50);
    });
    poly.dispose();
  });

  it("round-trips small integers exactly", () => {
    const ring = new Ring({ logN: 5, heap });
    const basis = ring.basis(pool.slice(0, 3));
    const poly = ring.allocate(basis);
    const values = Float64Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 1 : -1) * i ** 7);
    setIntegerCoefficients(poly, values);
    expect(Array.from(centeredCoefficients(poly, 3, Array.from({ length: 32 }, (_, i) => i)))).toEqual(Array.from(values));
    poly.dispose();
  });

  it("rejects wrong lengths and types, and NTT-form input to centeredCoefficients", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.allocate(ring.basis(pool.slice(0, 2)));
    for (const values of [new Float64Array(15), new Float64Array(17), new Float32Array(16), Array.from({ length: 16 }, () => 0), null]) {
      expectFheError(() => setIntegerCoefficients(poly, values as never), "INVALID_ARGUMENT");
    }
    toNtt(poly);
    expectFheError(() => centeredCoefficients(poly, 1, [0]), "MISMATCHED_OPERANDS");
    expectFheError(() => setIntegerCoefficients({} as never, new Float64Array(16)), "INVALID_ARGUMENT");
    poly.dispose();
    expectFheError(() => setIntegerCoefficients(poly, new Float64Array(16)), "DISPOSED");
  });

  // `limbs` is not checked: 3 limbs of a 2-limb polynomial or 1.5 throw a TypeError from
  // subBasis.moduli[j] being undefined.
  it("rejects a limb count outside [1, number of limbs]", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.zero(ring.basis(pool.slice(0, 2)));
    for (const limbs of [0, 3, 1.5, -1, Number.NaN]) {
      expectFheError(() => centeredCoefficients(poly, limbs, [0]), "INVALID_ARGUMENT");
    }
    poly.dispose();
  });

  // Indices are not checked: index N or -1 reads words outside the scratch digits (other heap
  // data) and returns a meaningless value instead of throwing.
  it("rejects coefficient indices outside [0, N)", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.zero(ring.basis(pool.slice(0, 2)));
    for (const index of [16, 99, -1, 0.5]) {
      expectFheError(() => centeredCoefficients(poly, 2, [index]), "INVALID_ARGUMENT");
    }
    poly.dispose();
  });

  // The |c| < 2^63 integer precondition is not checked: NaN, infinities, 2^64 and 0.5 are
  // silently written as some residue (2^64 becomes 0, NaN a garbage value).
  it("rejects non-integer or out-of-range coefficients in setIntegerCoefficients", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.zero(ring.basis(pool.slice(0, 2)));
    for (const bad of [Number.NaN, Infinity, -Infinity, 2 ** 63, 2 ** 64, -(2 ** 70), 0.5]) {
      const values = new Float64Array(16);
      values[3] = bad;
      expectFheError(() => setIntegerCoefficients(poly, values), "INVALID_ARGUMENT");
    }
    poly.dispose();
  });
});
