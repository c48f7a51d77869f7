// The "special" FFT of CKKS: the canonical embedding restricted to the slots, evaluated at the
// roots zeta^(5^j) (zeta = exp(i pi / N)), in O(n log n) for n slots (n a power of two <= N/2).
// Values are complex vectors split into real and imaginary Float64Arrays.

/** Precomputed roots for a ring degree N: rotation group 5^j mod 2N and exp(2 pi i k / 2N). */
export class SpecialFft {
  readonly m: number;
  private readonly rotationGroup: Uint32Array;
  private readonly rootsReal: Float64Array;
  private readonly rootsImag: Float64Array;

  constructor(readonly n: number) {
    this.m = 2 * n;
    const slots = n / 2;
    this.rotationGroup = new Uint32Array(slots);
    let power = 1;
    for (let j = 0; j < slots; j++) {
      this.rotationGroup[j] = power;
      power = (power * 5) % this.m;
    }
    this.rootsReal = new Float64Array(this.m + 1);
    this.rootsImag = new Float64Array(this.m + 1);
    for (let k = 0; k <= this.m; k++) {
      const angle = (2 * Math.PI * k) / this.m;
      this.rootsReal[k] = Math.cos(angle);
      this.rootsImag[k] = Math.sin(angle);
    }
  }

  /** Decoding direction (coefficients to slots), in place on `size` values. */
  forward(re: Float64Array, im: Float64Array, size: number): void {
    bitReversePermute(re, im, size);
    for (let len = 2; len <= size; len <<= 1) {
      const half = len >> 1;
      const lenQuad = len << 2;
      const gap = this.m / lenQuad;
      for (let i = 0; i < size; i += len) {
        for (let j = 0; j < half; j++) {
          const index = (this.rotationGroup[j]! % lenQuad) * gap;
          const wr = this.rootsReal[index]!;
          const wi = this.rootsImag[index]!;
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
    for (let len = size; len >= 2; len >>= 1) {
      const half = len >> 1;
      const lenQuad = len << 2;
      const gap = this.m / lenQuad;
      for (let i = 0; i < size; i += len) {
        for (let j = 0; j < half; j++) {
          const index = (lenQuad - (this.rotationGroup[j]! % lenQuad)) * gap;
          const wr = this.rootsReal[index]!;
          const wi = this.rootsImag[index]!;
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
    for (let i = 0; i < size; i++) {
      re[i] = re[i]! / size;
      im[i] = im[i]! / size;
    }
  }
}

function bitReversePermute(re: Float64Array, im: Float64Array, size: number): void {
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
}
