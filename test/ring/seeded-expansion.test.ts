import { createHash } from "node:crypto";
import { turboshake128 } from "@noble/hashes/sha3-addons.js";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FheError, WasmHeap } from "../../engine/index.js";
import {
  Ring, SeededStream, Shake128, TurboShake128, fillUniform, fillUniformSeeded, generateNttPrimes, readLimb,
  seededMessage,
} from "../../engine/ring/index.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";

/** SHAKE128(message) from node:crypto. */
function shake(message: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(createHash("shake128", { outputLength: length }).update(message).digest());
}

/**
 * TurboSHAKE128(message, D) from @noble/hashes (RFC 9861; D = 0x1F unless given). noble refuses
 * dkLen = 0 (RFC 9861 takes L >= 1); the first 0 bytes of the stream are the empty string.
 */
function turbo(message: Uint8Array, length: number, domain = 0x1f): Uint8Array {
  return length === 0 ? new Uint8Array(0) : turboshake128(message, { dkLen: length, D: domain });
}

/** Uniform residues by the documented rule: 32-bit LE words masked to q's bit length, rejected when >= q. */
function expandReference(stream: Uint8Array, q: number, n: number): number[] {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const mask = 2 ** (32 - Math.clz32(q)) - 1;
  const out: number[] = [];
  for (let position = 0; out.length < n; position += 4) {
    const word = view.getUint32(position, true) & mask;
    if (word < q) out.push(word);
  }
  return out;
}

const seed0to31 = Uint8Array.from({ length: 32 }, (_, i) => i);

// Known answer for fillUniformSeeded(poly, bytes 0..31, "uniform") over [1073479681, 12289] with
// N = 16 (limb i expands TurboSHAKE128(seededMessage(seed, "uniform/i"), D = 0x1F)), computed
// independently with @noble/hashes' turboshake128 and the documented mask-and-reject rule.
const KAT_SEEDED_FIRST_LIMB = [400809828, 211814911, 674388114, 645845860, 556600461, 981258383, 702349386, 1053752186];
const KAT_SEEDED_SECOND_LIMB = [4623, 9556, 6433, 4191, 7070, 12178, 11006, 135];

describe("seededMessage", () => {
  it("is u16le(utf8 length of the label) || utf8(label) || seed", () => {
    expect(Array.from(seededMessage(Uint8Array.from([9, 8]), "ab"))).toEqual([2, 0, 97, 98, 9, 8]);
    expect(Array.from(seededMessage(Uint8Array.from([1]), "é"))).toEqual([2, 0, 0xc3, 0xa9, 1]);
    const long = "x".repeat(300);
    const message = seededMessage(seed0to31, long);
    expect(Array.from(message.subarray(0, 2))).toEqual([300 & 255, 300 >> 8]);
    expect(message.length).toBe(2 + 300 + 32);
    expect(message.subarray(302)).toEqual(seed0to31);
  });
});

/** The two sponges in the kernels and their independent references. */
const sponges = [
  { name: "SHAKE128 vs node:crypto", create: (heap: WasmHeap, m: Uint8Array) => new Shake128(heap, m), reference: shake },
  {
    name: "TurboSHAKE128 vs noble's turboshake128 (D = 0x1F)",
    create: (heap: WasmHeap, m: Uint8Array) => new TurboShake128(heap, m),
    reference: (m: Uint8Array, length: number) => turbo(m, length),
  },
];

