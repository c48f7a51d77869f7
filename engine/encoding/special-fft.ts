// The "special" FFT of CKKS: the canonical embedding restricted to the slots, evaluated at the
// roots zeta^(5^j) (zeta = exp(i pi / N)), in O(n log n) for n slots (n a power of two <= N/2).
// Values are complex vectors split into real and imaginary Float64Arrays.

/**
 * Precomputed twiddles for ring degree N: for a butterfly stage of length `len` (half h),
 * entry h - 1 + j holds zeta^(5^j mod 4h ... ) = exp(2 pi i (5^j mod 4 len) / (4 len)), j < h.
 * The inverse uses the conjugates.
 */
export class SpecialFft {
  private readonly twiddleReal: Float64Array;
  private readonly twiddleImag: Float64Array;

  constructor(readonly n: number) {
    const maxSlots = n / 2;
    this.twiddleReal = new Float64Array(maxSlots);
    this.twiddleImag = new Float64Array(maxSlots);
    for (let half = 1; half < maxSlots + 1 && 2 * half <= maxSlots; half *= 2) {
      const lenQuad = 8 * half;
      let power = 1;
      for (let j = 0; j < half; j++) {
        const angle = (2 * Math.PI * (power % lenQuad)) / lenQuad;
        this.twiddleReal[half - 1 + j] = Math.cos(angle);
        this.twiddleImag[half - 1 + j] = Math.sin(angle);
        power = (power * 5) % lenQuad;
      }
    }
  }

  /** Decoding direction (coefficients to slots), in place on `size` values (size <= N/2). */
  forward(re: Float64Array, im: Float64Array, size: number): void {
    bitReversePermute(re, im, size);
    for (let half = 1; half < size; half *= 2) {
      const len = 2 * half;
      for (let i = 0; i < size; i += len) {
        for (let j = 0; j < half; j++) {
          const wr = this.twiddleReal[half - 1 + j]!;
          const wi = this.twiddleImag[half - 1 + j]!;
          const a = i + j;
          const b = a + half;
          const vr = re[b]! * wr - im[b]! * wi;
          const vi = re[b]! * wi + im[b]! * wr;
          const ur = re[a]!;
          const ui = im[a]!;
          re[a] = ur + vr;
          im[a] = ui + vi;
          re[b] = ur - vr;
          im[b] = ui - vi;
        }
      }
    }
  }

  /** Encoding direction (slots to coefficients), in place on `size` values, including 1/size. */
  inverse(re: Float64Array, im: Float64Array, size: number): void {
    for (let half = size / 2; half >= 1; half /= 2) {
      const len = 2 * half;
      for (let i = 0; i < size; i += len) {
        for (let j = 0; j < half; j++) {
          const wr = this.twiddleReal[half - 1 + j]!;
          const wi = -this.twiddleImag[half - 1 + j]!;
          const a = i + j;
          const b = a + half;
          const ur = re[a]! + re[b]!;
          const ui = im[a]! + im[b]!;
          const dr = re[a]! - re[b]!;
          const di = im[a]! - im[b]!;
          re[a] = ur;
          im[a] = ui;
          re[b] = dr * wr - di * wi;
          im[b] = dr * wi + di * wr;
        }
      }
    }
    bitReversePermute(re, im, size);
    const inverseSize = 1 / size;
    for (let i = 0; i < size; i++) {
      re[i] = re[i]! * inverseSize;
      im[i] = im[i]! * inverseSize;
    }
  }
}

function bitReversePermute(re: Float64Array, im: Float64Array, size: number): void {
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = re[i]!;
      re[i] = re[j]!;
      re[j] = r;
      const m = im[i]!;
      im[i] = im[j]!;
      im[j] = m;
    }
  }
}
