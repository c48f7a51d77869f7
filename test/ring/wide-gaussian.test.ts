// The flooding samplers: sampleFloodingGaussian (rounded Box-Muller over 159-bit uniforms, no
// tail cut, deviations up to 2^42) and fillWideGaussian (any width, digits in base 2^k combined
// limb by limb in RNS). Statistical checks use 6-sigma bounds: a correct sampler fails one about
// once in 5 * 10^8 runs.

import { describe, expect, it } from "vitest";
import { generateNttPrimes, polyToBigInts, Ring, type RandomSource } from "../../engine/ring/index.js";
import { maxFloodingBaseSigma, sampleFloodingGaussian } from "../../engine/ring/sampling.js";
import { fillWideGaussian, wideGaussianBoundBits } from "../../engine/ring/wide-gaussian.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";
import { expectFheError } from "../helpers/ckks.js";

/** A source of zero bytes: every uniform is the smallest the sampler can draw. */
const zeroSource: RandomSource = { fill: (bytes) => bytes.fill(0) };

/** Asserts that the sample variance of `values` fits sigma^2 within 6 standard errors. */
function expectVariance(values: readonly number[], sigma: number, label: string): void {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  expect(Math.abs(mean), `${label}: mean`).toBeLessThanOrEqual((6 * sigma) / Math.sqrt(n));
  const variance = values.reduce((a, b) => a + b * b, 0) / n;
  // Rounding to integers adds about 1/12 to the variance (Sheppard's correction, visible at
  // small sigma); the sample variance of a Gaussian has standard error sigma^2 sqrt(2 / n).
  const expected = sigma ** 2 + 1 / 12;
  expect(Math.abs(variance / expected - 1), `${label}: variance ${variance} for sigma ${sigma}`).toBeLessThanOrEqual(6 * Math.sqrt(2 / n));
}

describe("sampleFloodingGaussian", () => {
  it.each([1, 3.19, 2 ** 20, 2 ** 42])("sigma %d: integers with mean 0 and variance sigma^2", (sigma) => {
    const values = sampleFloodingGaussian(8192, sigma);
    expect(values.every((v) => Number.isInteger(v))).toBe(true);
    expectVariance(Array.from(values), sigma, `sigma ${sigma}`);
  });

  it("the fraction beyond 2 sigma is a Gaussian's (4.55%)", () => {
    const trials = 2 ** 16;
    const values = sampleFloodingGaussian(trials, 2 ** 30);
    const count = values.filter((v) => Math.abs(v) > 2 ** 31).length;
    const p = 0.0455;
    expect(Math.abs(count - trials * p)).toBeLessThanOrEqual(6 * Math.sqrt(trials * p * (1 - p)));
  });

  // The earlier sampler cut its tail at 6 sigma (and its 53-bit uniforms at 8.6): a cut tail is
  // a distribution an adversary can tell from a Gaussian with probability ~2^-29 per coefficient.
  it("does not cut the tail: the smallest uniform gives 14.85 sigma", () => {
    const sigma = 2 ** 20;
    const values = sampleFloodingGaussian(4, sigma, zeroSource);
    expect(values[0]! / sigma).toBeCloseTo(Math.sqrt(2 * 159 * Math.LN2), 4);
    expect(values[1]).toBe(0); // the sine of the zero angle
  });

  it("rejects deviations outside [1, 2^42] and bad counts", () => {
    for (const sigma of [0, 0.5, 2 * maxFloodingBaseSigma, NaN, Infinity]) {
      expectFheError(() => sampleFloodingGaussian(8, sigma), "INVALID_ARGUMENT", "sample flooding Gaussian");
    }
    expectFheError(() => sampleFloodingGaussian(-1, 4), "INVALID_ARGUMENT", "sample flooding Gaussian");
  });
});

describe.each(kernelBuilds)("fillWideGaussian (%s kernels)", (build) => {
  const ring = new Ring({ logN: 11, heap: heapFor(build) });
  // 160 bits of modulus: room for the widest width tested.
  const basis = ring.basis(generateNttPrimes({ logN: 11, bits: 30, count: 5 }));
  const half = basis.product() / 2n;

  function centered(bits: number, source?: RandomSource): bigint[] {
    using poly = ring.allocate(basis, { secret: true, ntt: true });
    fillWideGaussian(poly, bits, source);
    expect(poly.isNtt).toBe(false);
    return polyToBigInts(poly).map((v) => (v > half ? v - basis.product() : v));
  }

  // 42: one base sample; 43: a 3-bit shift; 81: a full 39-bit digit and a small one; 120: three digits.
  it.each([10, 42, 43, 81, 120])("2^%i: variance 2^(2 bits), within its bound, odd and even alike", (bits) => {
    const values = centered(bits);
    expectVariance(values.map((v) => Number(v) / 2 ** bits), 1, `2^${bits}`);
    const bound = 2n ** BigInt(Math.ceil(wideGaussianBoundBits(bits)));
    expect(values.every((v) => (v < 0n ? -v : v) < bound)).toBe(true);
    // The low bits come from the lowest digit: they are uniform, not zero below the top digit's shift.
    const odd = values.filter((v) => (v & 1n) === 1n).length;
    expect(Math.abs(odd - values.length / 2)).toBeLessThanOrEqual(6 * Math.sqrt(values.length / 4));
  });

  // Every base sample at its largest value: the digits must add up with their shifts to the bound.
  it.each([42, 43, 81, 120])("2^%i from a zero source reaches the bound exactly (digits shifted right)", (bits) => {
    const values = centered(bits, zeroSource);
    expect(Math.log2(Number(values[0]!))).toBeCloseTo(wideGaussianBoundBits(bits), 6);
  });

  it("rejects widths outside [0, 900]", () => {
    using poly = ring.allocate(basis);
    for (const bits of [-1, 901, NaN, "8"]) {
      expectFheError(() => fillWideGaussian(poly, bits as number), "INVALID_ARGUMENT", "sample wide Gaussian");
    }
  });
});
