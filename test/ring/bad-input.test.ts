import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { FheError, WasmHeap, type FheErrorCode, type KernelBuild } from "../../engine/index.js";
import {
  Modulus, Ring, RnsPoly, SeededStream, add, addScalar, automorphism, clone, convertBasis, copy,
  divideRoundByLastPrimes, fillUniform, generateNttPrimes, kernelBuildEnvVariable, mulCoeffs, mulCoeffsAdd,
  mulScalar, neg, polyFromBigInts, polyFromSmall, polyToBigInts, readLimb, resolveKernelBuild, sampleGaussian,
  sampleTernary, sampleTernaryFixedWeight, sub, toCoefficients, toNtt, writeLimb, type RnsBasis,
} from "../../engine/ring/index.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";

/** Runs f, requires an FheError with `code` whose message starts "cannot <operation>: ", and returns it. */
function expectFheError(f: () => unknown, code?: FheErrorCode, operation?: string): FheError {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected an FheError").toBeInstanceOf(FheError);
  const error = thrown as FheError;
  expect(error.name).toBe("FheError");
  if (code !== undefined) expect(error.code).toBe(code);
  expect(error.message).toMatch(/^cannot [a-zA-Z]/);
  if (operation !== undefined) expect(error.message.startsWith(`cannot ${operation}: `), error.message).toBe(true);
  return error;
}

