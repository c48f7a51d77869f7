import { checkSecretKey } from "./evaluator/checks.js";
import { GaloisKeys, PublicKey, SecretKey, SwitchingKey, type SwitchingKeyDigit } from "./keys.js";
import { checkParameters, type Parameters } from "./parameters.js";
import { mulCoeffs, mulCoeffsAdd, neg } from "./ring/arithmetic.js";
import { automorphism, conjugationGaloisElement, rotationGaloisElement } from "./ring/automorphism.js";
import type { RnsBasis } from "./ring/basis.js";
import { checkOptions, describe, FheError, isInteger } from "./ring/errors.js";
import { bigMod, invMod, shoupCompanion } from "./ring/modular.js";
import { RnsPoly } from "./ring/poly.js";
import { cryptoRandom, freshSeed } from "./ring/random.js";
import { polyFromSamples, sampleGaussian, sampleTernary, sampleTernaryFixedWeight } from "./ring/sampling.js";
import { fillUniformSeeded } from "./ring/xof.js";

/** Domain separation label of the public key's uniform part. */
export const publicKeySeedDomain = "public-key/a";

/** Domain separation label of digit j's uniform part in a switching key. */
export function switchingKeySeedDomain(digit: number): string {
  return `switching-key/a/${digit}`;
}

/** Options for {@link KeyGenerator.createGaloisKeys}. */
export interface GaloisKeyOptions {
  /** Rotation steps (left for positive). Default: ±2^i for every power of two below the slot count. */
  readonly steps?: readonly number[];
  /** Also create the conjugation key (default true). */
  readonly conjugate?: boolean;
}

/**
 * Generates the secret key (or adopts a given one) and every key derived from it. Each
 * uniform `a` part is expanded from a fresh 32-byte seed (TurboSHAKE128), so keys serialize in
 * seeded half-size form.
 */
export class KeyGenerator {
  readonly secretKey: SecretKey;

  constructor(readonly params: Parameters, secretKey?: SecretKey) {
    checkParameters(params, "create key generator");
    if (secretKey !== undefined) {
      if (!(secretKey instanceof SecretKey) || secretKey.params !== params) {
        throw new FheError("MISMATCHED_OPERANDS", "create key generator", "the secret key uses different parameters");
      }
      this.secretKey = secretKey;
    } else {
      const { ring } = params;
      const values = params.hammingWeight === undefined
        ? sampleTernary(ring.n)
        : sampleTernaryFixedWeight(ring.n, params.hammingWeight);
      const poly = polyFromSamples(ring, params.basisQP(params.maxLevel), values, { ntt: true, secret: true });
      this.secretKey = new SecretKey(params, poly);
    }
  }

  /** A public key for public-key encryption. */
  createPublicKey(): PublicKey {
    checkSecretKey(this.params, this.secretKey, "create public key");
    const { params } = this;
    const basis = params.basisQ(params.maxLevel);
    const seed = freshSeed();
    const a = params.ring.allocate(basis, { ntt: true });
    fillUniformSeeded(a, seed, publicKeySeedDomain);
    using negatedSecret = this.negated(this.secretKey.poly, basis);
    const b = this.rlweSample(a, negatedSecret);
    return new PublicKey(params, b, a, seed);
  }

  /** The relinearization key (switching s^2 to s). */
  createRelinearizationKey(): SwitchingKey {
    checkSecretKey(this.params, this.secretKey, "create relinearization key");
    const s = this.secretKey.poly;
    using square = this.params.ring.allocate(s.basis, { ntt: true, secret: true, scoped: true });
    mulCoeffs(square, s, s);
    return this.switchingKey(square, s, 0);
  }

  /** Galois keys for the requested rotation steps (and conjugation). */
  createGaloisKeys(options: GaloisKeyOptions = {}): GaloisKeys {
    const { params } = this;
    const operation = "create Galois keys";
    checkOptions(options, operation);
    const steps = options.steps ?? defaultRotationSteps(params.maxSlots);
    if (!Array.isArray(steps) || steps.some((s) => !isInteger(s))) {
      throw new FheError("INVALID_ARGUMENT", operation, "steps must be an array of integers");
    }
    const elements = new Set(steps.map((s) => rotationGaloisElement(params.n, s)).filter((k) => k !== 1));
    if (options.conjugate !== false) elements.add(conjugationGaloisElement(params.n));
    return new GaloisKeys(params, Array.from(elements, (k) => this.galoisKey(k)));
  }

