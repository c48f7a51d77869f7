import { createHash } from "node:crypto";
import { turboshake128 } from "@noble/hashes/sha3-addons.js";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FheError } from "../../engine/index.js";
import {
  Ring, SeededStream, cryptoRandom, defaultSigma, fillUniform, freshSeed, generateNttPrimes, polyFromSmall,
  polyToBigInts, readLimb, sampleGaussian, sampleTernary, sampleTernaryFixedWeight, seedBytes, toNtt,
  type RandomSource,
} from "../../engine/ring/index.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";

// Statistical checks use 6-sigma bounds: a correct sampler fails one about once in 5 * 10^8 runs.

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return sum / values.length;
}

/** Asserts that `count` successes out of `trials` fit probability p within 6 sigma. */
function expectFrequency(count: number, trials: number, p: number, label: string): void {
  const sigma = Math.sqrt(trials * p * (1 - p));
  expect(Math.abs(count - trials * p), `${label}: ${count} of ${trials}, expected ~${trials * p}`).toBeLessThanOrEqual(6 * sigma + 1);
}

/** len(domain) as 2 bytes LE || utf8(domain) || seed, built here independently of seededMessage. */
function seededInput(seed: Uint8Array, domain: string): Uint8Array {
  const label = Buffer.from(domain, "utf8");
  return Uint8Array.from([label.length & 255, label.length >> 8, ...label, ...seed]);
}

/**
 * TurboSHAKE128(len(domain) as 2 bytes LE || utf8(domain) || seed, D = 0x1F) from
 * @noble/hashes (RFC 9861). noble refuses dkLen = 0; the first 0 bytes are the empty string.
 */
function turboReference(seed: Uint8Array, domain: string, length: number): Uint8Array {
  return length === 0 ? new Uint8Array(0) : turboshake128(seededInput(seed, domain), { dkLen: length, D: 0x1f });
}

/** SHAKE128 of the same message from node:crypto (what SeededStream used before TurboSHAKE128). */
function shakeReference(seed: Uint8Array, domain: string, length: number): Uint8Array {
  return new Uint8Array(createHash("shake128", { outputLength: length }).update(seededInput(seed, domain)).digest());
}

/** The documented expansion: 32-bit LE words masked to the prime's bit length, rejected when >= q. */
function uniformReference(bytes: Uint8Array, primes: readonly number[], n: number): number[][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  return primes.map((q) => {
    const mask = 2 ** (32 - Math.clz32(q)) - 1;
    const limb: number[] = [];
    while (limb.length < n) {
      const word = view.getUint32(position, true) & mask;
      position += 4;
      if (word < q) limb.push(word);
    }
    return limb;
  });
}

/** A byte source that replays fixed bytes (then fails loudly). */
function replay(bytes: Uint8Array): RandomSource {
  let offset = 0;
  return {
    fill(out: Uint8Array): void {
      if (offset + out.length > bytes.length) throw new Error("replay source exhausted");
      out.set(bytes.subarray(offset, offset + out.length));
      offset += out.length;
    },
  };
}

const seed0to31 = Uint8Array.from({ length: 32 }, (_, i) => i);
const katPrime = 1073479681; // 30-bit, 1 mod 2^16
// fillUniform(poly, new SeededStream(bytes 0..31, "uniform")) over the basis [1073479681, 12289]
// with N = 16 (both limbs read one stream in turn), computed independently from @noble/hashes'
// TurboSHAKE128 bytes with the documented mask-and-reject rule.
const KAT_FIRST_LIMB = [761443321, 344203021, 487262208, 136999929, 11894235, 313302676, 211002541, 517364044];
const KAT_SECOND_LIMB = [1943, 4739, 8457, 3036, 6145, 729, 4645, 7196];


