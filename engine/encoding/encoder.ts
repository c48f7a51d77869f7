import { checkParameters, type Parameters, type ParametersLiteral } from "../parameters.js";
import { presets } from "../presets.js";
import { checkPlaintext } from "../evaluator/checks.js";
import { Plaintext } from "../plaintext.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { centeredCoefficients, setFromInt64 } from "../ring/float-io.js";
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
  /** Scale (default: the parameters' scale): in [1, 2^63), and below half the modulus at the level. */
  readonly scale?: number;
  /** Slots to pack: a power of two in [length, N/2] (default: the smallest such power of two). */
  readonly slots?: number;
}

/** Bits of headroom kept above the scale when reconstructing decoded coefficients. */
export const decodeHeadroomBits = 64;

/**
 * CKKS encoder: complex (or real) vectors of up to N/2 values to plaintext polynomials through
 * the inverse canonical embedding (special FFT), scaled and rounded to integers; and back.
 */
export class Encoder {
  private readonly fft: SpecialFft;

  constructor(readonly params: Parameters) {
    checkParameters(params, "create encoder");
    const ring = params.ring;
    this.fft = ring.memo("special-fft", () => new SpecialFft(ring.heap, params.n));
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
    if (length > params.maxSlots) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `${length} values do not fit: at most ${params.maxSlots} values fit at these parameters (N = 2^${params.logN}); presets that hold ${length}: ${presetsHolding(length)}`);
    }
    const slots = options.slots ?? Math.max(1, nextPowerOfTwo(length));
    if (!isInteger(slots) || slots < 1 || slots > params.maxSlots || (slots & (slots - 1)) !== 0 || slots < length) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `slots must be a power of two in [${Math.max(1, length)}, ${params.maxSlots}], got ${describe(slots)} for ${length} values`);
    }
    const level = options.level ?? params.maxLevel;
    params.checkLevel(level, operation);
    const logQ = params.logModulus(level);
    const scale = checkScale(options.scale ?? params.scale, logQ, level);
    for (let i = 0; i < length; i++) {
      const real: unknown = values.re[i];
      const imaginary: unknown = values.im[i];
      if (typeof real !== "number" || !Number.isFinite(real)) throw notFinite("value", i, real);
      if (typeof imaginary !== "number" || !Number.isFinite(imaginary)) throw notFinite("imaginary part", i, imaginary);
    }
    const { heap } = params.ring;
    const n = params.n;
    const halfN = n / 2;
    const gap = halfN / slots;
    // Scratch: re, im (slots each), coefficients (N floats), integers (N i64).
    const bytes = 16 * slots + 16 * n;
    const scratch = heap.allocate(bytes, operation);
    const reAddress = scratch;
    const imAddress = scratch + 8 * slots;
    const floatAddress = scratch + 16 * slots;
    const intAddress = floatAddress + 8 * n;
    let poly: RnsPoly | undefined;
    try {
      let view = new Float64Array(heap.memory.buffer);
      const re = view.subarray(reAddress / 8, reAddress / 8 + slots);
      const im = view.subarray(imAddress / 8, imAddress / 8 + slots);
      re.fill(0);
      im.fill(0);
      re.set(values.re);
      im.set(values.im);
      this.fft.inverse(reAddress, imAddress, slots);
      view = new Float64Array(heap.memory.buffer);
      const coefficients = view.subarray(floatAddress / 8, floatAddress / 8 + n);
      coefficients.fill(0);
      let largest = 0;
      for (let i = 0; i < slots; i++) {
        const a = view[reAddress / 8 + i]!;
        const b = view[imAddress / 8 + i]!;
        coefficients[i * gap] = a;
        coefficients[halfN + i * gap] = b;
        largest = Math.max(largest, Math.abs(a), Math.abs(b));
      }
      const basis = params.basisQ(level);
      const logLargest = Math.log2(largest * scale + 1);
      if (!(logLargest < logQ - 1 && logLargest < 63)) {
        throw new FheError("INVALID_ARGUMENT", operation,
          `values times the scale reach 2^${logLargest.toFixed(1)}, too large for the ${logQ.toFixed(0)}-bit modulus at level ${level}`);
      }
      heap.kernels.roundScaledToInt64(intAddress, floatAddress, n, scale);
      poly = params.ring.allocate(basis);
      setFromInt64(poly, intAddress);
      toNtt(poly);
    } catch (error) {
      poly?.dispose();
      throw error;
    } finally {
      heap.free(scratch, bytes);
    }
    return new Plaintext(params, poly, level, scale, slots);
  }

  /** Decodes the real parts of the slots. */
  decode(plaintext: Plaintext): Float64Array {
    return this.decodeComplex(plaintext).re;
  }

  /** Decodes the slots as complex values. */
  decodeComplex(plaintext: Plaintext): { re: Float64Array; im: Float64Array } {
    const operation = "decode";
    checkPlaintext(this.params, plaintext, operation);
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
    const { heap } = this.params.ring;
    const scratch = heap.allocate(16 * slots, operation);
    try {
      let view = new Float64Array(heap.memory.buffer, scratch, 2 * slots);
      const inverseScale = 1 / plaintext.scale;
      for (let i = 0; i < 2 * slots; i++) view[i] = values[i]! * inverseScale;
      this.fft.forward(scratch, scratch + 8 * slots, slots);
      view = new Float64Array(heap.memory.buffer, scratch, 2 * slots);
      return { re: view.slice(0, slots), im: view.slice(slots) };
    } finally {
      heap.free(scratch, 16 * slots);
    }
  }
}

