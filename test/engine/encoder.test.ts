import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Encoder, Parameters, Plaintext, WasmHeap } from "../../engine/index.js";
import { clone, polyFromBigInts, polyToBigInts, toCoefficients, toNtt } from "../../engine/ring/index.js";
import { expectFheError, expectPrecision, pad, slotsFor, testLiterals, vectorArb, type Vec } from "../helpers/ckks.js";

const toVec = (d: { re: Float64Array; im: Float64Array }): Vec => ({ re: Array.from(d.re), im: Array.from(d.im) });

/** Centered integer coefficients of a plaintext (BigInt CRT, independent of the encoder). */
function coefficientsOf(params: Parameters, pt: Plaintext): bigint[] {
  using copy = clone(pt.poly);
  toCoefficients(copy);
  const q = copy.basis.product();
  return polyToBigInts(copy).map((c) => (c > q / 2n ? c - q : c));
}

/**
 * Encoding alone only rounds the coefficients (error <= 1/2 each): the slot error is about
 * sqrt(N)/scale, so the mean precision is at least log2(scale) - logN / 2 - 2 bits.
 */
const encodeBound = (p: Parameters, logScale = p.logScale): number => logScale - p.logN / 2 - 2;

describe.each(Object.entries(testLiterals))("encoder (%s parameters)", (_, literal) => {
  let params: Parameters;
  let encoder: Encoder;
  beforeAll(() => {
    params = Parameters.create(literal);
    encoder = new Encoder(params);
  });

  it("decode(encode(v)) ≈ v for real vectors of any length (property)", () => {
    fc.assert(fc.property(vectorArb(params.maxSlots, false), (v) => {
      using pt = encoder.encode(v.re);
      expect(pt.slots).toBe(slotsFor(v.re.length));
      expect(pt.level).toBe(params.maxLevel);
      expect(pt.scale).toBe(params.scale);
      const decoded = encoder.decode(pt);
      expect(decoded).toBeInstanceOf(Float64Array);
      expect(decoded.length).toBe(pt.slots);
      const full = toVec(encoder.decodeComplex(pt));
      expect(Array.from(decoded)).toEqual(full.re);
      expectPrecision(full, pad(v), encodeBound(params));
    }), { numRuns: 60 });
  });

  it("decodeComplex(encodeComplex(v)) ≈ v for complex vectors of any length (property)", () => {
    fc.assert(fc.property(vectorArb(params.maxSlots, true), (v) => {
      using pt = encoder.encodeComplex(v);
      expect(pt.slots).toBe(slotsFor(v.re.length));
      expectPrecision(toVec(encoder.decodeComplex(pt)), pad(v), encodeBound(params));
    }), { numRuns: 60 });
  });

  it("honours the level, scale and slots options (property)", () => {
    fc.assert(fc.property(
      vectorArb(64, true), fc.integer({ min: 0, max: params.maxLevel }), fc.integer({ min: 20, max: 45 }), fc.integer({ min: 0, max: 4 }),
      (v, level, logScale, extra) => {
        const slots = Math.min(params.maxSlots, slotsFor(v.re.length) * 2 ** extra);
        let pt: Plaintext;
        try {
          pt = encoder.encodeComplex(v, { level, scale: 2 ** logScale, slots });
        } catch (error) {
          // Only legitimate refusal: value * scale too large for the modulus at a low level.
          const e = expectFheError(() => { throw error; }, "INVALID_ARGUMENT", "encode");
          expect(e.message).toMatch(/too large/);
          expect(logScale + 2).toBeGreaterThan(params.basisQ(level).primes.reduce((s, q) => s + Math.log2(q), 0) - 20);
          return;
        }
        expect(pt.level).toBe(level);
        expect(pt.scale).toBe(2 ** logScale);
        expect(pt.slots).toBe(slots);
        expect(pt.poly.basis.size).toBe(params.limbsAt(level));
        expectPrecision(toVec(encoder.decodeComplex(pt)), pad(v, slots), encodeBound(params, logScale));
        pt.dispose();
      },
    ), { numRuns: 60 });
  });

  it("accepts typed arrays", () => {
    const values = [0.5, -0.25, 0.125, 1];
    for (const typed of [Float64Array.from(values), Float32Array.from(values)]) {
      using pt = encoder.encode(typed);
      expectPrecision(toVec(encoder.decodeComplex(pt)), pad({ re: values, im: [0, 0, 0, 0] }), encodeBound(params));
    }
    using pt = encoder.encodeComplex({ re: Int32Array.from([1, -1]), im: Int32Array.from([0, 1]) }, { level: 1 });
    expectPrecision(toVec(encoder.decodeComplex(pt)), { re: [1, -1], im: [0, 1] }, encodeBound(params));
  });

  it("encodes an empty vector as one zero slot", () => {
    using pt = encoder.encode([]);
    expect(pt.slots).toBe(1);
    const d = encoder.decodeComplex(pt);
    expect(Math.abs(d.re[0]!)).toBeLessThan(1e-9);
  });
});