describe.each(kernelBuilds)("fillUniform and polyFromSmall (%s kernels)", (build) => {
  const logN = 12;
  const ring = new Ring({ logN, heap: heapFor(build) });
  const primes = [...generateNttPrimes({ logN, bits: 30, count: 1 }), ...generateNttPrimes({ logN, bits: 20, count: 1 })];
  const basis = ring.basis(primes);

  it("fills every limb with residues below its prime, uniformly (mean, variance, buckets)", () => {
    const poly = ring.allocate(basis);
    fillUniform(poly);
    const n = ring.n;
    primes.forEach((q, i) => {
      const limb = Array.from(readLimb(poly, i));
      expect(limb.every((v) => Number.isInteger(v) && v >= 0 && v < q)).toBe(true);
      const expectedMean = (q - 1) / 2;
      const expectedVariance = (q * q - 1) / 12;
      expect(Math.abs(mean(limb) - expectedMean)).toBeLessThan((6 * q) / Math.sqrt(12 * n));
      expect(Math.abs(variance(limb) - expectedVariance)).toBeLessThan((6 * q * q) / Math.sqrt(180 * n));
      const buckets = new Array<number>(16).fill(0);
      for (const v of limb) buckets[Math.floor((v * 16) / q)]!++;
      buckets.forEach((count, b) => expectFrequency(count, n, 1 / 16, `bucket ${b} mod ${q}`));
      // top bit of a 30-bit residue is set about half the time (the mask is the prime's bit length)
      expectFrequency(limb.filter((v) => v >= 2 ** (31 - Math.clz32(q))).length, n,
        (q - 2 ** (31 - Math.clz32(q))) / q, `top bit mod ${q}`);
    });
    poly.dispose();
  });

  it("gives independent limbs and different polynomials on each call", () => {
    const a = ring.allocate(basis);
    const b = ring.allocate(basis);
    fillUniform(a);
    fillUniform(b);
    expect(readLimb(a, 0)).not.toEqual(readLimb(b, 0));
    expect(readLimb(a, 0)).not.toEqual(readLimb(a, 1));
    a.dispose();
    b.dispose();
  });

  it("expands a seeded stream reproducibly", () => {
    const seed = freshSeed();
    expect(seed).toHaveLength(seedBytes);
    const a = ring.allocate(basis);
    const b = ring.allocate(basis);
    fillUniform(a, new SeededStream(seed, "uniform a"));
    fillUniform(b, new SeededStream(seed, "uniform a"));
    primes.forEach((_, i) => expect(readLimb(a, i)).toEqual(readLimb(b, i)));
    const otherSeed = Uint8Array.from(seed);
    otherSeed[31] = otherSeed[31]! ^ 1;
    fillUniform(b, new SeededStream(otherSeed, "uniform a"));
    expect(readLimb(a, 0)).not.toEqual(readLimb(b, 0));
    fillUniform(b, new SeededStream(seed, "uniform b"));
    expect(readLimb(a, 0)).not.toEqual(readLimb(b, 0));
    a.dispose();
    b.dispose();
  });

  it("expands exactly as documented: masked little-endian TurboSHAKE128 words with rejection", () => {
    const expected = uniformReference(turboReference(seed0to31, "uniform", 1 << 17), primes, ring.n);
    const poly = ring.allocate(basis);
    fillUniform(poly, new SeededStream(seed0to31, "uniform"));
    primes.forEach((_, i) => expect(Array.from(readLimb(poly, i))).toEqual(expected[i]));
    poly.dispose();
  });

  it("rejects words at or above q and masks to the bit length of q", () => {
    // A 20-bit prime q: words are masked to 20 bits; 0xfffff >= q is rejected, q - 1 accepted.
    const q = primes[1]!;
    const single = ring.basis([q]);
    const words = new Uint32Array(2 * ring.n);
    for (let j = 0; j < ring.n; j++) {
      words[2 * j] = 0xfff00000 | 0xfffff; // masked: 2^20 - 1 >= q, rejected
      words[2 * j + 1] = (j * 7919) % q | (0xabc << 20); // masked: (j * 7919) mod q, accepted
    }
    const poly = ring.allocate(single);
    fillUniform(poly, replay(new Uint8Array(words.buffer)));
    expect(Array.from(readLimb(poly, 0))).toEqual(Array.from({ length: ring.n }, (_, j) => (j * 7919) % q));
    poly.dispose();
  });

  it("lifts small signed coefficients to [0, q) (negatives to q - |x|)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 19), max: 2 ** 19 }), { minLength: 64, maxLength: 64 }), (values) => {
        const small = new Ring({ logN: 6, heap: heapFor(build) });
        const smallBasis = small.basis(generateNttPrimes({ logN: 6, bits: 25, count: 2 }));
        const poly = polyFromSmall(small, smallBasis, Int32Array.from(values));
        expect(poly.isNtt).toBe(false);
        expect(poly.secret).toBe(false);
        smallBasis.primes.forEach((q, i) => {
          expect(Array.from(readLimb(poly, i))).toEqual(values.map((v) => (v < 0 ? q - -v : v)));
        });
        const product = smallBasis.product();
        expect(polyToBigInts(poly)).toEqual(values.map((v) => (v < 0 ? product + BigInt(v) : BigInt(v))));
        poly.dispose();
      }),
      { numRuns: 30 },
    );
  });

  it("builds NTT-form and secret polynomials from small coefficients", () => {
    const values = sampleTernary(ring.n);
    const plain = polyFromSmall(ring, basis, values);
    toNtt(plain);
    const direct = polyFromSmall(ring, basis, values, { ntt: true, secret: true });
    expect(direct.isNtt).toBe(true);
    expect(direct.secret).toBe(true);
    primes.forEach((_, i) => expect(readLimb(direct, i)).toEqual(readLimb(plain, i)));
    plain.dispose();
    direct.dispose();
  });

  it("accepts |x| = smallest prime - 1 and rejects |x| >= smallest prime", () => {
    const small = new Ring({ logN: 2, heap: heapFor(build) });
    const smallBasis = small.basis([17, 41]);
    const ok = polyFromSmall(small, smallBasis, Int32Array.from([16, -16, 0, 1]));
    expect(Array.from(readLimb(ok, 0))).toEqual([16, 1, 0, 1]);
    expect(Array.from(readLimb(ok, 1))).toEqual([16, 25, 0, 1]);
    ok.dispose();
    for (const bad of [[17, 0, 0, 0], [0, -17, 0, 0], [0, 0, 0, 2 ** 31 - 1], [-(2 ** 31), 0, 0, 0]]) {
      let thrown: unknown;
      try {
        polyFromSmall(small, smallBasis, Int32Array.from(bad));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("seeded expansion (SeededStream)", () => {
  it("is TurboSHAKE128(len(domain) || domain || seed), checked against @noble/hashes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom("", "domain", "é", "鍵", "x".repeat(300))),
        fc.integer({ min: 1, max: 600 }),
        (seed, domain, length) => {
          const bytes = new Uint8Array(length);
          new SeededStream(seed, domain).fill(bytes);
          expect(bytes).toEqual(turboReference(seed, domain, length));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("streams: consecutive fills continue the same output", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 8 }), (seed, sizes) => {
        const stream = new SeededStream(seed, "chunks");
        const total = sizes.reduce((a, b) => a + b, 0);
        const parts = new Uint8Array(total);
        let offset = 0;
        for (const size of sizes) {
          stream.fill(parts.subarray(offset, offset + size));
          offset += size;
        }
        expect(parts).toEqual(turboReference(seed, "chunks", total));
      }),
      { numRuns: 50 },
    );
  });

  it("uses the UTF-8 byte length of the domain in the header", () => {
    const bytes = new Uint8Array(32);
    new SeededStream(seed0to31, "é").fill(bytes); // 1 UTF-16 unit, 2 UTF-8 bytes
    const header = turboshake128(Uint8Array.from([2, 0, 0xc3, 0xa9, ...seed0to31]), { dkLen: 32, D: 0x1f });
    expect(bytes).toEqual(header);
  });

  it("separates domains and seeds", () => {
    const read = (seed: Uint8Array, domain: string) => {
      const bytes = new Uint8Array(64);
      new SeededStream(seed, domain).fill(bytes);
      return Buffer.from(bytes).toString("hex");
    };
    const outputs = new Set([
      read(seed0to31, "a"), read(seed0to31, "b"), read(seed0to31, ""), read(seed0to31, "ab"),
      read(new Uint8Array(32), "a"), read(Uint8Array.from(seed0to31, (b) => b ^ 0x80), "a"),
    ]);
    expect(outputs.size).toBe(6);
    expect(read(seed0to31, "a")).toBe(read(Uint8Array.from(seed0to31), "a"));
  });

  it("matches the recorded known answer for seed 0..31", () => {
    // TurboSHAKE128(06 00 'domain' 00 01 .. 1f, D = 0x1F), first 16 bytes (computed with @noble/hashes).
    const bytes = new Uint8Array(16);
    new SeededStream(seed0to31, "domain").fill(bytes);
    expect(Buffer.from(bytes).toString("hex")).toBe("aecca91b86dc4a3e43b1c346ddb60a3a");
    expect(bytes).toEqual(turboReference(seed0to31, "domain", 16));
    // Not SHAKE128 of the same message (84419251e76b26d5d987b0124284ebc4, from node:crypto).
    expect(bytes).not.toEqual(shakeReference(seed0to31, "domain", 16));
  });

  it.each(kernelBuilds)("expands a uniform polynomial to the recorded known answer (%s kernels)", (build) => {
    const ring = new Ring({ logN: 4, heap: heapFor(build) });
    const basis = ring.basis([katPrime, 12289]);
    const poly = ring.allocate(basis);
    fillUniform(poly, new SeededStream(seed0to31, "uniform"));
    const first = Array.from(readLimb(poly, 0)).slice(0, 8);
    const second = Array.from(readLimb(poly, 1)).slice(0, 8);
    expect(first).toEqual(KAT_FIRST_LIMB);
    expect(second).toEqual(KAT_SECOND_LIMB);
    const reference = uniformReference(turboReference(seed0to31, "uniform", 4096), [katPrime, 12289], 16);
    expect(first).toEqual(reference[0]!.slice(0, 8));
    expect(second).toEqual(reference[1]!.slice(0, 8));
    poly.dispose();
  });
});

describe("sampleTernary", () => {
  it("draws from {-1, 0, 1} with frequencies 1/3 each (N = 2^16)", () => {
    const n = 2 ** 16;
    const values = sampleTernary(n);
    expect(values).toBeInstanceOf(Int32Array);
    expect(values).toHaveLength(n);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([-1, 0, 1]);
    for (const v of [-1, 0, 1]) expectFrequency(counts.get(v)!, n, 1 / 3, `value ${v}`);
    // neighbouring values are independent: P(v_i = v_{i+1}) = 1/3
    let same = 0;
    for (let i = 1; i < n; i++) if (values[i] === values[i - 1]) same++;
    expectFrequency(same, n - 1, 1 / 3, "repeats");
  });

  it("uses the given source deterministically", () => {
    const a = sampleTernary(1000, new SeededStream(seed0to31, "ternary"));
    const b = sampleTernary(1000, new SeededStream(seed0to31, "ternary"));
    expect(a).toEqual(b);
    expect(a).not.toEqual(sampleTernary(1000, new SeededStream(seed0to31, "other")));
  });
});

describe("sampleTernaryFixedWeight", () => {
  it("has exactly the requested Hamming weight with values in {-1, 0, 1}", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))), ([n, weight]) => {
        const values = sampleTernaryFixedWeight(n, weight);
        expect(values).toHaveLength(n);
        expect(values.every((v) => v === -1 || v === 0 || v === 1)).toBe(true);
        expect(values.filter((v) => v !== 0).length).toBe(weight);
      }),
      { numRuns: 200 },
    );
  });

  it("balances +1 and -1 and spreads the non-zero positions uniformly", () => {
    const n = 4096;
    const weight = 64;
    const rounds = 400;
    let plus = 0;
    const hits = new Array<number>(16).fill(0);
    for (let round = 0; round < rounds; round++) {
      const values = sampleTernaryFixedWeight(n, weight);
      expect(values.filter((v) => v !== 0).length).toBe(weight);
      values.forEach((v, i) => {
        if (v === 1) plus++;
        if (v !== 0) hits[Math.floor((i * 16) / n)]!++;
      });
    }
    expectFrequency(plus, weight * rounds, 1 / 2, "+1 among non-zero");
    hits.forEach((count, b) => expectFrequency(count, weight * rounds, 1 / 16, `position bucket ${b}`));
  });

  it("handles weights 0 and N", () => {
    expect(sampleTernaryFixedWeight(512, 0).every((v) => v === 0)).toBe(true);
    const full = sampleTernaryFixedWeight(512, 512);
    expect(full.every((v) => v === 1 || v === -1)).toBe(true);
  });

  it("rejects a weight outside [0, N] or not an integer", () => {
    for (const weight of [-1, 513, 1.5, Number.NaN, Infinity, "3", null]) {
      let thrown: unknown;
      try {
        sampleTernaryFixedWeight(512, weight as number);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
      expect((thrown as FheError).message).toMatch(/^cannot sample ternary: /);
    }
  });
});

