import type { Parameters } from "../parameters.js";
import { Plaintext } from "../plaintext.js";
import { FheError, isInteger } from "../ring/errors.js";
import { inverseNttLimb, nttLimb } from "../ring/transforms.js";
import { GarnerReconstructor } from "./garner.js";
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
    this.fft = new SpecialFft(params.n);
  }

  /** Encodes real values (imaginary parts zero). */
  encode(values: ArrayLike<number>, options: EncodeOptions = {}): Plaintext {
    if (!isArrayLike(values)) throw new FheError("INVALID_ARGUMENT", "encode", "values must be an array of numbers");
    return this.encodeComplex({ re: values, im: new Float64Array(values.length) }, options);
  }

  /** Encodes complex values. */
  encodeComplex(values: ComplexVector, options: EncodeOptions = {}): Plaintext {
    const operation = "encode";
    if (values === null || typeof values !== "object" || !isArrayLike(values.re) || !isArrayLike(values.im) || values.re.length !== values.im.length) {
      throw new FheError("INVALID_ARGUMENT", operation, "complex values must be { re, im } arrays of equal length");
    }
    const { params } = this;
    const length = values.re.length;
    const slots = options.slots ?? Math.max(1, nextPowerOfTwo(length));
    if (!isInteger(slots) || slots < 1 || slots > params.maxSlots || (slots & (slots - 1)) !== 0 || slots < length) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `slots must be a power of two in [${Math.max(1, length)}, ${params.maxSlots}], got ${String(slots)} for ${length} values`);
    }
    const level = options.level ?? params.maxLevel;
    params.checkLevel(level, operation);
    const scale = options.scale ?? params.scale;
    if (typeof scale !== "number" || !Number.isFinite(scale) || scale < 1) {
      throw new FheError("INVALID_ARGUMENT", operation, `scale must be a finite number >= 1, got ${String(scale)}`);
    }
    const re = new Float64Array(slots);
    const im = new Float64Array(slots);
    for (let i = 0; i < length; i++) {
      re[i] = Number(values.re[i]);
      im[i] = Number(values.im[i]);
      if (!Number.isFinite(re[i]!) || !Number.isFinite(im[i]!)) {
        throw new FheError("INVALID_ARGUMENT", operation, `value ${i} is not a finite number`);
      }
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
    const ring = params.ring;
    const poly = ring.allocate(basis, { ntt: true });
    const words = ring.heap.u32();
    basis.moduli.forEach((m, limb) => {
      const offset = poly.limbAddress(limb) >>> 2;
      const q = m.q;
      for (let j = 0; j < params.n; j++) {
        const r = coefficients[j]! % q;
        words[offset + j] = r < 0 ? r + q : r;
      }
    });
    basis.moduli.forEach((m, limb) => nttLimb(m, poly.limbAddress(limb)));
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
    const { params } = this;
    const ring = params.ring;
    const { basis } = plaintext.poly;
    // Enough primes to hold scale * 2^64; residues of the others are not needed.
    let limbs = 0;
    for (let bits = 0; limbs < basis.size && bits < Math.log2(plaintext.scale) + decodeHeadroomBits; limbs++) {
      bits += Math.log2(basis.primes[limbs]!);
    }
    const reconstructor = params.ring.memo(`garner:${basis.primes.slice(0, limbs).join(",")}`,
      () => new GarnerReconstructor(basis.primes.slice(0, limbs)));
    const n = params.n;
    const bytes = 4 * n * limbs;
    const scratch = ring.heap.allocate(bytes, operation);
    const residues = new Array<Uint32Array>(limbs);
    try {
      ring.heap.kernels.copyWords(scratch, plaintext.poly.limbAddress(0), n * limbs);
      for (let i = 0; i < limbs; i++) inverseNttLimb(basis.moduli[i]!, scratch + 4 * n * i);
      const words = ring.heap.u32();
      for (let i = 0; i < limbs; i++) residues[i] = words.slice((scratch >>> 2) + n * i, (scratch >>> 2) + n * (i + 1));
    } finally {
      ring.heap.free(scratch, bytes);
    }
    const slots = plaintext.slots;
    const halfN = n / 2;
    const gap = halfN / slots;
    const re = new Float64Array(slots);
    const im = new Float64Array(slots);
    const digits = new Float64Array(limbs);
    const tuple = new Float64Array(limbs);
    const valueAt = (index: number): number => {
      for (let i = 0; i < limbs; i++) tuple[i] = residues[i]![index]!;
      return reconstructor.reconstruct(tuple, digits) / plaintext.scale;
    };
    for (let i = 0; i < slots; i++) {
      re[i] = valueAt(i * gap);
      im[i] = valueAt(halfN + i * gap);
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
