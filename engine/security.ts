import { FheError } from "./ring/errors.js";

/**
 * Largest log2(QP) giving 128-bit classical security with a ternary secret and sigma = 3.19,
 * from the Homomorphic Encryption Standard (2018), Table 1 (N = 2^10 .. 2^15) and its
 * extension to 2^16, 2^17 used by SEAL and OpenFHE.
 */
export const maxLogQP128: Readonly<Record<number, number>> = Object.freeze({
  10: 27, 11: 54, 12: 109, 13: 218, 14: 438, 15: 881, 16: 1747, 17: 3523,
});

/**
 * Throws INVALID_PARAMETERS when log2(QP) exceeds the 128-bit bound for N = 2^logN, unless
 * `insecure` (the explicitly named opt-out for tests) is set.
 */
export function enforceSecurity(logN: number, logQP: number, insecure: boolean): void {
  if (insecure) return;
  const bound = maxLogQP128[logN];
  if (bound === undefined || logQP > bound) {
    throw new FheError("INVALID_PARAMETERS", "create parameters",
      `log2(QP) = ${logQP.toFixed(1)} exceeds the 128-bit security bound ${bound ?? "(none)"} for N = 2^${logN}` +
      " (set allowInsecureParametersForTesting: true only in tests)");
  }
}
