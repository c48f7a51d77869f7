// 16-bit floating-point formats as bit patterns: IEEE 754 binary16 ("F16", 5 exponent and 10
// fraction bits) and bfloat16 ("BF16", 8 and 7: the upper half of a binary32). Every value of
// both formats is exactly a float32 and a float64, so decoding is exact; encoding rounds to the
// nearest value, ties to even, as IEEE 754 conversions do.

interface Format {
  readonly exponentBits: number;
  readonly fractionBits: number;
}

const binary16: Format = { exponentBits: 5, fractionBits: 10 };
const bfloat16: Format = { exponentBits: 8, fractionBits: 7 };

/** The binary16 number with bit pattern `bits` (16 bits): subnormals, ±0, ±Infinity, NaN. */
export function decodeFloat16(bits: number): number {
  return decode(bits, binary16);
}

/** The bfloat16 number with bit pattern `bits` (16 bits): subnormals, ±0, ±Infinity, NaN. */
export function decodeBfloat16(bits: number): number {
  return decode(bits, bfloat16);
}

/**
 * The binary16 bit pattern nearest to `value` (ties to even); beyond ±65504 (from ±65520 on)
 * the result is ±Infinity, and NaN gives the quiet NaN 0x7e00. -0 keeps its sign.
 */
export function encodeFloat16(value: number): number {
  return encode(value, binary16);
}

/** The bfloat16 bit pattern nearest to `value` (ties to even); NaN gives 0x7fc0. */
export function encodeBfloat16(value: number): number {
  return encode(value, bfloat16);
}

function decode(bits: number, format: Format): number {
  const { exponentBits, fractionBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const sign = (bits >>> (exponentBits + fractionBits)) & 1 ? -1 : 1;
  const exponent = (bits >>> fractionBits) & (2 ** exponentBits - 1);
  const fraction = bits & (2 ** fractionBits - 1);
  if (exponent === 2 ** exponentBits - 1) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction * 2 ** (1 - bias - fractionBits);
  return sign * (2 ** fractionBits + fraction) * 2 ** (exponent - bias - fractionBits);
}

function encode(value: number, format: Format): number {
  const { exponentBits, fractionBits } = format;
  const maxField = 2 ** exponentBits - 1;
  const signBit = value < 0 || Object.is(value, -0) ? 2 ** (exponentBits + fractionBits) : 0;
  if (Number.isNaN(value)) return maxField * 2 ** fractionBits + 2 ** (fractionBits - 1);
  const infinity = signBit + maxField * 2 ** fractionBits;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return infinity;
  const bias = 2 ** (exponentBits - 1) - 1;
  const minExponent = 1 - bias;
  let exponent = Math.max(minExponent, magnitude === 0 ? minExponent : Math.floor(Math.log2(magnitude)));
  // Math.log2 may be off by one next to a power of two: settle 2^exponent <= magnitude < 2^(exponent + 1).
  while (exponent > minExponent && 2 ** exponent > magnitude) exponent--;
  while (2 ** (exponent + 1) <= magnitude) exponent++;
  // Scaling by a power of two is exact, so only this rounding loses information.
  let significand = roundHalfEven(magnitude * 2 ** (fractionBits - exponent));
  if (significand < 2 ** fractionBits) return signBit + significand; // subnormal (exponent is minExponent)
  if (significand === 2 ** (fractionBits + 1)) {
    exponent++;
    significand = 2 ** fractionBits;
  }
  const field = exponent + bias;
  if (field >= maxField) return infinity;
  return signBit + field * 2 ** fractionBits + (significand - 2 ** fractionBits);
}

/** `x` (non-negative) rounded to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}