/** Runs f; it may succeed, but if it throws, the error must be an FheError. */
function onlyFheErrors(f: () => unknown): void {
  try {
    const result = f();
    if (result instanceof RnsPoly) result.dispose();
  } catch (error) {
    if (!(error instanceof FheError)) {
      throw new Error(`expected an FheError, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    }
  }
}

/** Small junk values: wrong types and out-of-range numbers, none of them huge. */
const smallJunk = fc.oneof(
  fc.constantFrom<unknown>(
    null, undefined, Number.NaN, Infinity, -Infinity, -1, 0, 1.5, -0.5, 2 ** 53, "12", "", "abc", 12n, true,
    {}, [], [1, 2], () => 1, new Uint8Array(4), new Int32Array(3),
  ),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e4, max: 1e4 }),
  fc.string({ maxLength: 8 }),
);

/** True when `${v}` works; values without a primitive conversion are covered by their own test. */
function printable(v: unknown): boolean {
  try {
    return typeof `${v as string}` === "string";
  } catch {
    return false;
  }
}

/**
 * fc.anything without numbers or numeric strings large enough to request gigabytes, and without
 * values that cannot be converted to a string (see "formats every junk value in its error message").
 */
const boundedAnything = fc.anything().filter((v) => {
  const n = typeof v === "string" ? Number(v) : typeof v === "bigint" ? Number(v) : v;
  return !(typeof n === "number" && Math.abs(n) > 1e5) && printable(v);
});

interface Fixture {
  heap: WasmHeap;
  ring: Ring;
  primes: number[];
  basis: RnsBasis;
  wide: RnsBasis;
  otherRing: Ring;
  otherBasis: RnsBasis;
  live: (options?: { ntt?: boolean; secret?: boolean }) => RnsPoly;
}

/** A ring with N = 64 over 28-bit primes, a 2- and a 3-prime basis, and a second ring with the same primes. */
function fixture(build: KernelBuild): Fixture {
  const heap = heapFor(build);
  const ring = new Ring({ logN: 6, heap });
  const primes = generateNttPrimes({ logN: 6, bits: 28, count: 4 });
  const basis = ring.basis(primes.slice(0, 2));
  const otherRing = new Ring({ logN: 6, heap });
  return {
    heap, ring, primes, basis,
    wide: ring.basis(primes.slice(0, 3)),
    otherRing,
    otherBasis: otherRing.basis(primes.slice(0, 2)),
    live: (options = {}) => {
      const poly = ring.allocate(basis, options);
      fillUniform(poly);
      return poly;
    },
  };
}

describe("rings and bases: bad input is answered with FheError", () => {
  const { heap, ring, primes, basis, otherBasis } = fixture("scalar");

  it("rejects a bad logN", () => {
    for (const logN of [0, 18, 3.5, "12", -1, Number.NaN, Infinity, null, undefined, 12n]) {
      const error = expectFheError(() => new Ring({ logN: logN as number, heap }), "INVALID_ARGUMENT", "create ring");
      expect(error.message).toMatch(/logN/);
    }
  });

  it("rejects missing or non-object options", () => {
    for (const options of [undefined, null, 12, "12", [], {}]) {
      expectFheError(() => new Ring(options as never), "INVALID_ARGUMENT", "create ring");
    }
  });

  // A junk heap is stored as is; the first use then fails with a TypeError.
  it("rejects a heap option that is not a WasmHeap", () => {
    for (const junk of [{}, 5, "heap", { allocate: 1 }]) {
      expectFheError(() => new Ring({ logN: 6, heap: junk as never }).basis([primes[0]!]), "INVALID_ARGUMENT");
    }
  });

  it("rejects primes that are not NTT-friendly or not below 2^30", () => {
    let bigPrime = 2 ** 30 + 1;
    while (!(bigPrime % 128 === 1 && isPrimeSlow(bigPrime))) bigPrime += 128;
    for (const q of [97, 2 ** 30 + 1, bigPrime, 65, 129, 2, 1, 0, -97, 12289.5, 4294967291]) {
      expectFheError(() => ring.basis([q]), "INVALID_ARGUMENT", "create modulus");
      expectFheError(() => ring.basis([primes[0]!, q]), "INVALID_ARGUMENT", "create modulus");
    }
  });

  it("rejects non-number primes", () => {
    for (const q of ["12289", 12289n, null, undefined, {}, [12289], Number.NaN]) {
      expectFheError(() => new Ring({ logN: 6, heap }).basis([q as number]), "INVALID_ARGUMENT");
    }
  });

  // Bases are cached by primes.join(","), so once [q] exists, ["q"], [qn] or [[q]] hit the
  // cache and return it instead of being validated.
  it("rejects non-number primes even when a basis with the same digits is cached", () => {
    const q = primes[0]!;
    const fresh = new Ring({ logN: 6, heap });
    fresh.basis([q]);
    for (const junk of [[String(q)], [BigInt(q)], [[q]]]) {
      expectFheError(() => fresh.basis(junk as never), "INVALID_ARGUMENT", "create basis");
    }
  });

  it("rejects duplicate primes, empty lists and non-arrays", () => {
    const error = expectFheError(() => ring.basis([primes[0]!, primes[1]!, primes[0]!]), "INVALID_ARGUMENT", "create basis");
    expect(error.message).toMatch(/distinct/);
    for (const junk of [[], null, undefined, primes[0], String(primes[0]), new Uint32Array([primes[0]!]), {}]) {
      expectFheError(() => ring.basis(junk as never), "INVALID_ARGUMENT", "create basis");
    }
  });

  it("rejects a basis of another ring or a fake basis when allocating", () => {
    expectFheError(() => ring.allocate(otherBasis), "MISMATCHED_OPERANDS", "allocate polynomial");
    expectFheError(() => ring.zero(otherBasis), "MISMATCHED_OPERANDS");
    for (const junk of [null, undefined, {}, primes, { key: basis.key, primes: basis.primes }]) {
      expectFheError(() => ring.allocate(junk as never), "MISMATCHED_OPERANDS", "allocate polynomial");
    }
  });

  // `options = {}` only defaults undefined; null reaches `options.ntt` and throws a TypeError.
  it("rejects null allocation options", () => {
    expectFheError(() => ring.allocate(basis, null as never), "INVALID_ARGUMENT", "allocate polynomial");
    expectFheError(() => ring.zero(basis, null as never), "INVALID_ARGUMENT");
  });

  it("rejects bad Modulus arguments (q not NTT-friendly, N not a power of two)", () => {
    expectFheError(() => new Modulus(heap, 97, 64), "INVALID_ARGUMENT", "create modulus");
    expectFheError(() => new Modulus(heap, 2 ** 30 + 1, 64), "INVALID_ARGUMENT", "create modulus");
    // 7 = 1 mod 6 and 1 mod 3: prime, but N = 3 and N = 1.5 are not ring degrees.
    for (const n of [3, 1.5, "16", -16]) {
      expectFheError(() => new Modulus(heap, n === 3 || n === 1.5 ? 7 : 97, n as number), "INVALID_ARGUMENT", "create modulus");
    }
  });
});

describe.each(kernelBuilds)("operations: bad input is answered with FheError (%s kernels)", (build) => {
  const { ring, primes, basis, wide, otherRing, otherBasis, live } = fixture(build);

  describe("operands", () => {
    it("rejects operands over different bases", () => {
      const a = live();
      const w = ring.allocate(wide);
      fillUniform(w);
      for (const [operation, f] of [
        ["add polynomials", () => add(a, a, w)],
        ["add polynomials", () => add(w, a, a)],
        ["subtract polynomials", () => sub(a, w, a)],
        ["negate polynomial", () => neg(w, a)],
        ["multiply polynomial by scalar", () => mulScalar(w, a, 3)],
        ["add scalar to polynomial", () => addScalar(w, a, 3)],
        ["copy polynomial", () => copy(w, a)],
        ["apply automorphism", () => automorphism(w, a, 5)],
      ] as const) {
        const error = expectFheError(f, "MISMATCHED_OPERANDS", operation);
        expect(error.message).toMatch(/different RNS bases/);
      }
      toNtt(a);
      toNtt(w);
      expectFheError(() => mulCoeffs(a, a, w), "MISMATCHED_OPERANDS", "multiply polynomials");
      expectFheError(() => mulCoeffs(w, a, a), "MISMATCHED_OPERANDS", "multiply polynomials");
      expectFheError(() => mulCoeffsAdd(a, a, w), "MISMATCHED_OPERANDS", "multiply-add polynomials");
      a.dispose();
      w.dispose();
    });

    it("rejects operands of different rings, even with equal primes", () => {
      const a = live();
      const b = otherRing.allocate(otherBasis);
      fillUniform(b);
      expectFheError(() => add(a, a, b), "MISMATCHED_OPERANDS", "add polynomials");
      expectFheError(() => copy(b, a), "MISMATCHED_OPERANDS", "copy polynomial");
      expectFheError(() => convertBasis(b, a), "MISMATCHED_OPERANDS");
      a.dispose();
      b.dispose();
    });

    it("rejects operands that mix NTT and coefficient form", () => {
      const a = live();
      const b = live({ ntt: true });
      expectFheError(() => add(a, a, b), "MISMATCHED_OPERANDS", "add polynomials");
      expectFheError(() => sub(a, b, a), "MISMATCHED_OPERANDS", "subtract polynomials");
      expectFheError(() => mulCoeffs(a, a, b), "MISMATCHED_OPERANDS", "multiply polynomials");
      expectFheError(() => mulCoeffs(a, a, a), "MISMATCHED_OPERANDS", "multiply polynomials");
      expectFheError(() => mulCoeffsAdd(a, b, b), "MISMATCHED_OPERANDS", "multiply-add polynomials");
      expectFheError(() => polyToBigInts(b), "MISMATCHED_OPERANDS", "read coefficients");
      const w = ring.allocate(ring.basis(primes.slice(2, 4)));
      expectFheError(() => convertBasis(w, b), "MISMATCHED_OPERANDS", "convert basis");
      w.dispose();
      a.dispose();
      b.dispose();
    });

    it("rejects operands that are not polynomials", () => {
      const a = live();
      for (const junk of [null, undefined, {}, 5, "poly", { ring, basis }, [a]]) {
        for (const f of [
          () => add(a, a, junk as never), () => add(junk as never, a, a), () => sub(a, junk as never, a),
          () => neg(a, junk as never), () => mulCoeffs(a, junk as never, a), () => mulScalar(a, junk as never, 1),
          () => addScalar(junk as never, a, 1), () => copy(a, junk as never), () => clone(junk as never),
          () => toNtt(junk as never), () => toCoefficients(junk as never), () => automorphism(a, junk as never, 5),
          () => readLimb(junk as never, 0), () => writeLimb(junk as never, 0, new Uint32Array(64)),
          () => polyToBigInts(junk as never), () => divideRoundByLastPrimes(junk as never, 1),
          () => convertBasis(junk as never, a),
        ]) {
          expect(expectFheError(f).code).toMatch(/INVALID_ARGUMENT|DISPOSED/);
        }
      }
      a.dispose();
    });

    it("rejects disposed handles in every position", () => {
      const a = live();
      const dead = live();
      dead.dispose();
      for (const f of [
        () => add(a, a, dead), () => add(dead, a, a), () => sub(a, dead, a), () => neg(a, dead), () => neg(dead, a),
        () => mulScalar(a, dead, 2), () => addScalar(dead, a, 2), () => copy(a, dead), () => copy(dead, a),
        () => clone(dead), () => toNtt(dead), () => toCoefficients(dead), () => automorphism(a, dead, 5),
        () => automorphism(dead, a, 5), () => readLimb(dead, 0), () => writeLimb(dead, 0, new Uint32Array(64)),
        () => polyToBigInts(dead), () => divideRoundByLastPrimes(dead, 1), () => fillUniform(dead),
        () => dead.limbAddress(0), () => convertBasis(dead, a),
      ]) {
        const error = expectFheError(f, "DISPOSED");
        expect(error.message).toMatch(/disposed/);
      }
      a.dispose();
    });
  });

  describe("limbs and coefficients", () => {
    it("rejects wrong lengths, types and limb indices in writeLimb / readLimb", () => {
      const a = live();
      for (const values of [new Uint32Array(63), new Uint32Array(65), new Uint32Array(0), new Int32Array(64),
        Array.from({ length: 64 }, () => 0), new Float64Array(64), null, "0"]) {
        expectFheError(() => writeLimb(a, 0, values as never), "INVALID_ARGUMENT", "write limb");
      }
      for (const index of [-1, 2, 0.5, Number.NaN, "0", null]) {
        expectFheError(() => writeLimb(a, index as number, new Uint32Array(64)), "INVALID_ARGUMENT", "write limb");
        expectFheError(() => readLimb(a, index as number), "INVALID_ARGUMENT", "read limb");
      }
      a.dispose();
    });

    it("rejects residues at or above the limb's prime", () => {
      const a = live();
      const before = readLimb(a, 1);
      for (const bad of [primes[1]!, primes[1]! + 1, 2 ** 32 - 1]) {
        const values = new Uint32Array(64);
        values[17] = bad;
        const error = expectFheError(() => writeLimb(a, 1, values), "INVALID_ARGUMENT", "write limb");
        expect(error.message).toMatch(/below its prime/);
      }
      expect(readLimb(a, 1)).toEqual(before); // nothing was written
      const ok = new Uint32Array(64).fill(primes[1]! - 1);
      writeLimb(a, 1, ok);
      expect(readLimb(a, 1)).toEqual(ok);
      a.dispose();
    });

    it("rejects wrong lengths and types in polyFromSmall", () => {
      for (const values of [new Int32Array(63), new Int32Array(128), new Uint32Array(64), Array.from({ length: 64 }, () => 0), null]) {
        expectFheError(() => polyFromSmall(ring, basis, values as never), "INVALID_ARGUMENT",
          "build polynomial from small coefficients");
      }
    });

    it("rejects a bad basis in polyFromSmall", () => {
      expectFheError(() => polyFromSmall(ring, otherBasis, new Int32Array(64)), "MISMATCHED_OPERANDS");
      for (const junk of [null, undefined, {}, primes]) {
        expectFheError(() => polyFromSmall(ring, junk as never, new Int32Array(64)));
      }
    });

    it("rejects wrong lengths and non-BigInt entries in polyFromBigInts", () => {
      for (const values of [
        new Array<bigint>(63).fill(0n), new Array<bigint>(65).fill(0n), [], new Array(64).fill(0),
        [...new Array<bigint>(63).fill(0n), 1], [...new Array<bigint>(63).fill(0n), "1"], null, new BigInt64Array(64),
      ]) {
        expectFheError(() => polyFromBigInts(ring, basis, values as never), "INVALID_ARGUMENT",
          "build polynomial from integers");
      }
    });

    // Array.prototype.some skips holes, so a sparse array passes validation and then
    // Uint32Array.from hands `undefined` to BigInt arithmetic: "Cannot mix BigInt and other types".
    it("rejects a sparse coefficient array in polyFromBigInts", () => {
      const holes = new Array<bigint>(64);
      holes[0] = 1n;
      expectFheError(() => polyFromBigInts(ring, basis, holes), "INVALID_ARGUMENT", "build polynomial from integers");
    });

    it("rejects a ring that is not a Ring in polyFromBigInts and polyFromSmall", () => {
      for (const junk of [null, undefined, {}, 5]) {
        expectFheError(() => polyFromBigInts(junk as never, basis, new Array<bigint>(64).fill(0n)));
        expectFheError(() => polyFromSmall(junk as never, basis, new Int32Array(64)));
      }
    });
  });

  describe("operation parameters", () => {
    it("rejects even or non-integer Galois elements and out === a", () => {
      const a = live();
      const out = live();
      for (const k of [0, 2, -4, 128, 3.5, Number.NaN, Infinity, "5", null, 5n]) {
        const error = expectFheError(() => automorphism(out, a, k as number), "INVALID_ARGUMENT", "apply automorphism");
        expect(error.message).toMatch(/odd integer/);
      }
      expectFheError(() => automorphism(a, a, 5), "INVALID_ARGUMENT", "apply automorphism");
      a.dispose();
      out.dispose();
    });

    it("rejects divideRoundByLastPrimes with k out of range", () => {
      const a = ring.allocate(wide);
      fillUniform(a);
      for (const k of [0, -1, 3, 4, 1.5, Number.NaN, "1", null]) {
        const error = expectFheError(() => divideRoundByLastPrimes(a, k as number), "INVALID_ARGUMENT", "divide by last primes");
        expect(error.message).toMatch(/\[1, 2\]/);
      }
      expect(a.basis).toBe(wide); // unchanged
      const single = ring.allocate(ring.basis([primes[0]!]));
      expectFheError(() => divideRoundByLastPrimes(single, 1), "INVALID_ARGUMENT", "divide by last primes");
      single.dispose();
      a.dispose();
    });

    it("rejects constants that are neither safe integers nor BigInts", () => {
      const a = live();
      for (const c of [1.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 60), "3", null, undefined, {}]) {
        expectFheError(() => mulScalar(a, a, c as number), "INVALID_ARGUMENT", "multiply polynomial by scalar");
        expectFheError(() => addScalar(a, a, c as number), "INVALID_ARGUMENT", "add scalar to polynomial");
      }
      a.dispose();
    });

    it("rejects converting between bases that share primes", () => {
      const a = live();
      const out = ring.allocate(ring.basis([primes[1]!, primes[2]!]));
      expectFheError(() => convertBasis(out, a), "INVALID_ARGUMENT", "convert basis");
      out.dispose();
      a.dispose();
    });
  });

  describe("random junk (fast-check)", () => {
    it("ring operations with junk operands and parameters", () => {
      const a = live();
      const b = live();
      // "$a" and "$b" stand for the live polynomials, so counterexamples print compactly.
      const junkOrPoly = fc.oneof(boundedAnything, fc.constantFrom("$a", "$b"));
      const resolve = (v: unknown): unknown => (v === "$a" ? a : v === "$b" ? b : v);
      fc.assert(
        fc.property(junkOrPoly, junkOrPoly, junkOrPoly, boundedAnything, (xJunk, yJunk, zJunk, p) => {
          const [x, y, z] = [resolve(xJunk), resolve(yJunk), resolve(zJunk)];
          onlyFheErrors(() => add(x as never, y as never, z as never));
          onlyFheErrors(() => sub(x as never, y as never, z as never));
          onlyFheErrors(() => neg(x as never, y as never));
          onlyFheErrors(() => mulCoeffs(x as never, y as never, z as never));
          onlyFheErrors(() => mulCoeffsAdd(x as never, y as never, z as never));
          onlyFheErrors(() => mulScalar(x as never, y as never, p as never));
          onlyFheErrors(() => addScalar(x as never, y as never, p as never));
          onlyFheErrors(() => copy(x as never, y as never));
          onlyFheErrors(() => automorphism(x as never, y as never, p as never));
          onlyFheErrors(() => readLimb(x as never, p as never));
          onlyFheErrors(() => writeLimb(x as never, 0, p as never));
          onlyFheErrors(() => convertBasis(x as never, y as never));
          onlyFheErrors(() => polyToBigInts(x as never));
        }),
        { numRuns: 200 },
      );
      a.dispose();
      b.dispose();
    });

    it("divideRoundByLastPrimes(poly, junk)", () => {
      fc.assert(
        fc.property(boundedAnything, (k) => {
          const a = ring.allocate(wide);
          fillUniform(a);
          onlyFheErrors(() => divideRoundByLastPrimes(a, k as never));
          a.dispose();
        }),
        { numRuns: 200 },
      );
    });

  });
});

describe("samplers and streams: bad input is answered with FheError", () => {
  const { live } = fixture("scalar");

  it("rejects bad seeds", () => {
    for (const seed of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), Array.from({ length: 32 }, () => 0),
      new Uint16Array(32), "0".repeat(32), null, undefined]) {
      expectFheError(() => new SeededStream(seed as never, "domain"), "INVALID_ARGUMENT", "expand seed");
    }
  });

  // The domain is passed to TextEncoder unchecked: undefined becomes "" and 5 becomes "5".
  it("rejects a domain that is not a string", () => {
    for (const domain of [undefined, null, 5, {}, ["a"]]) {
      expectFheError(() => new SeededStream(new Uint8Array(32), domain as never), "INVALID_ARGUMENT", "expand seed");
    }
  });

  // Sample counts are not validated: -1 throws a RangeError from the Int32Array constructor,
  // 3.5 silently yields 3 samples, NaN yields none.
  it("rejects a bad sample count in the samplers", () => {
    for (const n of [-1, 3.5, Number.NaN, "16", null]) {
      expectFheError(() => sampleTernary(n as number), "INVALID_ARGUMENT");
      expectFheError(() => sampleGaussian(n as number), "INVALID_ARGUMENT");
      expectFheError(() => sampleTernaryFixedWeight(n as number, 0), "INVALID_ARGUMENT");
    }
  });

  it("rejects a fillUniform target that is not a polynomial, or a source without fill()", () => {
    const a = live();
    for (const junk of [null, undefined, {}, 5]) expectFheError(() => fillUniform(junk as never));
    for (const junk of [null, {}, 5, { fill: 5 }]) expectFheError(() => fillUniform(a, junk as never));
    a.dispose();
  });
});

describe("constructors, builders and samplers fed random junk (fast-check)", () => {
  const { heap, ring, primes, basis, live } = fixture("scalar");

  // Validation builds its message with String(value) or `${value}`, which itself throws a
  // TypeError for objects without a usable toString/valueOf and (for templates) for symbols, so
  // the caller gets "Cannot convert object to primitive value" instead of the library's error.
  it("formats every junk value in its error message (objects without toString, symbols)", () => {
    const a = live();
    const out = live();
    const w = ring.allocate(ring.basis(primes.slice(0, 3)));
    const unprintable: unknown[] = [Object.create(null), { toString: {} }, Symbol("junk")];
    const failures: string[] = [];
    for (const bad of unprintable) {
      const cases: Array<[string, () => unknown]> = [
        ["new Ring", () => new Ring({ logN: bad as number, heap })],
        ["generateNttPrimes logN", () => generateNttPrimes({ logN: bad as number, bits: 25, count: 1 })],
        ["generateNttPrimes bits", () => generateNttPrimes({ logN: 10, bits: bad as number, count: 1 })],
        ["generateNttPrimes count", () => generateNttPrimes({ logN: 10, bits: 25, count: bad as number })],
        ["ring.basis", () => new Ring({ logN: 6, heap }).basis([bad as number])],
        ["new Modulus", () => new Modulus(heap, bad as number, 64)],
        ["heap.allocate", () => heap.allocate(bad as number)],
        ["automorphism", () => automorphism(out, a, bad as number)],
        ["mulScalar", () => mulScalar(out, a, bad as number)],
        ["addScalar", () => addScalar(out, a, bad as number)],
        ["readLimb", () => readLimb(a, bad as number)],
        ["writeLimb", () => writeLimb(a, bad as number, new Uint32Array(64))],
        ["divideRoundByLastPrimes", () => divideRoundByLastPrimes(w, bad as number)],
        ["sampleTernaryFixedWeight", () => sampleTernaryFixedWeight(64, bad as number)],
        ["sampleGaussian", () => sampleGaussian(16, bad as number)],
        ["resolveKernelBuild", () => resolveKernelBuild(bad as never)],
      ];
      for (const [name, f] of cases) {
        try {
          f();
          failures.push(`${name}: no error`);
        } catch (error) {
          if (!(error instanceof FheError)) failures.push(`${name}(${typeof bad}): ${(error as Error).constructor.name}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    for (const poly of [a, out, w]) poly.dispose();
  });

  it("new Ring(junk)", () => {
    fc.assert(fc.property(boundedAnything, (options) => onlyFheErrors(() => new Ring(options as never))), { numRuns: 200 });
    fc.assert(fc.property(boundedAnything, (logN) => {
      onlyFheErrors(() => new Ring({ logN: logN as number, heap }));
    }), { numRuns: 200 });
  });

  it("ring.basis(junk)", () => {
    fc.assert(
      fc.property(fc.oneof(boundedAnything, fc.array(boundedAnything, { maxLength: 4 }), fc.array(smallJunk, { minLength: 1, maxLength: 3 })), (junk) => {
        onlyFheErrors(() => new Ring({ logN: 6, heap }).basis(junk as never));
      }),
      { numRuns: 300 },
    );
  });

  it("ring.allocate(junk, junk)", () => {
    fc.assert(
      // "$basis" stands for the valid basis, so counterexamples print compactly.
      fc.property(boundedAnything, fc.oneof(fc.constant("$basis"), boundedAnything), (options, junk) => {
        const junkBasis = junk === "$basis" ? basis : junk;
        onlyFheErrors(() => ring.allocate(junkBasis as never));
        onlyFheErrors(() => ring.allocate(basis, options as never));
      }),
      { numRuns: 300 },
    );
  });

  it("new Modulus(heap, junk, junk)", () => {
    fc.assert(
      fc.property(fc.oneof(smallJunk, fc.constantFrom(7, 97, 12289, primes[0]!)), fc.oneof(smallJunk, fc.constantFrom(2, 3, 16, 64)), (q, n) => {
        onlyFheErrors(() => new Modulus(heap, q as number, n as number));
      }),
      { numRuns: 300 },
    );
  });

  it("polyFromBigInts / polyFromSmall with junk", () => {
    const entries = fc.oneof({ weight: 8, arbitrary: fc.bigInt() }, { weight: 1, arbitrary: boundedAnything });
    fc.assert(
      fc.property(
        fc.oneof(boundedAnything, fc.array(entries, { minLength: 64, maxLength: 64 }),
          fc.sparseArray(fc.bigInt(), { minNumElements: 1, maxLength: 64 }).map((a) => Object.assign(a, { length: 64 }))),
        (values) => onlyFheErrors(() => polyFromBigInts(ring, basis, values as never)),
      ),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(boundedAnything, fc.oneof(fc.constant("$basis"), boundedAnything), (values, junk) => {
        const junkBasis = junk === "$basis" ? basis : junk;
        onlyFheErrors(() => polyFromSmall(ring, basis, values as never));
        onlyFheErrors(() => polyFromSmall(ring, junkBasis as never, new Int32Array(64)));
      }),
      { numRuns: 200 },
    );
  });

  it("samplers with junk", () => {
    fc.assert(
      fc.property(smallJunk, smallJunk, (n, p) => {
        onlyFheErrors(() => sampleTernary(n as number));
        onlyFheErrors(() => sampleGaussian(16, p as number));
        onlyFheErrors(() => sampleGaussian(n as number));
        onlyFheErrors(() => sampleTernaryFixedWeight(n as number, p as number));
        onlyFheErrors(() => sampleTernaryFixedWeight(64, p as number));
      }),
      { numRuns: 300 },
    );
  });

  it("new SeededStream(junk, junk) and fillUniform(junk, junk)", () => {
    fc.assert(
      fc.property(fc.oneof(boundedAnything, fc.uint8Array({ minLength: 30, maxLength: 34 })), boundedAnything, (seed, domain) => {
        onlyFheErrors(() => new SeededStream(seed as never, domain as never));
        onlyFheErrors(() => new SeededStream(seed as never, "domain"));
      }),
      { numRuns: 300 },
    );
    const a = live();
    fc.assert(
      fc.property(boundedAnything, (junk) => {
        onlyFheErrors(() => fillUniform(junk as never));
        onlyFheErrors(() => fillUniform(a, junk as never));
      }),
      { numRuns: 200 },
    );
    a.dispose();
  });
});