describe("encoder known answers (canonical embedding with slots at zeta^(5^j))", () => {
  let params: Parameters;
  let encoder: Encoder;
  beforeAll(() => {
    params = Parameters.create(testLiterals.single);
    encoder = new Encoder(params);
  });

  it("a constant real vector is the constant polynomial c * scale", () => {
    using pt = encoder.encode(new Array<number>(params.maxSlots).fill(0.75));
    const coefficients = coefficientsOf(params, pt);
    expect(coefficients[0]).toBe(BigInt(0.75 * params.scale));
    expect(coefficients.slice(1).every((c) => c === 0n)).toBe(true);
  });

  it("the constant i in every slot is scale * X^(N/2)", () => {
    const n = params.maxSlots;
    using pt = encoder.encodeComplex({ re: new Array<number>(n).fill(0), im: new Array<number>(n).fill(1) });
    const coefficients = coefficientsOf(params, pt);
    expect(coefficients[params.n / 2]).toBe(BigInt(params.scale));
    expect(coefficients.filter((c) => c !== 0n).length).toBe(1);
  });

  it("the polynomial scale * X decodes to zeta^(5^j) in slot j (zeta = exp(i pi / N))", () => {
    const { n } = params;
    const coefficients = new Array<bigint>(n).fill(0n);
    coefficients[1] = BigInt(params.scale);
    const poly = polyFromBigInts(params.ring, params.basisQ(params.maxLevel), coefficients);
    toNtt(poly);
    using pt = new Plaintext(params, poly, params.maxLevel, params.scale, params.maxSlots);
    const d = encoder.decodeComplex(pt);
    let power = 1;
    for (let j = 0; j < params.maxSlots; j++) {
      const angle = (Math.PI * power) / n;
      expect(Math.abs(d.re[j]! - Math.cos(angle))).toBeLessThan(1e-9);
      expect(Math.abs(d.im[j]! - Math.sin(angle))).toBeLessThan(1e-9);
      power = (power * 5) % (2 * n);
    }
  });

  it("sparse packing repeats the vector: coefficients only at multiples of N / (2 slots)", () => {
    using pt = encoder.encodeComplex({ re: [0.1, 0.2, 0.3, 0.4], im: [0.4, 0.3, 0.2, 0.1] });
    const gap = params.n / 2 / 4;
    const coefficients = coefficientsOf(params, pt);
    coefficients.forEach((c, i) => {
      if (i % gap !== 0) expect(c).toBe(0n);
    });
  });
});

