// Bootstrapping presets: a parameter literal and a bootstrapping shape each, 128-bit secure
// unless named -insecure (README, "Bootstrapping"); `npm run bench:bootstrap` measures them.
import type { ParametersLiteral } from "../../parameters.js";
import type { BootstrappingLiteral } from "./bootstrapper.js";

export interface BootstrapPreset {
  readonly parameters: ParametersLiteral;
  readonly bootstrapping: BootstrappingLiteral;
  readonly secure: boolean;
}

export const bootstrapPresets: Readonly<Record<string, BootstrapPreset>> = Object.freeze({
  /**
   * N = 2^16, dense secret (HE standard, log QP ~1743 of 1747), sparse-secret encapsulation
   * (ephemeral weight 32, K = 16): q_0 of 53 bits (as bootstrap15: one pass 16.6 bits instead of
   * 14.8 with 55), 23 levels of 2^50, 18 special primes (3 digits); EvalMod degree 30 and 4
   * double angles: 8 levels left.
   */
  bootstrap16: {
    parameters: { logN: 16, logScale: 50, depth: 23, logBaseModulus: 53, specialPrimes: 18 },
    bootstrapping: { degree: 30, doubleAngles: 4, ephemeralHammingWeight: 32 },
    secure: true,
  },
  /**
   * N = 2^15, dense secret (log QP ~863 of 881), encapsulation (K = 16): q_0 of 53 bits, 15
   * levels of 2^50, 2 special primes (16 digits); DFTs of 2 levels, EvalMod degree 30 and 3
   * double angles: 3 levels left. One pass is limited by EvalMod's noise times Q_0 / scale, so
   * q_0 sits only 3 bits above the scale (55 bits gave 16.1 bits of precision, 53 give 17.3;
   * the sine's own error, (2 pi m / Q_0)^2 / 6 relative, stays below it): the last level holds
   * |value| < 4.
   */
  bootstrap15: {
    parameters: { logN: 15, logScale: 50, depth: 15, logBaseModulus: 53, specialPrimes: 2 },
    bootstrapping: { degree: 30, doubleAngles: 3, ephemeralHammingWeight: 32, coeffsToSlotsLevels: 2, slotsToCoeffsLevels: 2 },
    secure: true,
  },
  /**
   * N = 2^16, h = 192 main secret within the published bound (log QP ~1525 of 1553), no
   * encapsulation (K = 54): 24 levels of 2^50, 9 special primes (6 digits); EvalMod degree 62
   * and 4 double angles: 8 levels left.
   */
  "bootstrap16-h192": {
    parameters: { logN: 16, logScale: 50, depth: 24, logBaseModulus: 55, specialPrimes: 9, hammingWeight: 192 },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: true,
  },
  /** N = 2^14, h = 192, 19 levels of 2^50, 4 special primes: log QP ~1125, far above 438 (insecure); a quick run. */
  "n14-insecure": {
    parameters: { logN: 14, logScale: 50, depth: 19, logBaseModulus: 55, specialPrimes: 4, hammingWeight: 192, allowInsecureParametersForTesting: true },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: false,
  },
});
