import { Ciphertext } from "./ciphertext.js";
import { SecretKey } from "./keys.js";
import { checkParameters, type Parameters } from "./parameters.js";
import { Plaintext } from "./plaintext.js";
import { add, mulCoeffs, mulCoeffsAdd } from "./ring/arithmetic.js";
import { checkOptions, describe, FheError, isInteger } from "./ring/errors.js";
import { RnsPoly } from "./ring/poly.js";
import { setIntegerCoefficients } from "./ring/float-io.js";
import { sampleWideGaussian } from "./ring/sampling.js";
import { toNtt } from "./ring/transforms.js";

export interface DecryptOptions {
  /**
   * Adds a fresh discrete Gaussian of standard deviation 2^bits (1..26) to the decrypted
   * polynomial. Use it when decrypted results are shared with others: CKKS decryptions reveal
   * the noise, from which the secret key can be recovered (Li and Micciancio, EUROCRYPT 2021);
   * flooding with noise much larger than the ciphertext noise hides it, at the cost of about
   * `bits` bits of precision. OpenFHE's NOISE_FLOODING_DECRYPT mode does the same.
   */
  readonly noiseFloodingBits?: number;
}

/** Decrypts ciphertexts of degree 1 or 2: m = c_0 + c_1 s (+ c_2 s^2). */
export class Decryptor {
  constructor(readonly params: Parameters, private readonly secretKey: SecretKey) {
    checkParameters(params, "create decryptor");
    if (!(secretKey instanceof SecretKey)) throw new FheError("INVALID_ARGUMENT", "create decryptor", "expected a SecretKey");
    if (secretKey.params !== params) throw new FheError("MISMATCHED_OPERANDS", "create decryptor", "the key uses different parameters");
  }

  decrypt(ciphertext: Ciphertext, options: DecryptOptions = {}): Plaintext {
    const operation = "decrypt";
    checkOptions(options, operation);
    this.secretKey.poly.assertLive(operation);
    if (!(ciphertext instanceof Ciphertext)) throw new FheError("INVALID_ARGUMENT", operation, "expected a Ciphertext");
    if (ciphertext.params !== this.params) throw new FheError("MISMATCHED_OPERANDS", operation, "the ciphertext uses different parameters");
    for (const poly of ciphertext.polys) poly.assertLive(operation);
    const flooding = options.noiseFloodingBits;
    if (flooding !== undefined && (!isInteger(flooding) || flooding < 1 || flooding > 26)) {
      throw new FheError("INVALID_ARGUMENT", operation, `noiseFloodingBits must be an integer in [1, 26], got ${describe(flooding)}`);
    }
    const { ring } = this.params;
    const basis = ciphertext.polys[0]!.basis;
    using s = RnsPoly.prefixView(this.secretKey.poly, basis);
    const [c0, c1, c2] = ciphertext.polys as [RnsPoly, RnsPoly, RnsPoly | undefined];
    const message = ring.allocate(basis, { ntt: true });
    mulCoeffs(message, c1, s);
    add(message, message, c0);
    if (c2 !== undefined) {
      using square = ring.allocate(basis, { ntt: true, secret: true, scoped: true });
      mulCoeffs(square, s, s);
      mulCoeffsAdd(message, c2, square);
    }
    if (flooding !== undefined) {
      // The noise hides the decryption error only while it stays secret: zero every copy.
      using noise = ring.allocate(basis, { scoped: true, secret: true });
      const samples = sampleWideGaussian(this.params.n, 2 ** flooding);
      const coefficients = Float64Array.from(samples);
      try {
        setIntegerCoefficients(noise, coefficients);
      } finally {
        samples.fill(0);
        coefficients.fill(0);
      }
      toNtt(noise);
      add(message, message, noise);
    }
    return new Plaintext(this.params, message, ciphertext.level, ciphertext.scale, ciphertext.slots);
  }
}
