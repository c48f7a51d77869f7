// The configurations `npm run bench:bootstrap` measures: a parameter literal and a
// bootstrapping shape each. `bootstrap16` is the 128-bit target (a weight-192 secret within
// the published bound, engine/security.ts); `n15-insecure` is not secure (log QP above the
// bound for N = 2^15): it measures the circuit at that ring size, where no 128-bit chain of
// uniform levels holds it yet (README, "Bootstrapping").
import type { BootstrappingLiteral, ParametersLiteral } from "../engine/index.js";

export interface BootstrapConfig {
  readonly parameters: ParametersLiteral;
  readonly bootstrapping: BootstrappingLiteral;
  readonly secure: boolean;
}

export const bootstrapConfigs: Readonly<Record<string, BootstrapConfig>> = Object.freeze({
  /**
   * N = 2^16, h = 192, log QP ~1525 of 1553: q_0 of 55 bits (Q_0 / scale = 2^5), 24 levels of
   * 2^50, 9 special primes (6 digits); 8 levels left.
   */
  bootstrap16: {
    parameters: { logN: 16, logScale: 50, depth: 24, logBaseModulus: 55, specialPrimes: 9, hammingWeight: 192 },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: true,
  },
  /** The same with 22 levels and 13 special primes (4 digits, faster key switching); 6 levels left. */
  "bootstrap16-fast": {
    parameters: { logN: 16, logScale: 50, depth: 22, logBaseModulus: 55, specialPrimes: 13, hammingWeight: 192 },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: true,
  },
  /** N = 2^15, h = 192, 19 levels of 2^50, 4 special primes: log QP ~1130, far above 768 (insecure). */
  "n15-insecure": {
    parameters: { logN: 15, logScale: 50, depth: 19, logBaseModulus: 55, specialPrimes: 4, hammingWeight: 192, allowInsecureParametersForTesting: true },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: false,
  },
  /** N = 2^14, h = 192, the same chain: insecure; a quick run. */
  "n14-insecure": {
    parameters: { logN: 14, logScale: 50, depth: 19, logBaseModulus: 55, specialPrimes: 4, hammingWeight: 192, allowInsecureParametersForTesting: true },
    bootstrapping: { degree: 62, doubleAngles: 4 },
    secure: false,
  },
});
