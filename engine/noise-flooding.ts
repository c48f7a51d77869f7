// Noise flooding for decryptions shared with others (Li and Micciancio, EUROCRYPT 2021; Li,
// Micciancio, Schultz and Sorrell, CRYPTO 2022; OpenFHE's NOISE_FLOODING_DECRYPT mode).
//
// Decryption returns m + e + z with z a fresh Gaussian polynomial of standard deviation
// sigma = sqrt(12 tau) 2^(s/2) t, where t bounds the error's coefficients, tau is the number of
// decryptions an adversary sees and s the statistical security in bits: whatever the adversary
// does, its advantage from the decryptions is at most 2^-s. (The formula is OpenFHE's reading
// of Li et al.'s Corollary 2, without its sqrt(2N) factor since the game is played on
// coefficients; see OpenFHE's CKKS_NOISE_FLOODING.md.) The bound t comes from the measured error
// (noise-estimate.ts): the Gaussian tail bound t = sd sqrt(2 ln 2 (s + log2 2N)) holds for all N
// coefficients except with probability 2^-s (OpenFHE plugs in the standard deviation itself,
// 2 to 4 bits less). The width is rounded up to a whole number of bits, so it reveals only
// which power of two the error's norm falls under.

import { decodeHeadroomBits } from "./encoding/encoder.js";
import { measureNoise, type NoiseEstimate } from "./noise-estimate.js";
import { add, copy } from "./ring/arithmetic.js";
import type { RnsPoly } from "./ring/poly.js";
import { describe, FheError, isInteger } from "./ring/errors.js";
import { centeredCoefficients } from "./ring/float-io.js";
import { toCoefficients, toNtt } from "./ring/transforms.js";
import { fillWideGaussian, wideGaussianBoundBits } from "./ring/wide-gaussian.js";

/** How {@link Decryptor.decrypt} derives the flooding width from the ciphertext's noise. */
export interface NoiseFloodingOptions {
  /**
   * s: bits of statistical security, an integer in [1, 64] (default 30, as OpenFHE): an
   * adversary who sees the decryptions succeeds with probability at most 2^-s. Each bit costs
   * half a bit of precision.
   */
  readonly statisticalSecurity?: number;
  /**
   * tau: how many decryptions under this key an adversary may see, an integer in [1, 2^50]
   * (default 1). Precision drops by log2(tau) / 2 bits.
   */
  readonly queries?: number;
  /**
   * The slot values are real (imaginary parts zero), so the imaginary parts measure the noise
   * (default false). Needed at full packing (N/2 slots); with fewer slots the coefficients
   * outside the packing subring measure it anyway. Complex values declared real inflate the
   * width (a safe but costly mistake).
   */
  readonly realValues?: boolean;
}

/** The flooding width of one decryption, as {@link Decryptor.floodingWidth} reports it. */
export interface FloodingWidth {
  /** The flooding noise's standard deviation is 2^bits (an integer). */
  readonly bits: number;
  /** The largest `bits` this ciphertext's level can take (message + flooding stay decodable). */
  readonly maxBits: number;
  /** The measured noise the width was derived from (absent for an explicit noiseFloodingBits). */
  readonly noise?: NoiseEstimate;
}

/** A validated flooding request: an explicit width, or the parameters to derive one. */
export type FloodingRequest =
  | { readonly kind: "explicit"; readonly bits: number }
  | { readonly kind: "derived"; readonly statisticalSecurity: number; readonly queries: number; readonly realValues: boolean };

/** The preset suggested when a level cannot hold the flooding noise. */
const presetWithHeadroom = "presets.flooding14 (scale 2^59)";

/**
 * Validates the flooding options of a decryption: `noiseFloodingBits` (an explicit width) or
 * `noiseFlooding` (derived), not both. Undefined when neither is given.
 */
export function floodingRequest(noiseFloodingBits: unknown, noiseFlooding: unknown, operation: string): FloodingRequest | undefined {
  if (noiseFloodingBits !== undefined && noiseFlooding !== undefined) {
    throw new FheError("INVALID_ARGUMENT", operation, "give noiseFloodingBits (an explicit width) or noiseFlooding (a derived one), not both");
  }
  if (noiseFloodingBits !== undefined) {
    if (!isInteger(noiseFloodingBits) || noiseFloodingBits < 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `noiseFloodingBits must be an integer >= 1, got ${describe(noiseFloodingBits)}`);
    }
    return { kind: "explicit", bits: noiseFloodingBits };
  }
  if (noiseFlooding === undefined) return undefined;
  if (noiseFlooding === null || typeof noiseFlooding !== "object") {
    throw new FheError("INVALID_ARGUMENT", operation, `noiseFlooding must be an object, got ${describe(noiseFlooding)}`);
  }
  const { statisticalSecurity = 30, queries = 1, realValues = false } = noiseFlooding as NoiseFloodingOptions;
  if (!isInteger(statisticalSecurity) || statisticalSecurity < 1 || statisticalSecurity > 64) {
    throw new FheError("INVALID_ARGUMENT", operation, `noiseFlooding.statisticalSecurity must be an integer in [1, 64], got ${describe(statisticalSecurity)}`);
  }
  if (!isInteger(queries) || queries < 1 || queries > 2 ** 50) {
    throw new FheError("INVALID_ARGUMENT", operation, `noiseFlooding.queries must be an integer in [1, 2^50], got ${describe(queries)}`);
  }
  if (typeof realValues !== "boolean") {
    throw new FheError("INVALID_ARGUMENT", operation, `noiseFlooding.realValues must be a boolean, got ${describe(realValues)}`);
  }
  return { kind: "derived", statisticalSecurity, queries, realValues };
}

