// The modulus chain of a checked literal: level primes chosen around the scale, base primes,
// special primes P, and the split of Q into key-switching digits.

import { describe, FheError } from "./ring/errors.js";
import { generateNttPrimes, maxPrimeBits } from "./ring/primes.js";
import { chooseLevelPrimes } from "./modulus-chain.js";
import { invalidParameters, optionalInteger, type CanonicalLiteral, type CheckedLiteral } from "./parameters-literal.js";
import { maxLogQP128 } from "./security.js";

/** Everything derived from a checked literal: the modulus chain and the key-switching split. */
export interface Chain {
  readonly logN: number;
  readonly logScale: number;
  readonly depth: number;
  readonly primesPerLevel: number;
  readonly basePrimeCount: number;
  readonly qPrimes: readonly number[];
  readonly pPrimes: readonly number[];
  readonly digits: number;
  readonly digitSize: number;
  readonly hammingWeight: number | undefined;
  readonly sigma: number;
  readonly logQ: number;
  readonly logQP: number;
  /** The filled-in literal except the insecure flag, which depends on the security check. */
  readonly literal: Omit<CanonicalLiteral, "allowInsecureParametersForTesting">;
}

function primesOrThrow(logN: number, bits: number, count: number, exclude: number[], role: string): number[] {
  try {
    return generateNttPrimes({ logN, bits, count, exclude });
  } catch (error) {
    const reason = error instanceof FheError ? error.reason : String(error);
    throw invalidParameters(`not enough NTT-friendly primes for the ${role} (${count} of ${bits.toFixed(1)} bits for N = 2^${logN}): ${reason}`);
  }
}

/** log2 of the product of `primes`. */
export const log2Product = (primes: readonly number[]): number => primes.reduce((sum, q) => sum + Math.log2(q), 0);

/** Generates the primes of a checked literal and splits Q into key-switching digits. */
export function deriveChain(l: CheckedLiteral): Chain {
  const { logN, logScale, depth, sigma, hammingWeight } = l;
  const primesPerLevel = Math.ceil(logScale / maxPrimeBits);
  let levelPrimes: number[];
  try {
    levelPrimes = chooseLevelPrimes(logN, logScale, primesPerLevel, depth);
  } catch (error) {
    const reason = error instanceof FheError ? error.reason : describe(error);
    throw invalidParameters(`not enough NTT-friendly primes of ${(logScale / primesPerLevel).toFixed(1)} bits for ${primesPerLevel * depth} levels at N = 2^${logN}: ${reason}`);
  }
  const basePrimeCount = Math.ceil(l.logBaseModulus / maxPrimeBits);
  const basePrimes = primesOrThrow(logN, l.logBaseModulus / basePrimeCount, basePrimeCount, levelPrimes, "base modulus");
  const qPrimes = [...basePrimes, ...levelPrimes];
  const logQ = log2Product(qPrimes);
  const qLimbs = qPrimes.length;

  let specialCount = optionalInteger(l.specialPrimes, "specialPrimes", 1, qLimbs);
  const digitsRequested = optionalInteger(l.digits, "digits", 1, qLimbs);
  if (specialCount === undefined && digitsRequested !== undefined) specialCount = Math.ceil(qLimbs / digitsRequested);
  if (specialCount === undefined) {
    // As many special primes as the security bound allows: fewer digits, faster key switching.
    const bound = l.allowInsecure ? Infinity : maxLogQP128[logN] ?? 0;
    specialCount = Math.max(1, Math.min(qLimbs, Math.floor((bound - logQ) / maxPrimeBits)));
  }
  const pPrimes = primesOrThrow(logN, maxPrimeBits, specialCount, qPrimes, "special primes");
  const digitSize = digitsRequested !== undefined ? Math.ceil(qLimbs / digitsRequested) : specialCount;
  const digits = Math.ceil(qLimbs / digitSize);
  const logP = log2Product(pPrimes);
  const maxDigitBits = Math.max(...Array.from({ length: digits }, (_, j) => log2Product(qPrimes.slice(j * digitSize, (j + 1) * digitSize))));
  if (logP + 1e-9 < maxDigitBits - 1) {
    throw invalidParameters(`the special modulus P (${logP.toFixed(1)} bits) must be at least as large as a key-switching digit (${maxDigitBits.toFixed(1)} bits): use more special primes or more digits`);
  }
  return {
    logN, logScale, depth, primesPerLevel, basePrimeCount, qPrimes, pPrimes, digits, digitSize, hammingWeight, sigma,
    logQ, logQP: logQ + logP,
    literal: {
      logN, logScale, depth, logBaseModulus: l.logBaseModulus, specialPrimes: specialCount, sigma,
      ...(digitsRequested === undefined ? {} : { digits: digitsRequested }),
      ...(hammingWeight === undefined ? {} : { hammingWeight }),
    },
  };
}

