// The JSON-friendly parameters literal: its keys, their ranges and defaults, and the checks
// that run before any prime is generated (unknown keys first, then each field).

import { describe, FheError, isInteger } from "./ring/errors.js";
import { defaultSigma } from "./ring/sampling.js";
import { checkSecretSpace } from "./security.js";

/** The JSON-friendly description of a CKKS parameter set. */
export interface ParametersLiteral {
  /** log2 of the ring degree N: an integer in [10, 17]. Slots: N/2. */
  readonly logN: number;
  /** log2 of the default scale: (0, 60]. Each level's modulus is ceil(logScale / 30) primes of about logScale / that many bits. */
  readonly logScale: number;
  /** Multiplicative depth: how many rescalings a fresh ciphertext allows, an integer in [0, 200]. */
  readonly depth: number;
  /** Bits of the base modulus q_0, in [logScale, 180] (default logScale + 20); it bounds |value| * scale at the last level. */
  readonly logBaseModulus?: number;
  /** Number of 30-bit special primes P for hybrid key switching (default: as many as 128-bit security allows). */
  readonly specialPrimes?: number;
  /** Number of digits for hybrid key switching (default: ceil(limbs of Q / special primes)). */
  readonly digits?: number;
  /** Fixed Hamming weight of the ternary secret; omitted: uniform ternary. Needs allowInsecureParametersForTesting. */
  readonly hammingWeight?: number;
  /** Standard deviation of the error distribution, in [1, 64] (default 3.19; below 3.19 needs allowInsecureParametersForTesting). */
  readonly sigma?: number;
  /** Accepts parameters below 128-bit security (log QP over the bound, a sparse secret, sigma < 3.19). For tests only. */
  readonly allowInsecureParametersForTesting?: boolean;
  /** When present (as in `Parameters.toJSON()`), must equal the fingerprint of the resulting parameters. */
  readonly fingerprint?: string;
}

/** The filled-in literal of a parameter set (what serializeParameters stores). */
export type CanonicalLiteral = Readonly<Required<Omit<ParametersLiteral, "hammingWeight" | "digits" | "fingerprint">>> & {
  readonly hammingWeight?: number;
  readonly digits?: number;
};

/** Every key a literal may have. */
export const literalKeys: readonly (keyof ParametersLiteral)[] = Object.freeze([
  "logN", "logScale", "depth", "logBaseModulus", "specialPrimes", "digits", "hammingWeight", "sigma",
  "allowInsecureParametersForTesting", "fingerprint",
]);

/** A literal whose fields have been checked and defaulted (the limb-dependent ones stay optional). */
export interface CheckedLiteral {
  readonly logN: number;
  readonly logScale: number;
  readonly depth: number;
  readonly logBaseModulus: number;
  /** Checked against the number of Q primes once it is known (see {@link optionalInteger}). */
  readonly specialPrimes: unknown;
  readonly digits: unknown;
  readonly hammingWeight: number | undefined;
  readonly sigma: number;
  readonly allowInsecure: boolean;
  readonly fingerprint: string | undefined;
}

const operation = "create parameters";

/** An INVALID_PARAMETERS error of `Parameters.create`. */
export function invalidParameters(reason: string): FheError {
  return new FheError("INVALID_PARAMETERS", operation, reason);
}

/** Levenshtein distance between a and b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Known keys this far from a typo (or closer) are suggested as "did you mean". */
const suggestionDistance = 3;

/**
 * Throws INVALID_PARAMETERS naming the first key of `literal` that is not a known key, with the
 * closest known key by edit distance (or the list of known keys when none is close).
 */
export function checkLiteralKeys(literal: object): void {
  for (const key of Object.keys(literal)) {
    if ((literalKeys as readonly string[]).includes(key)) continue;
    const distances = literalKeys.map((known) => ({ known, distance: editDistance(key.toLowerCase(), known.toLowerCase()) }));
    const closest = distances.reduce((best, d) => (d.distance < best.distance ? d : best));
    const hint = closest.distance <= suggestionDistance ? `did you mean "${closest.known}"?` : `known keys: ${literalKeys.join(", ")}`;
    throw invalidParameters(`unknown key ${describe(key)} (${hint})`);
  }
}

/** `value` when undefined or an integer in [min, max]; throws INVALID_PARAMETERS otherwise. */
export function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!isInteger(value) || value < min || value > max) throw invalidParameters(`${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  return value;
}

/**
 * Checks a literal (an object with known keys only, each field in range) and fills in the
 * defaults that do not depend on the primes. Throws INVALID_PARAMETERS ("create parameters").
 */
export function checkLiteral(literal: unknown): CheckedLiteral {
  if (literal === null || typeof literal !== "object" || Array.isArray(literal)) throw invalidParameters("expected a parameters literal object");
  checkLiteralKeys(literal);
  const l = literal as ParametersLiteral;
  const logN = optionalInteger(l.logN, "logN", 10, 17);
  if (logN === undefined) throw invalidParameters("logN is required");
  const { logScale } = l;
  if (typeof logScale !== "number" || !(logScale > 0 && logScale <= 60)) throw invalidParameters(`logScale must be in (0, 60], got ${describe(logScale)}`);
  const depth = optionalInteger(l.depth, "depth", 0, 200);
  if (depth === undefined) throw invalidParameters("depth is required");
  const logBaseModulus = l.logBaseModulus ?? logScale + 20;
  if (typeof logBaseModulus !== "number" || !(logBaseModulus >= logScale && logBaseModulus <= 180)) {
    throw invalidParameters(`logBaseModulus must be in [logScale, 180], got ${describe(logBaseModulus)}`);
  }
  const sigma = l.sigma ?? defaultSigma;
  if (typeof sigma !== "number" || !(sigma >= 1 && sigma <= 64)) throw invalidParameters(`sigma must be in [1, 64], got ${describe(sigma)}`);
  const allowInsecure = l.allowInsecureParametersForTesting ?? false;
  if (typeof allowInsecure !== "boolean") {
    throw invalidParameters(`allowInsecureParametersForTesting must be a boolean, got ${describe(allowInsecure)}`);
  }
  const n = 2 ** logN;
  const hammingWeight = optionalInteger(l.hammingWeight, "hammingWeight", 1, n);
  if (hammingWeight !== undefined) checkSecretSpace(n, hammingWeight, operation);
  const { fingerprint } = l;
  if (fingerprint !== undefined && (typeof fingerprint !== "string" || !/^[0-9a-f]{16}$/.test(fingerprint))) {
    throw invalidParameters(`fingerprint must be 16 lowercase hex digits, got ${describe(fingerprint)}`);
  }
  return {
    logN, logScale, depth, logBaseModulus, specialPrimes: l.specialPrimes, digits: l.digits, hammingWeight, sigma,
    allowInsecure, fingerprint,
  };
}