/**
 * log2 of the flooding deviation for an error of standard deviation `noise` over N
 * coefficients, rounded up: sqrt(12 queries) 2^(s/2) t with t the tail bound of the error.
 */
export function derivedFloodingBits(noise: NoiseEstimate, n: number, statisticalSecurity: number, queries: number): number {
  const tail = Math.sqrt(2 * Math.LN2 * (statisticalSecurity + Math.log2(2 * n)));
  const bound = Math.max(1, noise.standardDeviation * tail); // errors are integers: at least 1
  return Math.ceil(0.5 * Math.log2(12 * queries) + statisticalSecurity / 2 + Math.log2(bound));
}

/** The decrypted polynomial with the metadata flooding needs. */
export interface Decryption {
  /** m + e over Q at the ciphertext's level (either form; left unchanged). */
  readonly poly: RnsPoly;
  readonly level: number;
  readonly scale: number;
  readonly slots: number;
}

/**
 * The flooding width for `request` on `decryption`. Throws INVALID_ARGUMENT when the level
 * cannot hold the message plus the flooding noise: |m + e + z| must stay below Q/2 (else the
 * decryption wraps) and below scale * 2^63 (what decode reads).
 */
export function planFlooding(decryption: Decryption, request: FloodingRequest, operation: string): FloodingWidth {
  const { poly, level, scale, slots } = decryption;
  let bits = 0;
  let noise: NoiseEstimate | undefined;
  if (request.kind === "derived") {
    noise = measureNoise(poly, slots, request.realValues, operation);
    bits = derivedFloodingBits(noise, poly.n, request.statisticalSecurity, request.queries);
  } else {
    bits = request.bits;
  }
  const logQ = poly.basis.primes.reduce((sum, q) => sum + Math.log2(q), 0);
  const capacity = Math.min(logQ, Math.log2(scale) + decodeHeadroomBits) - 1;
  const logLargest = Math.log2(largestCoefficient(poly) + 1);
  const logRoom = logLargest < capacity ? capacity + Math.log2(1 - 2 ** (logLargest - capacity)) : -Infinity;
  const maxBits = largestFittingBits(logRoom);
  if (bits > maxBits) {
    const origin = noise === undefined ? "" : ` (derived from the measured noise, sd 2^${Math.log2(noise.standardDeviation).toFixed(1)})`;
    const available = maxBits < 0 ? "no flooding fits" : `at most 2^${maxBits} fits`;
    throw new FheError("INVALID_ARGUMENT", operation,
      `noise flooding of 2^${bits}${origin} needs ${bits} bits of width, but level ${level} holds ${capacity.toFixed(1)} bits ` +
      `and the decryption already takes ${logLargest.toFixed(1)}: ${available}; decrypt at a higher level, or use a preset ` +
      `with headroom such as ${presetWithHeadroom}`);
  }
  return noise === undefined ? { bits, maxBits } : { bits, maxBits, noise };
}

/** Adds a fresh Gaussian polynomial of standard deviation 2^bits to `decryption` (NTT form). */
export function addFloodingNoise(decryption: RnsPoly, bits: number): void {
  using noise = decryption.ring.allocate(decryption.basis, { secret: true, scoped: true });
  fillWideGaussian(noise, bits);
  toNtt(noise);
  add(decryption, decryption, noise);
}

/** The largest integer b >= 0 whose flooding noise stays below 2^logRoom (-1 when none). */
function largestFittingBits(logRoom: number): number {
  let bits = Math.floor(logRoom);
  while (bits >= 0 && wideGaussianBoundBits(bits) > logRoom) bits--;
  return Math.max(bits, -1);
}

/** max |coefficient| of `poly` (centered, as a float). */
function largestCoefficient(poly: RnsPoly): number {
  using coefficients = poly.ring.allocate(poly.basis, { secret: true, scoped: true });
  copy(coefficients, poly);
  toCoefficients(coefficients);
  const values = centeredCoefficients(coefficients, poly.basis.size, Int32Array.from({ length: poly.n }, (_, i) => i));
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  values.fill(0);
  return largest;
}
