// Sparse-secret encapsulation (Bossuat, Troncoso-Pastoriza and Hubaux, ACNS 2022): before the
// modulus raise, the level-0 ciphertext is switched from the main secret s to an ephemeral
// secret s' of small Hamming weight h' (32 by default), so the raise's overflow I is bounded by
// h' instead of s's weight (K = 16 instead of ~54 for h = 192, ~600 for a dense secret at
// N = 2^15); right after the raise it is switched back to s at the top level.
//
// The key s -> s' is an RLWE sample under the sparse s' and must stay small: it exists only
// over Q_0 p', with p' one extra 30-bit prime (log2(Q_0 p') <= 90 bits), below the ~121 bits of
// Lattigo's key of the same role at N = 2^16 (its default sets N16QP1767H32768H32, ePrint
// 2022/024); for fixed N, h' and sigma, a smaller modulus is harder to attack. The key s' -> s
// is an ordinary switching key under the main secret.

import "../../ring/dispose-symbols.js";
import type { CiphertextState } from "../../ciphertext.js";
import { KeyGenerator } from "../../key-generator.js";
import { decompose, switchKey } from "../../key-switching.js";
import type { SwitchingKey } from "../../keys.js";
import type { Parameters } from "../../parameters.js";
import { add, clone, copy, mulCoeffsAdd, neg } from "../../ring/arithmetic.js";
import type { RnsBasis } from "../../ring/basis.js";
import { convertBasis } from "../../ring/basis-conversion.js";
import { readLimb, writeLimb } from "../../ring/crt.js";
import { divideRoundByLastPrimes } from "../../ring/divide-round.js";
import { describe, FheError, isInteger } from "../../ring/errors.js";
import { bigMod, shoupCompanion } from "../../ring/modular.js";
import type { RnsPoly } from "../../ring/poly.js";
import { generateNttPrimes, maxPrimeBits } from "../../ring/primes.js";
import { cryptoRandom, freshSeed } from "../../ring/random.js";
import { polyFromSamples, polyFromSmall, sampleGaussian, sampleTernaryFixedWeight } from "../../ring/sampling.js";
import { fillUniformSeeded } from "../../ring/xof.js";
import { checkKeyLive } from "../../evaluator/checks.js";
import { toCoefficients, toNtt } from "../../ring/transforms.js";
import { checkSecretSpace } from "../../security.js";
import { ternaryOf } from "../../secret-coefficients.js";

/** The default ephemeral Hamming weight (Lattigo's). */
export const defaultEphemeralWeight = 32;

/** Domain separation label of the uniform part a_j of the key s -> s' (digit j). */
export function encapsulationSeedDomain(digit: number): string {
  return `encapsulation/to-ephemeral/a/${digit}`;
}

/** The parts of {@link EncapsulationKeys} that serialization stores. @internal */
export interface EncapsulationParts {
  readonly hammingWeight: number;
  readonly seed: Uint8Array;
  readonly toEphemeral: readonly { readonly b: RnsPoly; readonly a: RnsPoly }[];
  readonly toMain: SwitchingKey;
}

/** The basis Q_0 p' of the key s -> s': the base primes and one extra 30-bit prime. */
export function smallBasis(params: Parameters): RnsBasis {
  const extra = generateNttPrimes({ logN: params.logN, bits: maxPrimeBits, count: 1, exclude: [...params.qPrimes, ...params.pPrimes] })[0]!;
  return params.ring.basis([...params.qPrimes.slice(0, params.basePrimeCount), extra]);
}

/**
 * The two keys of sparse-secret encapsulation for one parameter set and secret key. Generated
 * by the secret key's holder ({@link generate}); dispose() frees them.
 */
export class EncapsulationKeys implements Disposable {
  readonly #seed: Uint8Array;

  private constructor(
    readonly params: Parameters,
    readonly hammingWeight: number,
    seed: Uint8Array,
    /** s -> s' over Q_0 p': one (b, a) pair per base prime, NTT form, a_j expanded from the seed. */
    private readonly toEphemeral: readonly { readonly b: RnsPoly; readonly a: RnsPoly }[],
    /** s' -> s over Q P at the top level. */
    private readonly toMain: SwitchingKey,
  ) {
    this.#seed = seed.slice();
    Object.freeze(this);
  }

  /** Keys from their parts (loading): takes ownership of the polynomials and the key. @internal */
  static fromParts(params: Parameters, parts: EncapsulationParts): EncapsulationKeys {
    return new EncapsulationKeys(params, parts.hammingWeight, parts.seed, parts.toEphemeral, parts.toMain);
  }