describe("encoder bad input", () => {
  let params: Parameters;
  let encoder: Encoder;
  beforeAll(() => {
    params = Parameters.create(testLiterals.single);
    encoder = new Encoder(params);
  });

  it("rejects values too large for the modulus", () => {
    // Level 0: a 50-bit modulus; 2^25 * 2^30 = 2^55 does not fit.
    const e = expectFheError(() => encoder.encode([2 ** 25], { level: 0 }), "INVALID_ARGUMENT", "encode");
    expect(e.message).toMatch(/too large/);
    expectFheError(() => encoder.encode([1], { level: 0, scale: 2 ** 60 }), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encodeComplex({ re: [0], im: [-(2 ** 200)] }), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode([Number.MAX_VALUE]), "INVALID_ARGUMENT", "encode");
    // Just inside the limit it still works.
    using pt = encoder.encode([2 ** 15], { level: 0 });
    expect(Math.abs(encoder.decode(pt)[0]! - 2 ** 15)).toBeLessThan(2 ** -10);
  });

  it("rejects non-finite values (property)", () => {
    fc.assert(fc.property(
      vectorArb(32, true), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), fc.boolean(),
      (v, index, bad, imaginary) => {
        const i = index % v.re.length;
        const re = [...v.re];
        const im = [...v.im];
        (imaginary ? im : re)[i] = bad;
        expectFheError(() => encoder.encodeComplex({ re, im }), "INVALID_ARGUMENT", "encode");
        if (!imaginary) expectFheError(() => encoder.encode(re), "INVALID_ARGUMENT", "encode");
      },
    ), { numRuns: 100 });
  });

  it("rejects wrong slots options (property)", () => {
    const badSlots = fc.oneof(
      fc.integer({ min: -10, max: 3 * params.maxSlots }).filter((s) => s < 1 || s > params.maxSlots || (s & (s - 1)) !== 0),
      fc.constantFrom(0.5, 1.5, NaN, Infinity, 2 * params.maxSlots),
    );
    fc.assert(fc.property(badSlots, (slots) => {
      expectFheError(() => encoder.encode([0.5], { slots }), "INVALID_ARGUMENT", "encode");
    }), { numRuns: 200 });
    // Fewer slots than values.
    expectFheError(() => encoder.encode([1, 2, 3], { slots: 2 }), "INVALID_ARGUMENT", "encode");
    // More values than N/2.
    expectFheError(() => encoder.encode(new Array<number>(params.maxSlots + 1).fill(0)), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode([1], { slots: "4" as unknown as number }), "INVALID_ARGUMENT", "encode");
  });

  it("rejects wrong levels and scales", () => {
    for (const level of [-1, params.maxLevel + 1, 0.5, NaN, "1"]) {
      expectFheError(() => encoder.encode([0.5], { level: level as number }), "INVALID_ARGUMENT", "encode");
    }
    for (const scale of [0, 0.5, -(2 ** 30), NaN, Infinity, "1024"]) {
      expectFheError(() => encoder.encode([0.5], { scale: scale as number }), "INVALID_ARGUMENT", "encode");
    }
  });

  it("rejects malformed vectors", () => {
    expectFheError(() => encoder.encodeComplex({ re: [1, 2], im: [1] }), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encodeComplex({ re: [1, 2] } as never), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encodeComplex([1, 2] as never), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode("0.5" as never), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode({ length: 2, 0: 1, 1: 2 } as never), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode([{}] as never), "INVALID_ARGUMENT", "encode");
    expectFheError(() => encoder.encode([undefined] as never), "INVALID_ARGUMENT", "encode");
  });

  it("decode rejects plaintexts of other parameters and disposed plaintexts", () => {
    const other = Parameters.create(testLiterals.composite);
    using foreign = new Encoder(other).encode([0.5]);
    expectFheError(() => encoder.decode(foreign), "MISMATCHED_OPERANDS", "decode");
    // Same literal, but another Parameters object (on another heap: equal parameters on one
    // heap are one object): still rejected (operands must share parameters and heap).
    const twin = Parameters.create(testLiterals.single, { heap: WasmHeap.create({ warmUp: false }) });
    using twinPt = new Encoder(twin).encode([0.5]);
    expectFheError(() => encoder.decode(twinPt), "MISMATCHED_OPERANDS", "decode");
    const pt = encoder.encode([0.5]);
    pt.dispose();
    expectFheError(() => encoder.decode(pt), "DISPOSED", "decode");
    expectFheError(() => encoder.decodeComplex({} as never), "INVALID_ARGUMENT", "decode");
  });
});
