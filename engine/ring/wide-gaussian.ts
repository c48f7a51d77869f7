// Gaussian polynomials of any width 2^bits, up to what an RNS modulus holds, without BigInt:
// widths above the float64 sampler's range are built from digits in base 2^k limb by limb,
// z = z_0 + 2^k (z_1 + 2^k (z_2 + ...)), the convolution method of Micciancio and Walter
// ("Gaussian sampling over the integers", CRYPTO 2017): each lower digit has deviation
// 2^42 >= 8 * 2^k, which smooths the lattice 2^k Z of the digits above it, so the sum is
// statistically close (distance far below 2^-100 from the smoothing, ~2^-86 per coefficient and
// digit from the base samples) to a Gaussian of deviation sqrt(sum of 2^(2 k i) sigma_i^2).

import { add, mulScalar } from "./arithmetic.js";
import { describe, FheError } from "./errors.js";
import { setIntegerCoefficients } from "./float-io.js";
import { checkOperands } from "./operands.js";
import type { RnsPoly } from "./poly.js";
import { cryptoRandom, type RandomSource } from "./random.js";
import { maxFloodingBaseSigma, sampleFloodingGaussian } from "./sampling.js";

const baseBits = Math.log2(maxFloodingBaseSigma);
/** Largest digit shift: the lower digits' deviation 2^baseBits is at least 8 * 2^k. */
const maxShiftBits = baseBits - 3;
/** The top digit keeps at least this deviation (so its base samples are near-discrete Gaussians). */
const minTopBits = baseBits - 2;

/** Largest `bits` accepted: far beyond any modulus (the digits stay below 2^1023 as floats). */
export const maxWideGaussianBits = 900;

/** Largest |sample| / sigma of the base sampler: sqrt(-2 ln u) for its smallest u, 2^-159. */
const maxBaseRatio = Math.sqrt(2 * 159 * Math.LN2);

/**
 * Overwrites `out` (coefficient form on exit) with a Gaussian polynomial of standard deviation
 * 2^bits (bits a real number in [0, 900]): rounded continuous Gaussian samples for widths up to
 * 2^42, digits combined in base 2^k in RNS above. The caller makes sure the modulus of `out`
 * holds the values (below 2^{@link wideGaussianBoundBits}). `out` should be a secret
 * polynomial; the float buffers are zeroed before they are dropped.
 */
export function fillWideGaussian(out: RnsPoly, bits: number, source: RandomSource = cryptoRandom): void {
  const operation = "sample wide Gaussian";
  checkOperands(operation, [out], "any");
  checkBits(bits, operation);
  const { n } = out.ring;
  const digits = digitPlan(bits);
  using digit = out.ring.allocate(out.basis, { secret: true, scoped: true });
  digits.forEach(({ sigma, shift }, i) => {
    const samples = sampleFloodingGaussian(n, sigma, source);
    try {
      if (i === 0) {
        setIntegerCoefficients(out, samples);
      } else {
        // Horner from the top digit down: out = out * 2^shift + digit.
        setIntegerCoefficients(digit, samples);
        mulScalar(out, out, 2 ** shift);
        add(out, out, digit);
      }
    } finally {
      samples.fill(0);
    }
  });
}

/**
 * log2 of the largest |coefficient| {@link fillWideGaussian} can produce for `bits`: every base
 * sample is below 14.85 sigma + 1/2, and the digits add up with their shifts.
 */
export function wideGaussianBoundBits(bits: number): number {
  checkBits(bits, "bound wide Gaussian");
  let bound = 0;
  for (const { sigma, shift } of digitPlan(bits)) bound = bound * 2 ** shift + maxBaseRatio * sigma + 0.5;
  return Math.log2(bound);
}

function checkBits(bits: unknown, operation: string): asserts bits is number {
  if (typeof bits !== "number" || !(bits >= 0 && bits <= maxWideGaussianBits)) {
    throw new FheError("INVALID_ARGUMENT", operation, `bits must be in [0, ${maxWideGaussianBits}], got ${describe(bits)}`);
  }
}

/**
 * The digits from the top one down: deviation and the shift applied before the next digit is
 * added. Exactly: 2^(2 bits) = sigma_top^2 * 2^(2 (k_1 + ... )) + ... + 2^(2 baseBits).
 */
function digitPlan(bits: number): { sigma: number; shift: number }[] {
  const lower: number[] = [];
  let logVariance = 2 * bits; // log2 of the variance still to produce, in units of the current digit
  while (logVariance / 2 > baseBits) {
    const shift = Math.min(maxShiftBits, Math.floor(logVariance / 2 - minTopBits));
    lower.push(shift);
    // Remove the lower digit's variance 2^(2 baseBits), then divide by 2^(2 shift).
    logVariance = logVariance + Math.log2(1 - 2 ** (2 * baseBits - logVariance)) - 2 * shift;
  }
  const plan = [{ sigma: 2 ** Math.max(0, logVariance / 2), shift: 0 }];
  for (let i = lower.length - 1; i >= 0; i--) plan.push({ sigma: maxFloodingBaseSigma, shift: lower[i]! });
  return plan;
}
