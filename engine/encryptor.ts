import { Ciphertext, ciphertextState } from "./ciphertext.js";
import { recordSeedDigest } from "./seed-digest.js";
import { PublicKey, SecretKey } from "./keys.js";
import { checkPlaintext, checkPublicKey, checkSecretKey } from "./evaluator/checks.js";
import { checkParameters, checkSameParameters, type Parameters } from "./parameters.js";
import { Plaintext } from "./plaintext.js";
import { add, mulCoeffs, mulCoeffsAdd, sub } from "./ring/arithmetic.js";
import { FheError } from "./ring/errors.js";
import { RnsPoly } from "./ring/poly.js";
import { cryptoRandom, freshSeed } from "./ring/random.js";
import { polyFromSamples, sampleGaussian, sampleTernary } from "./ring/sampling.js";
import { fillUniformSeeded } from "./ring/xof.js";

/** Domain separation label of the uniform part of seeded secret-key ciphertexts. */
export const ciphertextSeedDomain = "ciphertext/c1";

/**
 * Encrypts plaintexts under a public key (c_0 = b u + e_0 + m, c_1 = a u + e_1) or a secret key
 * (c_0 = -a s + e + m, c_1 = a with a expanded from a fresh seed, so the ciphertext can be
 * serialized in half-size form). Ciphertexts are at the plaintext's level and scale.
 */
export class Encryptor {
  constructor(readonly params: Parameters, private readonly key: PublicKey | SecretKey) {
    checkParameters(params, "create encryptor");
    if (!(key instanceof PublicKey) && !(key instanceof SecretKey)) {
      throw new FheError("INVALID_ARGUMENT", "create encryptor", "the key must be a PublicKey or a SecretKey");
    }
    checkSameParameters(params, key.params, "create encryptor", "key");
  }

  /** Encrypts `plaintext`. */
  encrypt(plaintext: Plaintext): Ciphertext {
    const operation = "encrypt";
    checkPlaintext(this.params, plaintext, operation);
    return this.key instanceof PublicKey
      ? this.encryptPublic(plaintext, checkPublicKey(this.params, this.key, operation))
      : this.encryptSecret(plaintext, checkSecretKey(this.params, this.key, operation));
  }

  /**
   * u is a secret polynomial (zeroed when freed). Each error e_i exists only inside c_i and is
   * masked before the next allocation, so a failure (out of memory) leaves no bare error behind.
   */
  private encryptPublic(plaintext: Plaintext, key: PublicKey): Ciphertext {
    const { params } = this;
    const { ring } = params;
    const basis = plaintext.poly.basis;
    using u = polyFromSamples(ring, basis, sampleTernary(params.n), { ntt: true, secret: true });
    using b = RnsPoly.prefixView(key.b, basis);
    using a = RnsPoly.prefixView(key.a, basis);
    const c0 = polyFromSamples(ring, basis, sampleGaussian(params.n, params.sigma, cryptoRandom, params.ring.heap), { ntt: true });
    mulCoeffsAdd(c0, b, u);
    add(c0, c0, plaintext.poly);
    const c1 = polyFromSamples(ring, basis, sampleGaussian(params.n, params.sigma, cryptoRandom, params.ring.heap), { ntt: true });
    mulCoeffsAdd(c1, a, u);
    return new Ciphertext(params, [c0, c1], plaintext.level, plaintext.scale, plaintext.slots);
  }

  /** a s is a secret temporary; e is sampled into c_0 after the last other allocation (see encryptPublic). */
  private encryptSecret(plaintext: Plaintext, key: SecretKey): Ciphertext {
    const { params } = this;
    const { ring } = params;
    const basis = plaintext.poly.basis;
    const seed = freshSeed();
    const c1 = ring.allocate(basis, { ntt: true });
    fillUniformSeeded(c1, seed, ciphertextSeedDomain);
    using s = RnsPoly.prefixView(key.poly, basis);
    using product = ring.allocate(basis, { ntt: true, scoped: true, secret: true });
    mulCoeffs(product, c1, s);
    const c0 = polyFromSamples(ring, basis, sampleGaussian(params.n, params.sigma, cryptoRandom, params.ring.heap), { ntt: true });
    sub(c0, c0, product);
    add(c0, c0, plaintext.poly);
    const ct = new Ciphertext(params, [c0, c1], plaintext.level, plaintext.scale, plaintext.slots, seed);
    recordSeedDigest(ciphertextState(ct));
    return ct;
  }
}
