import { checkParameters, type Parameters } from "../parameters.js";
import { Plaintext } from "../plaintext.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { centeredCoefficients, setIntegerCoefficients } from "../ring/float-io.js";
import { toCoefficients, toNtt } from "../ring/transforms.js";
import { clone } from "../ring/arithmetic.js";
import { RnsPoly } from "../ring/poly.js";
import { SpecialFft } from "./special-fft.js";

/** A complex vector as separate real and imaginary parts of equal length. */
export interface ComplexVector {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

export interface EncodeOptions {
  /** Level of the plaintext (default: the top level). */
  readonly level?: number;
  /** Scale (default: the parameters' scale). A positive finite number. */
  readonly scale?: number;
  /** Slots to pack: a power of two in [length, N/2] (default: the smallest such power of two). */
  readonly slots?: number;
}

/** Bits of headroom kept above the scale when reconstructing decoded coefficients. */
const decodeHeadroomBits = 64;

/**
 * CKKS encoder: complex (or real) vectors of up to N/2 values to plaintext polynomials through
 * the inverse canonical embedding (special FFT), scaled and rounded to integers; and back.
 */
export class Encoder {
  private readonly fft: SpecialFft;

  constructor(readonly params: Parameters) {
    checkParameters(params, "create encoder");
    this.fft = new SpecialFft(params.n);
  }

  /** Encodes real values (imaginary parts zero). */
  encode(values: ArrayLike<number>, options: EncodeOptions = {}): Plaintext {
    if (!isArrayLike(values)) throw new FheError("INVALID_ARGUMENT", "encode", "values must be an array of numbers");
    checkOptions(options, "encode");
    return this.encodeComplex({ re: values, im: new Float64Array(values.length) }, options);
  }

  /** Encodes complex values. */
  encodeComplex(values: ComplexVector, options: EncodeOptions = {}): Plaintext {
    const operation = "encode";
    if (values === null || typeof values !== "object" || !isArrayLike(values.re) || !isArrayLike(values.im) || values.re.length !== values.im.length) {
      throw new FheError("INVALID_ARGUMENT", operation, "complex values must be { re, im } arrays of equal length");
    }
    checkOptions(options, operation);
    const { params } = this;
    const length = values.re.length;
    const slots = options.slots ?? Math.max(1, nextPowerOfTwo(length));
    if (!isInteger(slots) || slots < 1 || slots > params.maxSlots || (slots & (slots - 1)) !== 0 || slots < length) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `slots must be a power of two in [${Math.max(1, length)}, ${params.maxSlots}], got ${describe(slots)} for ${length} values`);
    }
    const level = options.level ?? params.maxLevel;
    params.checkLevel(level, operation);
    const scale = options.scale ?? params.scale;
    if (typeof scale !== "number" || !Number.isFinite(scale) || scale < 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `scale must be a finite number >= 1, got ${describe(scale)}`);
    }
    const re = new Float64Array(slots);
    const im = new Float64Array(slots);
    for (let i = 0; i < length; i++) {
      const real: unknown = values.re[i];
      const imaginary: unknown = values.im[i];
      if (typeof real !== "number" || typeof imaginary !== "number" || !Number.isFinite(real) || !Number.isFinite(imaginary)) {
        throw new FheError("INVALID_ARGUMENT", operation, `value ${i} is not a finite number`);
      }
      re[i] = real;
      im[i] = imaginary;
    }
    this.fft.inverse(re, im, slots);
    const basis = params.basisQ(level);
    const halfN = params.n / 2;
    const gap = halfN / slots;
    const coefficients = new Float64Array(params.n);
    let largest = 0;
    for (let i = 0; i < slots; i++) {
      const a = Math.round(re[i]! * scale);
      const b = Math.round(im[i]! * scale);
      coefficients[i * gap] = a;
      coefficients[halfN + i * gap] = b;
      largest = Math.max(largest, Math.abs(a), Math.abs(b));
    }
    const logQ = basis.primes.reduce((sum, q) => sum + Math.log2(q), 0);
    if (!(Math.log2(largest + 1) < logQ - 1)) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `values times the scale reach 2^${Math.log2(largest).toFixed(1)}, too large for the ${logQ.toFixed(0)}-bit modulus at level ${level}`);
    }
    const poly = params.ring.allocate(basis);
    setIntegerCoefficients(poly, coefficients);
    toNtt(poly);
    return new Plaintext(params, poly, level, scale, slots);
  }

  /** Decodes the real parts of the slots. */
  decode(plaintext: Plaintext): Float64Array {
    return this.decodeComplex(plaintext).re;
  }

  /** Decodes the slots as complex values. */
  decodeComplex(plaintext: Plaintext): { re: Float64Array; im: Float64Array } {
    const operation = "decode";
    if (!(plaintext instanceof Plaintext)) throw new FheError("INVALID_ARGUMENT", operation, "expected a Plaintext");
    if (plaintext.params !== this.params) throw new FheError("MISMATCHED_OPERANDS", operation, "the plaintext uses different parameters");
    plaintext.poly.assertLive(operation);
    const { basis } = plaintext.poly;
    // Enough primes to hold scale * 2^64; the other residues are not needed.
    let limbs = 0;
    for (let bits = 0; limbs < basis.size && bits < Math.log2(plaintext.scale) + decodeHeadroomBits; limbs++) {
      bits += Math.log2(basis.primes[limbs]!);
    }
    const slots = plaintext.slots;
    const halfN = this.params.n / 2;
    const gap = halfN / slots;
    const indices = new Int32Array(2 * slots);
    for (let i = 0; i < slots; i++) {
      indices[i] = i * gap;
      indices[slots + i] = halfN + i * gap;
    }
    using prefix = RnsPoly.prefixView(plaintext.poly, this.params.ring.basis(basis.primes.slice(0, limbs)));
    using coefficients = clone(prefix, { scoped: true });
    toCoefficients(coefficients);
    const values = centeredCoefficients(coefficients, limbs, indices);
    const re = new Float64Array(slots);
    const im = new Float64Array(slots);
    for (let i = 0; i < slots; i++) {
      re[i] = values[i]! / plaintext.scale;
      im[i] = values[slots + i]! / plaintext.scale;
    }
    this.fft.forward(re, im, slots);
    return { re, im };
  }
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return (Array.isArray(value) || ArrayBuffer.isView(value)) && !(value instanceof DataView);
}

function nextPowerOfTwo(x: number): number {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}
