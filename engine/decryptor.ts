import type { Ciphertext } from "./ciphertext.js";
import { checkCiphertext, checkSecretKey } from "./evaluator/checks.js";
import { SecretKey } from "./keys.js";
import { checkParameters, checkSameParameters, type Parameters } from "./parameters.js";
import { Plaintext } from "./plaintext.js";
import { measureNoise, type NoiseEstimate } from "./noise-estimate.js";
import {
  addFloodingNoise, floodingRequest, planFlooding, type FloodingWidth, type NoiseFloodingOptions,
} from "./noise-flooding.js";
import { add, mulCoeffs, mulCoeffsAdd } from "./ring/arithmetic.js";
import { checkOptions, describe, FheError } from "./ring/errors.js";
import { RnsPoly } from "./ring/poly.js";

/**
 * Noise flooding, for decrypted results shared with others: CKKS decryptions reveal the noise,
 * from which the secret key can be recovered (Li and Micciancio, EUROCRYPT 2021). Flooding adds
 * a fresh Gaussian much wider than the noise before decoding, as OpenFHE's
 * NOISE_FLOODING_DECRYPT mode does. Give at most one of the two options.
 */
export interface DecryptOptions {
  /**
   * Derives the width from the measured noise of this ciphertext, the statistical security and
   * the number of decryptions an adversary sees (see {@link NoiseFloodingOptions}); the width
   * used is reported by {@link Decryptor.floodingWidth}.
   */
  readonly noiseFlooding?: NoiseFloodingOptions;
  /**
   * An explicit width: a Gaussian of standard deviation 2^bits, an integer >= 1 up to what the
   * ciphertext's level holds (`maxBits` of {@link Decryptor.floodingWidth}). It costs about
   * bits + logN / 2 - log2(scale) bits of precision once it dominates the noise.
   */
  readonly noiseFloodingBits?: number;
}

/** Decrypts ciphertexts of degree 1 or 2: m = c_0 + c_1 s (+ c_2 s^2). */
export class Decryptor {
  constructor(readonly params: Parameters, private readonly secretKey: SecretKey) {
    checkParameters(params, "create decryptor");
    if (!(secretKey instanceof SecretKey)) throw new FheError("INVALID_ARGUMENT", "create decryptor", "expected a SecretKey");
    checkSameParameters(params, secretKey.params, "create decryptor", "key");
  }

  /**
   * The plaintext of a ciphertext of these parameters (degree 1 or 2, any level), with its
   * level, scale and slots; decode it with the Encoder. With `options`, adds noise flooding
   * before returning (for results shown to others: see {@link DecryptOptions}).
   */
  decrypt(ciphertext: Ciphertext, options: DecryptOptions = {}): Plaintext {
    const operation = "decrypt";
    checkOptions(options, operation);
    checkSecretKey(this.params, this.secretKey, operation);
    const state = checkCiphertext(this.params, ciphertext, operation);
    const flooding = floodingRequest(options.noiseFloodingBits, options.noiseFlooding, operation);
    const { ring } = this.params;
    const basis = state.polys[0]!.basis;
    using s = RnsPoly.prefixView(this.secretKey.poly, basis);
    const [c0, c1, c2] = state.polys as [RnsPoly, RnsPoly, RnsPoly | undefined];
    const message = ring.allocate(basis, { ntt: true });
    mulCoeffs(message, c1, s);
    add(message, message, c0);
    if (c2 !== undefined) {
      using square = ring.allocate(basis, { ntt: true, secret: true, scoped: true });
      mulCoeffs(square, s, s);
      mulCoeffsAdd(message, c2, square);
    }
    if (flooding !== undefined) {
      try {
        const { level, scale, slots } = state;
        addFloodingNoise(message, planFlooding({ poly: message, level, scale, slots }, flooding, operation).bits);
      } catch (error) {
        message.dispose();
        throw error;
      }
    }
    return new Plaintext(this.params, message, state.level, state.scale, state.slots);
  }

  /**
   * The flooding width `decrypt(ciphertext, options)` uses (undefined when `options` asks for
   * no flooding), with the largest width the ciphertext's level holds and, for a derived width,
   * the measured noise. Throws as decrypt does.
   */
  floodingWidth(ciphertext: Ciphertext, options: DecryptOptions = {}): FloodingWidth | undefined {
    const operation = "compute flooding width";
    checkOptions(options, operation);
    const request = floodingRequest(options.noiseFloodingBits, options.noiseFlooding, operation);
    if (request === undefined) return undefined;
    return this.#withDecryption(ciphertext, (decryption) => planFlooding(decryption, request, operation));
  }

  /**
   * Estimates the noise of `ciphertext` from its decryption: the standard deviation of one
   * coefficient of the error polynomial, measured where the message cannot be (coefficients
   * outside the packing subring, and the imaginary parts when `realValues` declares the slot
   * values real; at full packing of complex values nothing is left to measure and it throws).
   */
  estimateNoise(ciphertext: Ciphertext, options: { readonly realValues?: boolean } = {}): NoiseEstimate {
    const operation = "estimate noise";
    checkOptions(options, operation);
    const realValues = options.realValues ?? false;
    if (typeof realValues !== "boolean") {
      throw new FheError("INVALID_ARGUMENT", operation, `realValues must be a boolean, got ${describe(realValues)}`);
    }
    return this.#withDecryption(ciphertext, ({ poly, slots }) => measureNoise(poly, slots, realValues, operation));
  }

  /** Runs `f` on the unflooded decryption, which is zeroed and freed afterwards. */
  #withDecryption<T>(ciphertext: Ciphertext, f: (decryption: Plaintext) => T): T {
    using plaintext = this.decrypt(ciphertext);
    try {
      return f(plaintext);
    } finally {
      const { poly } = plaintext;
      poly.ring.heap.zero(poly.limbAddress(0), 4 * poly.n * poly.basis.size);
    }
  }
}