/** Bits of the integers values are rounded to after scaling (signed 64-bit). */
const roundingBits = 63;

/**
 * The scale, checked: a number in [1, 2^min(63, logQ - 1)). Scaled values are rounded to 64-bit
 * integers, and a product's scale must stay below half the modulus (as the evaluator checks),
 * so a larger scale could never hold a value of magnitude 1.
 */
function checkScale(scale: unknown, logQ: number, level: number): number {
  const maxBits = Math.min(roundingBits, logQ - 1);
  if (typeof scale !== "number" || !(scale >= 1 && Math.log2(scale) < maxBits)) {
    const shown = typeof scale === "number" && scale > 0 && Number.isFinite(scale) ? `2^${Math.log2(scale).toFixed(1)}` : describe(scale);
    throw new FheError("INVALID_ARGUMENT", "encode",
      `scale must be a number in [1, 2^${Number(maxBits.toFixed(1))}) at level ${level} (values are rounded to 64-bit integers after scaling, and a scale must stay below half the ${logQ.toFixed(0)}-bit modulus), got ${shown}`);
  }
  return scale;
}

function notFinite(part: string, index: number, value: unknown): FheError {
  return new FheError("INVALID_ARGUMENT", "encode", `${part} at index ${index} is ${describe(value)}; every value must be a finite number`);
}

/** Names of the presets with the fewest slots that still hold `count` values, or "none". */
function presetsHolding(count: number): string {
  const fitting = Object.entries(presets as Record<string, ParametersLiteral>).filter(([, literal]) => 2 ** (literal.logN - 1) >= count);
  if (fitting.length === 0) {
    const largest = Math.max(...Object.values(presets as Record<string, ParametersLiteral>).map((literal) => 2 ** (literal.logN - 1)));
    return `none (the largest preset has ${largest} slots)`;
  }
  const logN = Math.min(...fitting.map(([, literal]) => literal.logN));
  const names = fitting.filter(([, literal]) => literal.logN === logN).map(([name]) => name);
  return `${names.join(" or ")} (${2 ** (logN - 1)} slots)`;
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return (Array.isArray(value) || ArrayBuffer.isView(value)) && !(value instanceof DataView);
}

function nextPowerOfTwo(x: number): number {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}
