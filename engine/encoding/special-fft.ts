// The "special" FFT of CKKS: the canonical embedding restricted to the slots, evaluated at the
// roots zeta^(5^j) (zeta = exp(i pi / N)), in O(n log n) for n slots (a power of two <= N/2).
// The butterflies run in the kernels (asm/fft.ts) on float64 arrays in the heap.

import type { WasmHeap } from "../ring/wasm/heap.js";

/**
 * Twiddles for ring degree N in the heap: for a stage of half-length h, entry h - 1 + j holds
 * exp(2 pi i (5^j mod 8h) / 8h), j < h (real parts at `real`, imaginary parts at `imag`).
 */
export class SpecialFft {
  readonly real: number;
  readonly imag: number;

  constructor(readonly heap: WasmHeap, readonly n: number) {
    const maxSlots = n / 2;
    this.real = heap.allocate(8 * maxSlots, "build FFT tables");
    this.imag = heap.allocate(8 * maxSlots, "build FFT tables");
    const re = new Float64Array(heap.memory.buffer, this.real, maxSlots);
    const im = new Float64Array(heap.memory.buffer, this.imag, maxSlots);
    for (let half = 1; 2 * half <= maxSlots; half *= 2) {
      const lenQuad = 8 * half;
      let power = 1;
      for (let j = 0; j < half; j++) {
        const angle = (2 * Math.PI * (power % lenQuad)) / lenQuad;
        re[half - 1 + j] = Math.cos(angle);
        im[half - 1 + j] = Math.sin(angle);
        power = (power * 5) % lenQuad;
      }
    }
  }

  /** Decoding direction (coefficients to slots), in place on `size` float64 values at re / im. */
  forward(re: number, im: number, size: number): void {
    this.heap.kernels.specialFftForward(re, im, size, this.real, this.imag);
  }

  /** Encoding direction (slots to coefficients), in place, including the factor 1/size. */
  inverse(re: number, im: number, size: number): void {
    this.heap.kernels.specialFftInverse(re, im, size, this.real, this.imag);
  }
}
