import type { ParametersLiteral } from "./parameters.js";

// Named parameter sets, all at 128-bit security (HE standard, ternary secret). Each comment
// gives the depth, log2 QP, the key-switching split (special primes k, digits) and the
// precision measured after one mulRelin + rescale on random values in [-1, 1] (mean and worst
// slot, bits; test/engine/presets.test.ts checks them). Per-prime sizes stay at or below 29
// bits so that level primes exist on both sides of the scale and deep chains do not drift
// (see modulus-chain.ts).

/** Parameter presets by name. Pass one to `Parameters.create`. */
export const presets = Object.freeze({
  /** N = 2^13, scale 2^29, depth 4 (NN inference). log QP 195.0 (bound 218), k 1, 6 digits. Precision ~16 bits mean, ~12 worst. */
  inference13: { logN: 13, logScale: 29, depth: 4 },
  /** N = 2^13, scale 2^29, depth 5 (CryptoNets-size networks in batch packing: 4096 samples per ciphertext). log QP 215.0 (bound 218), k 1, 7 digits; q_0 of 40 bits (values up to 2^10 at level 0). Precision ~17 bits mean, ~13 worst. */
  inference13Deep: { logN: 13, logScale: 29, depth: 5, logBaseModulus: 40 },
  /** N = 2^13, scale 2^50 (two 25-bit primes per level), depth 2. log QP 190.0, k 1, 6 digits. Precision ~37 bits mean, ~33 worst. */
  standard13: { logN: 13, logScale: 50, depth: 2, logBaseModulus: 60 },
  /** N = 2^14, scale 2^29, depth 12: the deepest N = 2^14 chain, for NN inference. log QP 427.0 (bound 438), k 1, 14 digits. Precision ~15 bits mean, ~11 worst. */
  inference14: { logN: 14, logScale: 29, depth: 12 },
  /**
   * N = 2^14, scale 2^29, depth 6: inference at SEAL's usual depth with fast key switching. log QP
   * 343.0, k 4, 2 digits of 4 primes: the split with the fewest NTTs and base-conversion products
   * per key switch at the top level (48 NTTs against 60 with the 7 special primes the security
   * bound would allow), about 9% faster per polynomial evaluation. Precision ~15 bits mean, ~11 worst.
   */
  inference14Fast: { logN: 14, logScale: 29, depth: 6, specialPrimes: 4 },
  /**
   * N = 2^14 with headroom for noise flooding (decrypt with `noiseFlooding`, results shared with
   * others): the precision flooding costs is taken from a larger scale. log QP ~434, k 2,
   * 7 digits. Precision ~45 bits mean, ~40 worst; with flooding at s = 30 ~24 bits (README).
   */
  flooding14: {
    /** Ring degree 2^14 (8192 slots). */
    logN: 14,
    /** Scale 2^59, two 29.5-bit primes per level: flooding at s = 30 costs ~21 bits of it. */
    logScale: 59,
    /** Five rescalings: what 128-bit security leaves for 59-bit levels at N = 2^14. */
    depth: 5,
    /** q_0 of 79 bits (three primes): values up to 2^19 at level 0, next to 2^74 of flooding. */
    logBaseModulus: 79,
  },
  /** N = 2^14, scale 2^50, depth 6: SEAL's 2^40 precision or better (SEAL [60, 40x7, 60] reaches ~28.7 bits). log QP 420.0, k 2, 7 digits. Precision ~36 bits mean, ~31 worst. */
  standard14: { logN: 14, logScale: 50, depth: 6, logBaseModulus: 60 },
  /** N = 2^15, scale 2^29, depth 25 (NN inference). log QP 864.0 (bound 881), k 3, 9 digits. Precision ~14 bits mean, ~10 worst. */
  inference15: { logN: 15, logScale: 29, depth: 25 },
  /** N = 2^15, scale 2^50, depth 14. log QP 880.0, k 4, 8 digits. Precision ~35 bits mean, ~30 worst. */
  standard15: { logN: 15, logScale: 50, depth: 14, logBaseModulus: 60 },
  /** N = 2^16, scale 2^29, depth 52 (NN inference). log QP 1736.8 (bound 1747), k 6, 9 digits. Precision ~13 bits mean, ~9 worst. */
  inference16: { logN: 16, logScale: 29, depth: 52 },
  /** N = 2^16, scale 2^58 (two 29-bit primes per level), depth 26. log QP 1735.9, k 5, 11 digits. Precision ~42 bits mean, ~37 worst. */
  standard16: { logN: 16, logScale: 58, depth: 26 },
} satisfies Record<string, ParametersLiteral>);

export type PresetName = keyof typeof presets;