  /** The key for the automorphism X -> X^k (k odd, not 1 mod 2N): switches s to s(X^(k^-1)). */
  galoisKey(k: number): SwitchingKey {
    const twoN = 2 * this.params.n;
    if (!isInteger(k) || k % 2 === 0 || ((k % twoN) + twoN) % twoN === 1) {
      throw new FheError("INVALID_ARGUMENT", "create Galois key", `the Galois element must be an odd integer other than 1 mod 2N, got ${describe(k)}`);
    }
    checkSecretKey(this.params, this.secretKey, "create Galois key");
    const s = this.secretKey.poly;
    using target = this.params.ring.allocate(s.basis, { ntt: true, secret: true, scoped: true });
    automorphism(target, s, invMod(((k % twoN) + twoN) % twoN, twoN));
    return this.switchingKey(s, target, k);
  }

  /**
   * @internal A switching key from the secret `source` (NTT form over Q P at the top level, such
   * as an ephemeral secret of bootstrapping) to this generator's secret key; galoisElement 0.
   */
  switchingKeyFrom(source: RnsPoly): SwitchingKey {
    const { params } = this;
    if (!(source instanceof RnsPoly) || source.basis !== params.basisQP(params.maxLevel) || !source.isNtt) {
      throw new FheError("INVALID_ARGUMENT", "create switching key", "the source secret must be in NTT form over Q P at the top level");
    }
    checkSecretKey(params, this.secretKey, "create switching key");
    return this.switchingKey(source, this.secretKey.poly, 0);
  }

  /**
   * b = e + a (-t) over `basis` (a prefix of Q P), NTT form, given -t (NTT, over `basis`).
   * The error e exists only inside b, and nothing can fail between sampling and masking it.
   */
  private rlweSample(a: RnsPoly, negatedTarget: RnsPoly): RnsPoly {
    const { params } = this;
    const b = polyFromSamples(params.ring, a.basis, sampleGaussian(params.n, params.sigma, cryptoRandom, params.ring.heap), { ntt: true });
    mulCoeffsAdd(b, a, negatedTarget);
    return b;
  }

  /** -t over `basis` (a prefix of t's basis), NTT form, scoped: the caller disposes it. */
  private negated(target: RnsPoly, basis: RnsBasis): RnsPoly {
    using view = RnsPoly.prefixView(target, basis);
    const result = this.params.ring.allocate(basis, { ntt: true, secret: true, scoped: true });
    neg(result, view);
    return result;
  }

  /** Hybrid switching key from `source` to `target` (NTT, over Q P at the top level). */
  private switchingKey(source: RnsPoly, target: RnsPoly, galoisElement: number): SwitchingKey {
    const { params } = this;
    const basis = params.basisQP(params.maxLevel);
    const pProduct = params.basisP().product();
    const seed = freshSeed();
    const { kernels } = params.ring.heap;
    const digits: SwitchingKeyDigit[] = [];
    using negatedTarget = this.negated(target, basis);
    for (let j = 0; j < params.digits; j++) {
      const a = params.ring.allocate(basis, { ntt: true });
      fillUniformSeeded(a, seed, switchingKeySeedDomain(j));
      const b = this.rlweSample(a, negatedTarget);
      const first = j * params.digitSize;
      const last = Math.min(params.qPrimes.length, first + params.digitSize);
      for (let i = first; i < last; i++) {
        const q = params.qPrimes[i]!;
        const factor = bigMod(pProduct, q);
        kernels.mulAddScalarShoup(b.limbAddress(i), source.limbAddress(i), params.n, q, factor, shoupCompanion(factor, q));
      }
      digits.push({ b, a });
    }
    return new SwitchingKey(params, digits, seed, galoisElement);
  }
}

/** ±2^i for 2^i < slots: the rotations SEAL creates by default. */
export function defaultRotationSteps(slots: number): number[] {
  const steps: number[] = [];
  for (let step = 1; step < slots; step *= 2) steps.push(step, -step);
  return steps;
}