describe("sampleGaussian", () => {
  it("is bounded by round(6 sigma) = 19 with mean ~0 and variance ~sigma^2 (2^16 samples)", () => {
    const n = 2 ** 16;
    const sigma = defaultSigma;
    expect(sigma).toBe(3.19);
    const values = sampleGaussian(n);
    expect(values).toBeInstanceOf(Int32Array);
    expect(values.every((v) => Math.abs(v) <= 19)).toBe(true);
    expect(Math.abs(mean(values))).toBeLessThan((6 * sigma) / Math.sqrt(n));
    // Var(x^2) = 2 sigma^4 for a Gaussian
    expect(Math.abs(variance(values) - sigma * sigma)).toBeLessThan((6 * Math.SQRT2 * sigma * sigma) / Math.sqrt(n));
  });

  it("matches the discrete Gaussian probabilities, symmetrically", () => {
    const n = 2 ** 16;
    const sigma = defaultSigma;
    const values = sampleGaussian(n, sigma);
    const weights = Array.from({ length: 39 }, (_, i) => Math.exp(-((i - 19) ** 2) / (2 * sigma * sigma)));
    const total = weights.reduce((a, b) => a + b, 0);
    const counts = new Array<number>(39).fill(0);
    for (const v of values) counts[v + 19]!++;
    for (let x = -10; x <= 10; x++) expectFrequency(counts[x + 19]!, n, weights[x + 19]! / total, `x = ${x}`);
    const positive = counts.slice(20).reduce((a, b) => a + b, 0);
    const negative = counts.slice(0, 19).reduce((a, b) => a + b, 0);
    expectFrequency(positive, positive + negative, 1 / 2, "sign");
  });

  it("honours other standard deviations and their bound round(6 sigma)", () => {
    const n = 8192;
    for (const sigma of [0.5, 1, 8, 40.2]) {
      const values = sampleGaussian(n, sigma);
      const bound = Math.round(6 * sigma);
      expect(values.every((v) => Math.abs(v) <= bound)).toBe(true);
      // exact moments of the truncated discrete Gaussian (its variance is below sigma^2 for small sigma)
      let total = 0;
      let second = 0;
      let fourth = 0;
      for (let x = -bound; x <= bound; x++) {
        const w = Math.exp(-(x * x) / (2 * sigma * sigma));
        total += w;
        second += x * x * w;
        fourth += x ** 4 * w;
      }
      const exactVariance = second / total;
      const spread = Math.sqrt((fourth / total - exactVariance ** 2) / n);
      expect(Math.abs(variance(values) - exactVariance), `sigma = ${sigma}`).toBeLessThan(6 * spread + 1e-9);
      expect(Math.abs(mean(values))).toBeLessThan(6 * Math.sqrt(exactVariance / n));
    }
  });

  it("is deterministic for a seeded source", () => {
    const a = sampleGaussian(2000, defaultSigma, new SeededStream(seed0to31, "gaussian"));
    const b = sampleGaussian(2000, defaultSigma, new SeededStream(seed0to31, "gaussian"));
    expect(a).toEqual(b);
  });

  it("refuses a heap that is not a WasmHeap", () => {
    expect(() => sampleGaussian(16, defaultSigma, cryptoRandom, {} as never)).toThrow(/heap must be a WasmHeap/);
  });

  it("rejects sigma outside (0, 1024]", () => {
    for (const sigma of [0, -1, 1025, Number.NaN, Infinity, "3.19", null]) {
      let thrown: unknown;
      try {
        sampleGaussian(16, sigma as number);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
      expect((thrown as FheError).message).toMatch(/^cannot sample Gaussian: /);
    }
  });
});

describe("cryptoRandom", () => {
  it("fills buffers larger than the 65,536-byte getRandomValues limit", () => {
    const bytes = new Uint8Array(200_000);
    cryptoRandom.fill(bytes);
    // every 64 KiB chunk was filled (an all-zero 4 KiB window is impossible in practice)
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      expect(bytes.subarray(offset, offset + 4096).some((b) => b !== 0)).toBe(true);
    }
  });
});
