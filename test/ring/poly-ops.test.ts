import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  Ring, RnsPoly, add, addScalar, automorphism, clone, conjugationGaloisElement, convertBasis, copy,
  divideRoundByLastPrimes, fillUniform, generateNttPrimes, mulCoeffs, mulCoeffsAdd, mulScalar, neg, polyFromBigInts,
  polyToBigInts, readLimb, rotationGaloisElement, sub, toCoefficients, toNtt, writeLimb, type RnsBasis,
} from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";
import { ringFor } from "../helpers/rings.js";
import { mod, negacyclicProduct, powBig } from "../helpers/reference.js";

// Every prime is 1 mod 2^9, so it serves every N up to 2^8. Sizes vary to exercise the
// Barrett and Shoup constants: two 30-bit primes, one of 26, 17 and 13 bits.
const pool: readonly number[] = [
  ...generateNttPrimes({ logN: 8, bits: 30, count: 2 }),
  ...generateNttPrimes({ logN: 8, bits: 26, count: 1 }),
  ...generateNttPrimes({ logN: 8, bits: 17, count: 1 }),
  ...generateNttPrimes({ logN: 8, bits: 13, count: 1 }),
];


interface Setup {
  readonly logN: number;
  readonly primes: number[];
}

const setupArbitrary: fc.Arbitrary<Setup> = fc.record({
  logN: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 8 }), fc.integer({ min: 6, max: 8 })),
  primes: fc.shuffledSubarray([...pool], { minLength: 2, maxLength: 4 }),
});

/** Coefficients of any sign and size, with the edge values 0, +-1, Q - 1 and Q. */
function coefficientArbitrary(q: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.bigInt({ min: 0n, max: q - 1n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -1n, q - 1n, q, -q) },
  );
}

function polysArbitrary(count: number): fc.Arbitrary<{ setup: Setup; values: bigint[][] }> {
  return setupArbitrary.chain((setup) => {
    const n = 2 ** setup.logN;
    const q = setup.primes.reduce((acc, p) => acc * BigInt(p), 1n);
    const poly = fc.array(coefficientArbitrary(q), { minLength: n, maxLength: n });
    return fc.record({ setup: fc.constant(setup), values: fc.array(poly, { minLength: count, maxLength: count }) });
  });
}

function oddGaloisArbitrary(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: -2000, max: 2000 }),
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.constantFrom(1, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  ).map((k) => (k % 2 === 0 ? k + 1 : k));
}

/** a(X^k) mod (X^N + 1, Q), coefficient by coefficient. */
function automorphismReference(a: readonly bigint[], k: number, q: bigint): bigint[] {
  const n = a.length;
  const twoN = BigInt(2 * n);
  const out = new Array<bigint>(n).fill(0n);
  const kk = ((BigInt(k) % twoN) + twoN) % twoN;
  a.forEach((c, i) => {
    const target = Number((BigInt(i) * kk) % twoN);
    if (target < n) out[target] = mod(c, q);
    else out[target - n] = mod(-c, q);
  });
  return out;
}

function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}

const reduce = (values: readonly bigint[], q: bigint): bigint[] => values.map((v) => mod(v, q));