  /** The parts serialization stores (live: throws DISPOSED after dispose()). @internal */
  parts(operation: string): EncapsulationParts {
    for (const { a, b } of this.toEphemeral) {
      a.assertLive(operation);
      b.assertLive(operation);
    }
    checkKeyLive(this.toMain, operation);
    return { hammingWeight: this.hammingWeight, seed: this.#seed.slice(), toEphemeral: this.toEphemeral, toMain: this.toMain };
  }

  /** Samples an ephemeral secret of weight `hammingWeight` (>= the 2^256-secrets minimum) and makes both keys; the secret is zeroed. */
  static generate(keygen: KeyGenerator, hammingWeight = defaultEphemeralWeight): EncapsulationKeys {
    const operation = "create encapsulation keys";
    if (!(keygen instanceof KeyGenerator)) throw new FheError("INVALID_ARGUMENT", operation, `expected a KeyGenerator, got ${describe(keygen)}`);
    const { params } = keygen;
    if (!isInteger(hammingWeight) || hammingWeight < 1 || hammingWeight > params.n) {
      throw new FheError("INVALID_ARGUMENT", operation, `the ephemeral Hamming weight must be an integer in [1, ${params.n}], got ${describe(hammingWeight)}`);
    }
    checkSecretSpace(params.n, hammingWeight, operation);
    const { ring } = params;
    const ephemeralValues = sampleTernaryFixedWeight(params.n, hammingWeight);
    const basis = smallBasis(params);
    using ephemeralSmall = polyFromSmall(ring, basis, ephemeralValues, { ntt: true, secret: true });
    using ephemeral = polyFromSamples(ring, params.basisQP(params.maxLevel), ephemeralValues, { ntt: true, secret: true });
    const mainValues = ternaryOf(keygen.secretKey.poly);
    using mainSmall = polyFromSamples(ring, basis, mainValues, { ntt: true, secret: true });
    using negatedEphemeral = ring.allocate(basis, { ntt: true, secret: true, scoped: true });
    neg(negatedEphemeral, ephemeralSmall);
    const extra = basis.primes[basis.size - 1]!;
    const seed = freshSeed();
    const toEphemeral: { b: RnsPoly; a: RnsPoly }[] = [];
    try {
      for (let j = 0; j < params.basePrimeCount; j++) {
        const a = ring.allocate(basis, { ntt: true });
        fillUniformSeeded(a, seed, encapsulationSeedDomain(j));
        const b = polyFromSamples(ring, basis, sampleGaussian(params.n, params.sigma, cryptoRandom, params.ring.heap), { ntt: true });
        toEphemeral.push({ b, a });
        mulCoeffsAdd(b, a, negatedEphemeral);
        // + p' s on limb j only: the CRT gadget of single-prime digits.
        const q = basis.primes[j]!;
        const factor = bigMod(BigInt(extra), q);
        ring.heap.kernels.mulAddScalarShoup(b.limbAddress(j), mainSmall.limbAddress(j), params.n, q, factor, shoupCompanion(factor, q));
      }
      const toMain = keygen.switchingKeyFrom(ephemeral);
      return new EncapsulationKeys(params, hammingWeight, seed, toEphemeral, toMain);
    } catch (error) {
      for (const { a, b } of toEphemeral) {
        a.dispose();
        b.dispose();
      }
      throw error;
    }
  }

  /**
   * In place: a degree-1 ciphertext at level 0 under s becomes one under s' (same level,
   * scale and values, a little more noise).
   */
  switchToEphemeral(ct: CiphertextState): void {
    const { params } = this;
    const { ring } = params;
    const basis = this.toEphemeral[0]!.b.basis;
    const c1 = ct.polys[1]!;
    using coefficients = clone(c1, { scoped: true });
    toCoefficients(coefficients);
    const sums = [ring.zero(basis, { ntt: true }), ring.zero(basis, { ntt: true })] as const;
    try {
      this.toEphemeral.forEach(({ b, a }, j) => {
        // Digit j: c_1 mod q_j, lifted to the other primes of Q_0 p'.
        const q = basis.primes[j]!;
        using digit = ring.allocate(ring.basis([q]), { scoped: true });
        writeLimb(digit, 0, readLimb(coefficients, j));
        const others = basis.primes.filter((_, i) => i !== j);
        using lifted = ring.allocate(ring.basis(others), { scoped: true });
        convertBasis(lifted, digit);
        using full = ring.allocate(basis, { scoped: true });
        basis.primes.forEach((_, i) => writeLimb(full, i, i === j ? readLimb(digit, 0) : readLimb(lifted, i < j ? i : i - 1)));
        toNtt(full);
        mulCoeffsAdd(sums[0], full, b);
        mulCoeffsAdd(sums[1], full, a);
      });
      for (const sum of sums) divideRoundByLastPrimes(sum, 1);
      add(ct.polys[0]!, ct.polys[0]!, sums[0]);
      copy(c1, sums[1]);
    } finally {
      for (const sum of sums) sum.dispose();
    }
    ct.seed = undefined;
  }

  /** In place: a degree-1 ciphertext at the top level under s' becomes one under s. */
  switchToMain(ct: CiphertextState): void {
    const { params } = this;
    const digits = decompose(params, ct.polys[1]!, ct.level);
    let switched: [RnsPoly, RnsPoly];
    try {
      switched = switchKey(params, digits, this.toMain, ct.level);
    } finally {
      for (const digit of digits) digit.dispose();
    }
    try {
      add(ct.polys[0]!, ct.polys[0]!, switched[0]);
      copy(ct.polys[1]!, switched[1]);
    } finally {
      for (const poly of switched) poly.dispose();
    }
    ct.seed = undefined;
  }

  dispose(): void {
    for (const { a, b } of this.toEphemeral) {
      a.dispose();
      b.dispose();
    }
    this.toMain.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
