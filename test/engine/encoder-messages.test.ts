// The encoder's refusals say what went wrong and what to do: how many values fit and which
// preset holds more, which value is not a finite number, and which scales are possible.

import { describe, expect, it } from "vitest";
import { Encoder, Parameters, presets } from "../../engine/index.js";
import { expectFheError } from "../helpers/ckks.js";

describe("encoder messages", () => {
  it("10,000 values into 8,192 slots: says how many fit and which presets hold them (regression)", () => {
    const encoder = new Encoder(Parameters.create(presets.inference14));
    const error = expectFheError(() => encoder.encode(new Float64Array(10_000)), "INVALID_ARGUMENT", "encode");
    expect(error.message).toBe(
      "cannot encode: 10000 values do not fit: at most 8192 values fit at these parameters (N = 2^14); presets that hold 10000: inference15 or standard15 (16384 slots)");
  });

  it("names the smallest presets that hold the values, or none", () => {
    const encoder = new Encoder(Parameters.create({ logN: 11, logScale: 30, depth: 1, allowInsecureParametersForTesting: true }));
    expect(expectFheError(() => encoder.encode(new Float64Array(1500)), "INVALID_ARGUMENT", "encode").message)
      .toMatch(/at most 1024 values fit at these parameters \(N = 2\^11\); presets that hold 1500: inference13 or inference13Deep or standard13 \(4096 slots\)$/);
    expect(expectFheError(() => encoder.encodeComplex({ re: new Float64Array(40_000), im: new Float64Array(40_000) }), "INVALID_ARGUMENT", "encode").message)
      .toMatch(/presets that hold 40000: none \(the largest preset has 32768 slots\)$/);
    // A slot count that is merely wrong keeps its own message.
    expect(expectFheError(() => encoder.encode([1, 2, 3], { slots: 2 }), "INVALID_ARGUMENT", "encode").message)
      .toBe("cannot encode: slots must be a power of two in [3, 1024], got 2 for 3 values");
  });

  it("names the index and the value that is not a finite number (regression)", () => {
    const encoder = new Encoder(Parameters.create({ logN: 11, logScale: 30, depth: 1, allowInsecureParametersForTesting: true }));
    const cases: [() => unknown, string][] = [
      [() => encoder.encode([1, NaN]), "value at index 1 is NaN"],
      [() => encoder.encode([0, 1, -Infinity]), "value at index 2 is -Infinity"],
      [() => encoder.encode([0.5, "x"] as never), 'value at index 1 is "x"'],
      [() => encoder.encodeComplex({ re: [1, 2, 3], im: [0, 0, Infinity] }), "imaginary part at index 2 is Infinity"],
    ];
    for (const [call, reason] of cases) {
      expect(expectFheError(call, "INVALID_ARGUMENT", "encode").message).toBe(`cannot encode: ${reason}; every value must be a finite number`);
    }
  });

  it("scales of 2^1000, Infinity, NaN or below 1 are refused, even where Q has over 1000 bits (regression)", () => {
    // Q of about 1250 bits: 2^1000 is below Q, but no scaled value could be rounded to 64 bits.
    const params = Parameters.create({ logN: 11, logScale: 30, depth: 40, allowInsecureParametersForTesting: true });
    expect(params.logQ).toBeGreaterThan(1000);
    const encoder = new Encoder(params);
    for (const scale of [2 ** 1000, 2 ** 63, Infinity, NaN, 0.5, -1, 0, "big"]) {
      const error = expectFheError(() => encoder.encode([0, 0], { scale: scale as number }), "INVALID_ARGUMENT", "encode");
      expect(error.message).toMatch(new RegExp(`^cannot encode: scale must be a number in \\[1, 2\\^63\\) at level 40 .*, got `));
    }
    expect(expectFheError(() => encoder.encode([0], { scale: 2 ** 1000 }), "INVALID_ARGUMENT").message).toMatch(/got 2\^1000\.0$/);
    expect(encoder.encode([1e-9], { scale: 2 ** 62 }).scale).toBe(2 ** 62);
  });

  it("a scale must stay below half the modulus at its level", () => {
    const params = Parameters.create({ logN: 11, logScale: 30, depth: 1, allowInsecureParametersForTesting: true });
    const encoder = new Encoder(params);
    const logQ0 = params.qPrimes.slice(0, params.limbsAt(0)).reduce((sum, q) => sum + Math.log2(q), 0);
    expect(expectFheError(() => encoder.encode([0], { level: 0, scale: 2 ** (logQ0 - 1) }), "INVALID_ARGUMENT", "encode").message)
      .toMatch(/scale must be a number in \[1, 2\^\d+(\.\d)?\) at level 0/);
    expect(encoder.encode([0], { level: 0, scale: 2 ** (logQ0 - 2) }).level).toBe(0);
  });
});