describe("kernel build selection", () => {
  const saved = process.env[kernelBuildEnvVariable];
  afterEach(() => {
    if (saved === undefined) delete process.env[kernelBuildEnvVariable];
    else process.env[kernelBuildEnvVariable] = saved;
  });

  it("names the environment variable WASM_CKKS_KERNELS", () => {
    expect(kernelBuildEnvVariable).toBe("WASM_CKKS_KERNELS");
  });

  it("rejects an unknown build option", () => {
    for (const option of ["avx", "SIMD", "", null, 5, {}, "neon"]) {
      const error = expectFheError(() => resolveKernelBuild(option as never), "INVALID_ARGUMENT", "load kernels");
      expect(error.message).toMatch(/unknown kernel build/);
      expectFheError(() => WasmHeap.create({ build: option as never, warmUp: false }), "INVALID_ARGUMENT", "load kernels");
    }
  });

  it("rejects a bogus WASM_CKKS_KERNELS when the option is auto", async () => {
    process.env[kernelBuildEnvVariable] = "bogus";
    const error = expectFheError(() => resolveKernelBuild(), "INVALID_ARGUMENT", "load kernels");
    expect(error.message).toMatch(/WASM_CKKS_KERNELS/);
    expectFheError(() => resolveKernelBuild("auto"), "INVALID_ARGUMENT", "load kernels");
    expectFheError(() => WasmHeap.create({ warmUp: false }), "INVALID_ARGUMENT", "load kernels");
    await expect(WasmHeap.createAsync({ warmUp: false })).rejects.toBeInstanceOf(FheError);
    // an explicit build ignores the environment
    expect(resolveKernelBuild("scalar")).toBe("scalar");
    expect(resolveKernelBuild("simd")).toBe("simd");
  });

  it("honours WASM_CKKS_KERNELS=scalar, =simd and =auto", () => {
    process.env[kernelBuildEnvVariable] = "scalar";
    expect(resolveKernelBuild()).toBe("scalar");
    expect(WasmHeap.create({ warmUp: false }).build).toBe("scalar");
    process.env[kernelBuildEnvVariable] = "simd";
    expect(resolveKernelBuild()).toBe("simd");
    process.env[kernelBuildEnvVariable] = "auto";
    expect(resolveKernelBuild()).toBe("simd");
    process.env[kernelBuildEnvVariable] = "";
    expect(resolveKernelBuild()).toBe("simd");
  });

  // `options = {}` only defaults undefined; null reaches `options.build` and throws a TypeError.
  it("rejects null heap options", () => {
    expectFheError(() => WasmHeap.create(null as never), "INVALID_ARGUMENT");
  });
});

function isPrimeSlow(n: number): boolean {
  if (n < 2 || n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