describe.each(kernelBuilds)("sponges in the kernels (%s kernels)", (build) => {
  const heap = heapFor(build);

  describe.each(sponges)("$name", ({ create, reference }) => {
    it("matches the reference for messages around the 168-byte rate and any output length", () => {
      const length = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(0, 1, 166, 167, 168, 169, 335, 336, 337));
      fc.assert(
        fc.property(length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), fc.integer({ min: 0, max: 700 }), (message, outputLength) => {
          using xof = create(heap, message);
          const out = new Uint8Array(outputLength);
          xof.fill(out);
          expect(out).toEqual(reference(message, outputLength));
        }),
        { numRuns: 80 },
      );
    });

    it("continues the output across fills of any sizes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 10 }), (message, sizes) => {
          using xof = create(heap, message);
          const total = sizes.reduce((a, b) => a + b, 0);
          const out = new Uint8Array(total);
          let offset = 0;
          for (const size of sizes) {
            xof.fill(out.subarray(offset, offset + size));
            offset += size;
          }
          expect(out).toEqual(reference(message, total));
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe.each(kernelBuilds)("SHAKE128 in the kernels (%s kernels)", (build) => {
  const heap = heapFor(build);

  it("frees its state on dispose (idempotently) and refuses to be read afterwards", () => {
    const fresh = WasmHeap.create({ build, warmUp: false });
    const first = new Shake128(fresh, seed0to31); // also writes the constant table once
    first.dispose();
    const baseline = fresh.bytesInUse;
    const xof = new Shake128(fresh, seed0to31);
    expect(fresh.bytesInUse).toBeGreaterThan(baseline);
    xof.dispose();
    xof.dispose();
    xof[Symbol.dispose]();
    expect(fresh.bytesInUse).toBe(baseline);
    let thrown: unknown;
    try {
      xof.fill(new Uint8Array(4));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FheError);
    expect((thrown as FheError).code).toBe("DISPOSED");
  });

  it("zeroes its state when disposed", () => {
    const fresh = WasmHeap.create({ build, warmUp: false });
    new Shake128(fresh, seed0to31).dispose(); // constant table
    const before = fresh.u32().slice();
    const xof = new Shake128(fresh, seed0to31);
    xof.fill(new Uint8Array(10));
    xof.dispose();
    const after = fresh.u32();
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (after[i] !== before[i]) changed++;
    expect(changed).toBe(0);
  });

  it("expandUniformWith: the same limbs as two expandUniform calls; refuses a non-stream, overlapping outputs, bad n or q, a read stream", () => {
    const ring = new Ring({ logN: 4, heap });
    using poly = ring.allocate(ring.basis([12289, 65537]));
    using again = ring.allocate(ring.basis([12289, 65537]));
    {
      using a = new TurboShake128(heap, seed0to31);
      using b = new TurboShake128(heap, seed0to31.map((x) => x ^ 1));
      a.expandUniformWith(b, poly.limbAddress(0), 12289, poly.limbAddress(1), 65537, 16);
    }
    {
      using a = new TurboShake128(heap, seed0to31);
      using b = new TurboShake128(heap, seed0to31.map((x) => x ^ 1));
      a.expandUniform(again.limbAddress(0), 16, 12289);
      b.expandUniform(again.limbAddress(1), 16, 65537);
    }
    expect([readLimb(poly, 0), readLimb(poly, 1)]).toEqual([readLimb(again, 0), readLimb(again, 1)]);
    using a = new TurboShake128(heap, seed0to31);
    using b = new TurboShake128(heap, seed0to31);
    const at = poly.limbAddress(0);
    const fails = (f: () => void) => expect(f).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    fails(() => a.expandUniformWith({} as never, at, 12289, at + 64, 12289, 16));
    fails(() => a.expandUniformWith(a, at, 12289, at + 64, 12289, 16));
    fails(() => a.expandUniformWith(b, at, 12289, at + 32, 12289, 16)); // overlapping outputs
    fails(() => a.expandUniformWith(b, at, 12289, at + 64, 12289, -1));
    fails(() => a.expandUniformWith(b, at, 1, at + 64, 12289, 16));
    using shake = new Shake128(heap, seed0to31);
    fails(() => a.expandUniformWith(shake, at, 12289, at + 64, 12289, 16)); // other rounds
    b.fill(new Uint8Array(1));
    fails(() => a.expandUniformWith(b, at, 12289, at + 64, 12289, 16));
  });

  it("refuses expandUniform after bytes were read", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.allocate(ring.basis([12289]));
    using xof = new Shake128(heap, seed0to31);
    xof.fill(new Uint8Array(1));
    let thrown: unknown;
    try {
      xof.expandUniform(poly.limbAddress(0), 16, 12289);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FheError);
    expect((thrown as FheError).message).toMatch(/^cannot expand seed: /);
    poly.dispose();
  });

  // The message is not checked: null throws a TypeError (message.length) and a string such as
  // "abc" is absorbed as three zero bytes (TypedArray.set converts "a" to NaN, then 0).
  it("rejects a message that is not a Uint8Array", () => {
    for (const message of [null, undefined, "abc", [1, 2, 3], 5]) {
      let thrown: unknown;
      try {
        new Shake128(heap, message as never).dispose();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `message ${String(message)}`).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("keeps 24 rounds and D = 0x1F when given explicitly (SHAKE128)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 400 }), (message, outputLength) => {
        using xof = new Shake128(heap, message, 24, 0x1f);
        const out = new Uint8Array(outputLength);
        xof.fill(out);
        expect(out).toEqual(shake(message, outputLength));
      }),
      { numRuns: 30 },
    );
  });
});

describe.each(kernelBuilds)("TurboSHAKE128 in the kernels (%s kernels)", (build) => {
  const heap = heapFor(build);

  it("matches the RFC 9861 known answer for the empty message (D = 0x1F, 64 bytes)", () => {
    using xof = new TurboShake128(heap, new Uint8Array(0));
    const out = new Uint8Array(64);
    xof.fill(out);
    expect(Buffer.from(out).toString("hex")).toBe(
      "1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c"
      + "3e8ccae2a4dae56c84a04c2385c03c15e8193bdf58737363321691c05462c8df",
    );
  });

  it("is a Shake128 with 12 rounds and differs from SHAKE128", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 16, max: 400 }), (message, length) => {
        using xof = new TurboShake128(heap, message);
        expect(xof).toBeInstanceOf(Shake128);
        const out = new Uint8Array(length);
        xof.fill(out);
        expect(out).not.toEqual(shake(message, length));
      }),
      { numRuns: 50 },
    );
  });

  it("Shake128(heap, message, 12, D) is TurboSHAKE128 with domain byte D (0x01..0x7F)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0x01, max: 0x7f }), fc.integer({ min: 0, max: 400 }), (message, domain, outputLength) => {
        using xof = new Shake128(heap, message, 12, domain);
        const out = new Uint8Array(outputLength);
        xof.fill(out);
        expect(out).toEqual(turbo(message, outputLength, domain));
      }),
      { numRuns: 60 },
    );
  });

  it("expandUniform reads the masked TurboSHAKE128 words with rejection", () => {
    const ring = new Ring({ logN: 6, heap });
    const primes = [...generateNttPrimes({ logN: 6, bits: 30, count: 1 }), 12289, 40961];
    const poly = ring.allocate(ring.basis(primes));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        primes.forEach((q, i) => {
          using xof = new TurboShake128(heap, message);
          xof.expandUniform(poly.limbAddress(i), ring.n, q);
          expect(Array.from(readLimb(poly, i)), `q = ${q}`).toEqual(expandReference(turbo(message, 64 * ring.n + 4096), q, ring.n));
        });
      }),
      { numRuns: 20 },
    );
    poly.dispose();
  });

  it("frees and zeroes its state on dispose and refuses to be read afterwards", () => {
    const fresh = WasmHeap.create({ build, warmUp: false });
    new TurboShake128(fresh, seed0to31).dispose(); // constant table
    const before = fresh.u32().slice();
    const baseline = fresh.bytesInUse;
    const xof = new TurboShake128(fresh, seed0to31);
    expect(fresh.bytesInUse).toBeGreaterThan(baseline);
    xof.fill(new Uint8Array(10));
    xof.dispose();
    expect(fresh.bytesInUse).toBe(baseline);
    const after = fresh.u32();
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (after[i] !== before[i]) changed++;
    expect(changed).toBe(0);
    let thrown: unknown;
    try {
      xof.fill(new Uint8Array(4));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FheError);
    expect((thrown as FheError).code).toBe("DISPOSED");
  });

  it("backs SeededStream on an explicit heap, identically to noble's TurboSHAKE128", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), fc.integer({ min: 0, max: 500 }), (seed, domain, length) => {
        using stream = new SeededStream(seed, domain, heap);
        const out = new Uint8Array(length);
        stream.fill(out);
        expect(out).toEqual(turbo(seededMessage(seed, domain), length));
      }),
      { numRuns: 40 },
    );
  });
});

