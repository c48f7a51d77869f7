import { FheError } from "./ring/errors.js";

/**
 * Largest log2(QP) giving 128-bit classical security with a uniform ternary secret and
 * sigma = 3.19, from the Homomorphic Encryption Standard (2018), Table 1 (N = 2^10 .. 2^15)
 * and its extension to 2^16, 2^17 used by SEAL and OpenFHE.
 */
export const maxLogQP128: Readonly<Record<number, number>> = Object.freeze({
  10: 27, 11: 54, 12: 109, 13: 218, 14: 438, 15: 881, 16: 1747, 17: 3523,
});

/** The error width the HE standard's table assumes; a narrower error is not covered by it. */
export const standardSigma = 3.19;

/**
 * A secret of fixed Hamming weight h over N coefficients is one of C(N, h) * 2^h vectors. At
 * least 2^256 of them are required, always (even for tests): a meet-in-the-middle search over
 * the secret (Odlyzko) costs about the square root of that count, so fewer would let anyone
 * recover the key in under 2^128 steps whatever the modulus.
 */
export const minSecretSpaceBits = 256;

/** log2(C(n, h) * 2^h): the number of ternary secrets of weight h, in bits. */
export function fixedWeightSecretBits(n: number, h: number): number {
  let bits = h;
  for (let i = 0; i < h; i++) bits += Math.log2((n - i) / (i + 1));
  return bits;
}

/** The smallest Hamming weight with at least 2^{@link minSecretSpaceBits} secrets for ring degree n. */
export function minHammingWeight(n: number): number {
  let h = 1;
  while (h < n && fixedWeightSecretBits(n, h) < minSecretSpaceBits) h++;
  return h;
}

/**
 * Published 128-bit bounds for a sparse secret of Hamming weight exactly 192, by log2(N):
 * Lattigo's default bootstrapping sets N16QP1553H192H32 (N = 2^16, log QP up to 1553) and
 * N15QP768H192H32 (N = 2^15, log QP 768), from Bossuat, Troncoso-Pastoriza and Hubaux,
 * "Bootstrapping for Approximate Homomorphic Encryption with Negligible Failure-Probability by
 * Using Sparse-Secret Encapsulation" (ACNS 2022, ePrint 2022/024), estimated with the lattice
 * estimator including the attacks that exploit sparsity. No other weight or ring degree is
 * covered: those are refused as below 128-bit security.
 */
export const sparseSecretBounds: Readonly<Record<number, { readonly hammingWeight: number; readonly maxLogQP: number }>> = Object.freeze({
  15: Object.freeze({ hammingWeight: 192, maxLogQP: 768 }),
  16: Object.freeze({ hammingWeight: 192, maxLogQP: 1553 }),
});

/** What the 128-bit check looks at. */
export interface SecurityInputs {
  readonly logN: number;
  readonly logQP: number;
  /** Fixed Hamming weight of the secret; undefined: uniform ternary. */
  readonly hammingWeight: number | undefined;
  readonly sigma: number;
}

/**
 * Why a parameter set is outside what 128-bit security is established for, or undefined when
 * it is inside: log2(QP) at most {@link maxLogQP128}[logN], a uniform ternary secret, and
 * sigma >= 3.19; or a secret of weight exactly 192 within {@link sparseSecretBounds}. Other
 * sparse (fixed-weight) secrets are refused: no published table gives a 128-bit bound for
 * every N, weight and log QP, and the HE standard leaves low-weight keys out.
 */
export function securityViolation(p: SecurityInputs): string | undefined {
  const reasons: string[] = [];
  const sparse = sparseSecretBounds[p.logN];
  const publishedSparse = p.hammingWeight !== undefined && sparse !== undefined && sparse.hammingWeight === p.hammingWeight;
  const bound = publishedSparse ? sparse.maxLogQP : maxLogQP128[p.logN];
  if (bound === undefined || p.logQP > bound) {
    const which = publishedSparse ? ` with a secret of Hamming weight ${p.hammingWeight} (Lattigo, ePrint 2022/024)` : "";
    reasons.push(`log2(QP) = ${p.logQP.toFixed(1)} exceeds the 128-bit security bound ${bound ?? "(none)"} for N = 2^${p.logN}${which}`);
  }
  if (p.hammingWeight !== undefined && !publishedSparse) {
    reasons.push(`a secret of fixed Hamming weight ${p.hammingWeight} is not covered by the HE standard's 128-bit table, which holds for a uniform ternary secret (omit hammingWeight); the only sparse secrets with a published bound have weight 192 at N = 2^15 (log QP <= 768) and N = 2^16 (log QP <= 1553)`);
  }
  if (p.sigma < standardSigma) {
    reasons.push(`sigma = ${p.sigma} is below ${standardSigma}, the error width the HE standard's 128-bit table assumes`);
  }
  return reasons.length === 0 ? undefined : reasons.join("; ");
}

/**
 * Throws INVALID_PARAMETERS when the secret space of weight `hammingWeight` is below
 * 2^{@link minSecretSpaceBits} for ring degree n. Applies with and without the insecure option.
 */
export function checkSecretSpace(n: number, hammingWeight: number, operation: string): void {
  if (fixedWeightSecretBits(n, hammingWeight) >= minSecretSpaceBits) return;
  throw new FheError("INVALID_PARAMETERS", operation,
    `hammingWeight ${hammingWeight} leaves only 2^${fixedWeightSecretBits(n, hammingWeight).toFixed(1)} possible secrets for N = ${n}: ` +
    `at least 2^${minSecretSpaceBits} are required, even with allowInsecureParametersForTesting (use hammingWeight >= ${minHammingWeight(n)}, or omit it for a uniform ternary secret)`);
}