describe.each(kernelBuilds)("ring operations match BigInt references (%s kernels)", (build) => {
  interface Context {
    ring: Ring;
    basis: RnsBasis;
    q: bigint;
    polys: RnsPoly[];
    values: bigint[][];
  }

  /** Builds the operands, runs `body`, and disposes everything afterwards. */
  function withPolys(setup: Setup, values: bigint[][], body: (context: Context) => void): void {
    const ring = ringFor(build, setup.logN);
    const basis = ring.basis(setup.primes);
    const polys = values.map((v) => polyFromBigInts(ring, basis, v));
    try {
      body({ ring, basis, q: basis.product(), polys, values });
    } finally {
      for (const poly of polys) poly.dispose();
    }
  }

  it("round-trips coefficients through polyFromBigInts / polyToBigInts and limbs through writeLimb / readLimb", () => {
    fc.assert(
      fc.property(polysArbitrary(1), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          expect(polyToBigInts(a!)).toEqual(reduce(values[0]!, q));
          basis.primes.forEach((p, i) => {
            const limb = readLimb(a!, i);
            expect(Array.from(limb)).toEqual(values[0]!.map((v) => Number(mod(v, BigInt(p)))));
            const other = ring.allocate(basis);
            basis.primes.forEach((_, j) => writeLimb(other, j, readLimb(a!, j)));
            expect(polyToBigInts(other)).toEqual(polyToBigInts(a!));
            other.dispose();
          });
        });
      }),
      { numRuns: 30 },
    );
  });

  it("adds, subtracts and negates in coefficient form (with aliasing)", () => {
    fc.assert(
      fc.property(polysArbitrary(2), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a, b] }) => {
          const [x, y] = values as [bigint[], bigint[]];
          const out = ring.allocate(basis);
          add(out, a!, b!);
          expect(out.isNtt).toBe(false);
          expect(polyToBigInts(out)).toEqual(x.map((v, i) => mod(v + y[i]!, q)));
          sub(out, a!, b!);
          expect(polyToBigInts(out)).toEqual(x.map((v, i) => mod(v - y[i]!, q)));
          neg(out, a!);
          expect(polyToBigInts(out)).toEqual(x.map((v) => mod(-v, q)));
          // out aliasing an input
          sub(a!, a!, b!);
          expect(polyToBigInts(a!)).toEqual(x.map((v, i) => mod(v - y[i]!, q)));
          add(b!, a!, b!);
          expect(polyToBigInts(b!)).toEqual(reduce(x, q));
          neg(b!, b!);
          expect(polyToBigInts(b!)).toEqual(x.map((v) => mod(-v, q)));
          add(b!, b!, b!);
          expect(polyToBigInts(b!)).toEqual(x.map((v) => mod(-2n * v, q)));
          out.dispose();
        });
      }),
      { numRuns: 40 },
    );
  });

  it("adds, subtracts and negates in NTT form", () => {
    fc.assert(
      fc.property(polysArbitrary(2), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a, b] }) => {
          const [x, y] = values as [bigint[], bigint[]];
          toNtt(a!);
          toNtt(b!);
          const out = ring.allocate(basis);
          for (const [operation, expected] of [
            [() => add(out, a!, b!), x.map((v, i) => mod(v + y[i]!, q))],
            [() => sub(out, a!, b!), x.map((v, i) => mod(v - y[i]!, q))],
            [() => neg(out, b!), y.map((v) => mod(-v, q))],
          ] as const) {
            operation();
            expect(out.isNtt).toBe(true);
            toCoefficients(out);
            expect(polyToBigInts(out)).toEqual(expected);
          }
          out.dispose();
        });
      }),
      { numRuns: 30 },
    );
  });

  it("multiplies in the ring: mulCoeffs on NTT forms is the negacyclic product mod Q", () => {
    fc.assert(
      fc.property(polysArbitrary(2), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a, b] }) => {
          const [x, y] = values as [bigint[], bigint[]];
          const expected = negacyclicProduct(reduce(x, q), reduce(y, q), q);
          toNtt(a!);
          toNtt(b!);
          const out = ring.allocate(basis);
          mulCoeffs(out, a!, b!);
          expect(out.isNtt).toBe(true);
          toCoefficients(out);
          expect(polyToBigInts(out)).toEqual(expected);
          // in place: a <- a * b
          mulCoeffs(a!, a!, b!);
          toCoefficients(a!);
          expect(polyToBigInts(a!)).toEqual(expected);
          out.dispose();
        });
      }),
      { numRuns: 25 },
    );
  });

  it("squares in place (all three operands the same polynomial)", () => {
    fc.assert(
      fc.property(polysArbitrary(1), ({ setup, values }) => {
        withPolys(setup, values, ({ q, polys: [a] }) => {
          const x = reduce(values[0]!, q);
          toNtt(a!);
          mulCoeffs(a!, a!, a!);
          toCoefficients(a!);
          expect(polyToBigInts(a!)).toEqual(negacyclicProduct(x, x, q));
        });
      }),
      { numRuns: 15 },
    );
  });

  it("fuses multiply-add: mulCoeffsAdd(out, a, b) is out + a * b", () => {
    fc.assert(
      fc.property(polysArbitrary(3), ({ setup, values }) => {
        withPolys(setup, values, ({ q, polys: [a, b, c] }) => {
          const [x, y, z] = values as [bigint[], bigint[], bigint[]];
          const product = negacyclicProduct(reduce(x, q), reduce(y, q), q);
          for (const poly of [a!, b!, c!]) toNtt(poly);
          mulCoeffsAdd(c!, a!, b!);
          expect(c!.isNtt).toBe(true);
          toCoefficients(c!);
          expect(polyToBigInts(c!)).toEqual(product.map((v, i) => mod(v + z[i]!, q)));
        });
      }),
      { numRuns: 25 },
    );
  });

  it("multiplies by integer constants of any sign and size, in both forms", () => {
    const constant = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
      fc.constantFrom<bigint | number>(0, 1, -1, 0n, -1n, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(polysArbitrary(1), constant, fc.boolean(), fc.boolean(), ({ setup, values }, c, ntt, inPlace) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          const expected = values[0]!.map((v) => mod(v * BigInt(c), q));
          if (ntt) toNtt(a!);
          const out = inPlace ? a! : ring.allocate(basis);
          mulScalar(out, a!, c);
          expect(out.isNtt).toBe(ntt);
          toCoefficients(out);
          expect(polyToBigInts(out)).toEqual(expected);
          if (!inPlace) out.dispose();
        });
      }),
      { numRuns: 60 },
    );
  });

  it("multiplies by Q, -Q and multiples of single primes", () => {
    fc.assert(
      fc.property(polysArbitrary(1), fc.nat(3), fc.bigInt({ min: -5n, max: 5n }), ({ setup, values }, pick, factor) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          const p = BigInt(basis.primes[pick % basis.size]!);
          for (const c of [q, -q, p * factor, q * factor + 1n]) {
            const out = ring.allocate(basis);
            mulScalar(out, a!, c);
            expect(polyToBigInts(out)).toEqual(values[0]!.map((v) => mod(v * c, q)));
            out.dispose();
          }
        });
      }),
      { numRuns: 20 },
    );
  });

  it("adds integer constants to the constant coefficient, in both forms and with or without aliasing", () => {
    const constant = fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }));
    fc.assert(
      fc.property(polysArbitrary(1), constant, fc.boolean(), fc.boolean(), ({ setup, values }, c, ntt, inPlace) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          const expected = reduce(values[0]!, q);
          expected[0] = mod(expected[0]! + BigInt(c), q);
          if (ntt) toNtt(a!);
          const out = inPlace ? a! : ring.allocate(basis);
          addScalar(out, a!, c);
          expect(out.isNtt).toBe(ntt);
          toCoefficients(out);
          expect(polyToBigInts(out)).toEqual(expected);
          if (!inPlace) {
            // the input is unchanged
            toCoefficients(a!);
            expect(polyToBigInts(a!)).toEqual(reduce(values[0]!, q));
            out.dispose();
          }
        });
      }),
      { numRuns: 50 },
    );
  });

  it("copies and clones (contents, form and secrecy; the copy is independent)", () => {
    fc.assert(
      fc.property(polysArbitrary(2), fc.boolean(), ({ setup, values }, ntt) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a, b] }) => {
          if (ntt) toNtt(a!);
          const twin = clone(a!);
          expect(twin).not.toBe(a);
          expect(twin.isNtt).toBe(ntt);
          expect(twin.basis).toBe(basis);
          expect(twin.limbAddress(0)).not.toBe(a!.limbAddress(0));
          copy(b!, a!);
          expect(b!.isNtt).toBe(ntt);
          neg(a!, a!); // must not affect the copies
          for (const poly of [twin, b!]) {
            toCoefficients(poly);
            expect(polyToBigInts(poly)).toEqual(reduce(values[0]!, q));
          }
          copy(a!, a!); // a no-op
          toCoefficients(a!);
          expect(polyToBigInts(a!)).toEqual(values[0]!.map((v) => mod(-v, q)));
          twin.dispose();
          const secret = ring.allocate(basis, { secret: true });
          copy(secret, a!);
          const secretTwin = clone(secret);
          expect(secretTwin.secret).toBe(true);
          expect(polyToBigInts(secretTwin)).toEqual(polyToBigInts(a!));
          secret.dispose();
          secretTwin.dispose();
        });
      }),
      { numRuns: 25 },
    );
  });

  it("round-trips through the NTT, and toNtt / toCoefficients are idempotent", () => {
    fc.assert(
      fc.property(polysArbitrary(1), ({ setup, values }) => {
        withPolys(setup, values, ({ q, polys: [a] }) => {
          toNtt(a!);
          expect(a!.isNtt).toBe(true);
          const evaluations = a!.basis.primes.map((_, i) => readLimb(a!, i));
          toNtt(a!); // no-op
          a!.basis.primes.forEach((p, i) => {
            const limb = readLimb(a!, i);
            expect(limb).toEqual(evaluations[i]);
            expect(limb.every((v) => v < p)).toBe(true);
          });
          toCoefficients(a!);
          expect(a!.isNtt).toBe(false);
          toCoefficients(a!); // no-op
          expect(polyToBigInts(a!)).toEqual(reduce(values[0]!, q));
        });
      }),
      { numRuns: 40 },
    );
  });

  it("puts a(psi^(2 bitrev(i) + 1)) in NTT slot i, psi the ring's minimal primitive 2N-th root", () => {
    fc.assert(
      fc.property(polysArbitrary(1), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, polys: [a] }) => {
          const n = ring.n;
          toNtt(a!);
          a!.basis.primes.forEach((p, limb) => {
            const prime = BigInt(p);
            const psi = BigInt(ring.modulus(p).psi);
            expect(powBig(psi, BigInt(n), prime)).toBe(prime - 1n);
            const coefficients = reduce(values[0]!, prime);
            const slots = readLimb(a!, limb);
            for (let i = 0; i < n; i++) {
              const point = powBig(psi, BigInt(2 * bitReverse(i, ring.logN) + 1), prime);
              let value = 0n;
              let power = 1n;
              for (const c of coefficients) {
                value += c * power;
                power = (power * point) % prime;
              }
              expect(slots[i], `slot ${i} mod ${p}`).toBe(Number(value % prime));
            }
          });
        });
      }),
      { numRuns: 10 },
    );
  });

  it("applies automorphisms X -> X^k in coefficient form", () => {
    fc.assert(
      fc.property(polysArbitrary(1), oddGaloisArbitrary(), ({ setup, values }, k) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          const out = ring.allocate(basis);
          automorphism(out, a!, k);
          expect(out.isNtt).toBe(false);
          expect(polyToBigInts(out)).toEqual(automorphismReference(values[0]!, k, q));
          expect(polyToBigInts(a!)).toEqual(reduce(values[0]!, q)); // input untouched
          out.dispose();
        });
      }),
      { numRuns: 40 },
    );
  });

  it("applies automorphisms X -> X^k in NTT form", () => {
    fc.assert(
      fc.property(polysArbitrary(1), oddGaloisArbitrary(), ({ setup, values }, k) => {
        withPolys(setup, values, ({ ring, basis, q, polys: [a] }) => {
          toNtt(a!);
          const out = ring.allocate(basis);
          automorphism(out, a!, k);
          expect(out.isNtt).toBe(true);
          toCoefficients(out);
          expect(polyToBigInts(out)).toEqual(automorphismReference(values[0]!, k, q));
          out.dispose();
        });
      }),
      { numRuns: 40 },
    );
  });

  it("composes automorphisms: (X^k1)^k2 = X^(k1 k2)", () => {
    fc.assert(
      fc.property(polysArbitrary(1), oddGaloisArbitrary(), oddGaloisArbitrary(), fc.boolean(), ({ setup, values }, k1, k2, ntt) => {
        withPolys(setup, values, ({ ring, basis, polys: [a] }) => {
          const twoN = 2n * BigInt(ring.n);
          const combined = Number((((BigInt(k1) * BigInt(k2)) % twoN) + twoN) % twoN);
          if (ntt) toNtt(a!);
          const once = ring.allocate(basis);
          const twice = ring.allocate(basis);
          const direct = ring.allocate(basis);
          automorphism(once, a!, k1);
          automorphism(twice, once, k2);
          automorphism(direct, a!, combined);
          toCoefficients(twice);
          toCoefficients(direct);
          expect(polyToBigInts(twice)).toEqual(polyToBigInts(direct));
          for (const poly of [once, twice, direct]) poly.dispose();
        });
      }),
      { numRuns: 20 },
    );
  });

  it("computes rotation and conjugation Galois elements", () => {
    for (const logN of [2, 3, 6, 10, 16]) {
      const n = 2 ** logN;
      const twoN = BigInt(2 * n);
      expect(conjugationGaloisElement(n)).toBe(2 * n - 1);
      for (const steps of [0, 1, 2, 3, -1, -2, n / 2 - 1, n / 2, n, 12345, -12345]) {
        const slots = BigInt(n / 2);
        const exponent = ((BigInt(steps) % slots) + slots) % slots;
        expect(rotationGaloisElement(n, steps), `N = ${n}, steps = ${steps}`).toBe(Number(powBig(5n, exponent, twoN)));
      }
    }
  });

  it("divides by the last prime with exact rounding (k = 1), in both forms", () => {
    fc.assert(
      fc.property(polysArbitrary(1), fc.boolean(), ({ setup, values }, ntt) => {
        withPolys(setup, values, ({ basis, q, polys: [a] }) => {
          const last = BigInt(basis.primes[basis.size - 1]!);
          const kept = q / last;
          const expected = reduce(values[0]!, q).map((x) => mod((2n * x + last) / (2n * last), kept)); // round(x / last)
          if (ntt) toNtt(a!);
          divideRoundByLastPrimes(a!);
          expect(a!.basis.primes).toEqual(basis.primes.slice(0, -1));
          expect(a!.isNtt).toBe(ntt);
          toCoefficients(a!);
          expect(polyToBigInts(a!)).toEqual(expected);
        });
      }),
      { numRuns: 40 },
    );
  });

  /** Checks divideRoundByLastPrimes(poly, k) against floor((x + floor(P/2)) / P) - u, 0 <= u < k. */
  function checkDivision(setup: Setup, values: bigint[][], pick: number, ntt: boolean): void {
    withPolys(setup, values, ({ basis, q, polys: [a] }) => {
      const k = 2 + (pick % (basis.size - 2));
      const p = basis.primes.slice(basis.size - k).reduce((acc, x) => acc * BigInt(x), 1n);
      const kept = q / p;
      if (ntt) toNtt(a!);
      divideRoundByLastPrimes(a!, k);
      expect(a!.basis.size).toBe(basis.size - k);
      expect(a!.isNtt).toBe(ntt);
      toCoefficients(a!);
      const result = polyToBigInts(a!);
      reduce(values[0]!, q).forEach((x, i) => {
        const exact = (x + p / 2n) / p; // floor((x + floor(P/2)) / P)
        const u = mod(exact - result[i]!, kept);
        expect(u >= 0n && u < BigInt(k), `coefficient ${i}: error ${u} (k = ${k})`).toBe(true);
      });
    });
  }

  const atLeastThreePrimes = polysArbitrary(1).filter(({ setup }) => setup.primes.length >= 3);

  it("divides by several last primes up to the documented error (k > 1, coefficient form)", () => {
    fc.assert(
      fc.property(atLeastThreePrimes, fc.nat(), ({ setup, values }, pick) => checkDivision(setup, values, pick, false)),
      { numRuns: 30 },
    );
  });

  // In NTT form floor(P/2) is added to every NTT slot of the kept limbs, which adds it to the
  // constant coefficient only; every other coefficient is off by -floor(P/2) * P^-1 mod Q'.
  it("divides by several last primes up to the documented error (k > 1, NTT form)", () => {
    fc.assert(
      fc.property(atLeastThreePrimes, fc.nat(), ({ setup, values }, pick) => checkDivision(setup, values, pick, true)),
      { numRuns: 30 },
    );
  });

  it("divides the zero polynomial in NTT form by two primes to (almost) zero", () => {
    const ring = ringFor(build, 4);
    const basis = ring.basis(pool.slice(0, 3));
    const poly = ring.zero(basis, { ntt: true });
    divideRoundByLastPrimes(poly, 2);
    toCoefficients(poly);
    const kept = BigInt(pool[0]!);
    // floor((0 + floor(P/2)) / P) - u = -u with u in {0, 1}
    for (const c of polyToBigInts(poly)) expect([0n, kept - 1n]).toContain(c);
    poly.dispose();
  });

  it("converts bases approximately: x + u Q with 0 <= u < number of source primes", () => {
    fc.assert(
      fc.property(polysArbitrary(1).filter(({ setup }) => setup.primes.length <= 3), ({ setup, values }) => {
        withPolys(setup, values, ({ ring, q, polys: [a] }) => {
          const targetPrimes = pool.filter((p) => !setup.primes.includes(p));
          const target = ring.basis(targetPrimes);
          const out = ring.allocate(target, { ntt: true });
          convertBasis(out, a!);
          expect(out.isNtt).toBe(false);
          const size = BigInt(setup.primes.length);
          target.primes.forEach((p, j) => {
            const limb = readLimb(out, j);
            reduce(values[0]!, q).forEach((x, i) => {
              let matched = false;
              for (let u = 0n; u < size && !matched; u++) matched = mod(x + u * q, BigInt(p)) === BigInt(limb[i]!);
              expect(matched, `coefficient ${i} mod ${p}`).toBe(true);
            });
          });
          out.dispose();
        });
      }),
      { numRuns: 25 },
    );
  });

  it("creates zero polynomials and caches bases", () => {
    const ring = ringFor(build, 6);
    const primes = pool.slice(0, 3);
    const basis = ring.basis(primes);
    expect(ring.basis([...primes])).toBe(basis);
    expect(basis.primes).toEqual(primes);
    expect(basis.size).toBe(3);
    expect(basis.product()).toBe(primes.reduce((acc, p) => acc * BigInt(p), 1n));
    expect(Object.isFrozen(basis.primes)).toBe(true);
    const dirty = ring.allocate(basis);
    fillUniform(dirty); // its block is recycled by zero() below
    dirty.dispose();
    const zero = ring.zero(basis, { ntt: true });
    expect(zero.isNtt).toBe(true);
    basis.primes.forEach((_, i) => expect(readLimb(zero, i).every((v) => v === 0)).toBe(true));
    zero.dispose();
  });
});