describe.each(kernelBuilds)("fillUniformSeeded (%s kernels)", (build) => {
  const heap = heapFor(build);

  it("expands limb i from TurboSHAKE128(seededMessage(seed, domain + '/' + i)) as documented", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.shuffledSubarray([...generateNttPrimes({ logN: 8, bits: 30, count: 2 }), 7681, 12289, 40961], { minLength: 1, maxLength: 4 }),
        (seed, domain, logN, primes) => {
          const ring = new Ring({ logN, heap });
          const poly = ring.allocate(ring.basis(primes));
          fillUniformSeeded(poly, seed, domain);
          primes.forEach((q, i) => {
            const stream = turbo(seededMessage(seed, `${domain}/${i}`), 64 * ring.n + 4096);
            expect(Array.from(readLimb(poly, i)), `limb ${i}`).toEqual(expandReference(stream, q, ring.n));
          });
          poly.dispose();
        },
      ),
      { numRuns: 40 },
    );
  });

  it("matches the recorded known answer for seed 0..31", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.allocate(ring.basis([1073479681, 12289]));
    fillUniformSeeded(poly, seed0to31, "uniform");
    expect(Array.from(readLimb(poly, 0)).slice(0, 8)).toEqual(KAT_SEEDED_FIRST_LIMB);
    expect(Array.from(readLimb(poly, 1)).slice(0, 8)).toEqual(KAT_SEEDED_SECOND_LIMB);
    expect(expandReference(turbo(seededMessage(seed0to31, "uniform/0"), 4096), 1073479681, 8)).toEqual(KAT_SEEDED_FIRST_LIMB);
    expect(expandReference(turbo(seededMessage(seed0to31, "uniform/1"), 4096), 12289, 8)).toEqual(KAT_SEEDED_SECOND_LIMB);
    // SHAKE128 over the same message would give other residues.
    expect(expandReference(shake(seededMessage(seed0to31, "uniform/0"), 4096), 1073479681, 8)).not.toEqual(KAT_SEEDED_FIRST_LIMB);
    poly.dispose();
  });

  it("is reproducible, separates seeds and domains, and is uniform (N = 2^12)", () => {
    const logN = 12;
    const ring = new Ring({ logN, heap });
    const q = generateNttPrimes({ logN, bits: 30, count: 1 })[0]!;
    const basis = ring.basis([q]);
    const a = ring.allocate(basis);
    const b = ring.allocate(basis);
    fillUniformSeeded(a, seed0to31, "a");
    fillUniformSeeded(b, seed0to31, "a");
    expect(readLimb(a, 0)).toEqual(readLimb(b, 0));
    fillUniformSeeded(b, seed0to31, "b");
    expect(readLimb(a, 0)).not.toEqual(readLimb(b, 0));
    fillUniformSeeded(b, Uint8Array.from(seed0to31, (x, i) => (i === 0 ? x ^ 1 : x)), "a");
    expect(readLimb(a, 0)).not.toEqual(readLimb(b, 0));
    const limb = Array.from(readLimb(a, 0));
    expect(limb.every((v) => v < q)).toBe(true);
    const mean = limb.reduce((s, v) => s + v, 0) / limb.length;
    expect(Math.abs(mean - (q - 1) / 2)).toBeLessThan((6 * q) / Math.sqrt(12 * limb.length));
    a.dispose();
    b.dispose();
  });

  it("expands limb 0 exactly like fillUniform over SeededStream(seed, domain + '/0')", () => {
    const ring = new Ring({ logN: 4, heap });
    const basis = ring.basis([1073479681, 12289]);
    const a = ring.allocate(basis);
    const b = ring.allocate(basis);
    fillUniformSeeded(a, seed0to31, "uniform");
    fillUniform(b, new SeededStream(seed0to31, "uniform/0", heap));
    expect(readLimb(a, 0)).toEqual(readLimb(b, 0)); // same stream, same rule
    expect(readLimb(a, 1)).not.toEqual(readLimb(b, 1)); // limb 1 has its own stream "uniform/1"
    a.dispose();
    b.dispose();
  });

  it("rejects a disposed polynomial", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.allocate(ring.basis([12289]));
    poly.dispose();
    let thrown: unknown;
    try {
      fillUniformSeeded(poly, seed0to31, "d");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FheError);
    expect((thrown as FheError).code).toBe("DISPOSED");
    expect((thrown as FheError).message).toMatch(/^cannot expand seed: /);
  });

  // Only out.assertLive(...) guards the target: {} or null throw a TypeError.
  it("rejects a target that is not a polynomial", () => {
    for (const target of [{}, null, 5]) {
      let thrown: unknown;
      try {
        fillUniformSeeded(target as never, seed0to31, "d");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
    }
  });

  // SeededStream checks its seed (checkSeed); fillUniformSeeded does not, so a 5-byte seed, a
  // string or an empty array silently expand to a valid-looking polynomial (null: TypeError).
  it("rejects a seed that is not a 32-byte Uint8Array", () => {
    const ring = new Ring({ logN: 4, heap });
    const poly = ring.allocate(ring.basis([12289]));
    for (const seed of [new Uint8Array(5), new Uint8Array(33), "abc", [], null]) {
      let thrown: unknown;
      try {
        fillUniformSeeded(poly, seed as never, "d");
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `seed ${String(seed)}`).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
    }
    poly.dispose();
  });
});
