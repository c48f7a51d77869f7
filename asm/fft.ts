// The CKKS special FFT over float64 (encoding and decoding), on split real / imaginary arrays
// of `size` values (a power of two). The twiddle tables (built by engine/encoding) hold, for a
// stage with half-length h, entry h - 1 + j = exp(2 pi i (5^j mod 8h) / 8h), j < h; the
// inverse uses their conjugates. SIMD bodies handle two butterflies per f64x2 when h >= 2.

@inline function loadF(ptr: usize, index: i32): f64 {
  return load<f64>(ptr + (<usize>index << 3));
}

@inline function storeF(ptr: usize, index: i32, value: f64): void {
  store<f64>(ptr + (<usize>index << 3), value);
}

@inline function loadF2(ptr: usize, index: i32): v128 {
  return v128.load(ptr + (<usize>index << 3));
}

@inline function storeF2(ptr: usize, index: i32, value: v128): void {
  v128.store(ptr + (<usize>index << 3), value);
}

function bitReversePermute(re: usize, im: usize, size: i32): void {
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = loadF(re, i);
      storeF(re, i, loadF(re, j));
      storeF(re, j, r);
      const m = loadF(im, i);
      storeF(im, i, loadF(im, j));
      storeF(im, j, m);
    }
  }
}

/** Decoding direction (coefficients to slots), in place. */
export function specialFftForward(re: usize, im: usize, size: i32, twRe: usize, twIm: usize): void {
  bitReversePermute(re, im, size);
  for (let half = 1; half < size; half <<= 1) {
    const len = half << 1;
    for (let i = 0; i < size; i += len) {
      let j = 0;
      if (ASC_FEATURE_SIMD && half >= 2) {
        for (; j < half; j += 2) {
          const wr = loadF2(twRe, half - 1 + j);
          const wi = loadF2(twIm, half - 1 + j);
          const a = i + j;
          const b = a + half;
          const br = loadF2(re, b);
          const bi = loadF2(im, b);
          const vr = f64x2.sub(f64x2.mul(br, wr), f64x2.mul(bi, wi));
          const vi = f64x2.add(f64x2.mul(br, wi), f64x2.mul(bi, wr));
          const ur = loadF2(re, a);
          const ui = loadF2(im, a);
          storeF2(re, a, f64x2.add(ur, vr));
          storeF2(im, a, f64x2.add(ui, vi));
          storeF2(re, b, f64x2.sub(ur, vr));
          storeF2(im, b, f64x2.sub(ui, vi));
        }
      }
      for (; j < half; j++) {
        const wr = loadF(twRe, half - 1 + j);
        const wi = loadF(twIm, half - 1 + j);
        const a = i + j;
        const b = a + half;
        const vr = loadF(re, b) * wr - loadF(im, b) * wi;
        const vi = loadF(re, b) * wi + loadF(im, b) * wr;
        const ur = loadF(re, a);
        const ui = loadF(im, a);
        storeF(re, a, ur + vr);
        storeF(im, a, ui + vi);
        storeF(re, b, ur - vr);
        storeF(im, b, ui - vi);
      }
    }
  }
}

/** Encoding direction (slots to coefficients), in place, including the factor 1/size. */
export function specialFftInverse(re: usize, im: usize, size: i32, twRe: usize, twIm: usize): void {
  for (let half = size >> 1; half >= 1; half >>= 1) {
    const len = half << 1;
    for (let i = 0; i < size; i += len) {
      let j = 0;
      if (ASC_FEATURE_SIMD && half >= 2) {
        for (; j < half; j += 2) {
          const wr = loadF2(twRe, half - 1 + j);
          const wi = f64x2.neg(loadF2(twIm, half - 1 + j));
          const a = i + j;
          const b = a + half;
          const ar = loadF2(re, a);
          const ai = loadF2(im, a);
          const br = loadF2(re, b);
          const bi = loadF2(im, b);
          const dr = f64x2.sub(ar, br);
          const di = f64x2.sub(ai, bi);
          storeF2(re, a, f64x2.add(ar, br));
          storeF2(im, a, f64x2.add(ai, bi));
          storeF2(re, b, f64x2.sub(f64x2.mul(dr, wr), f64x2.mul(di, wi)));
          storeF2(im, b, f64x2.add(f64x2.mul(dr, wi), f64x2.mul(di, wr)));
        }
      }
      for (; j < half; j++) {
        const wr = loadF(twRe, half - 1 + j);
        const wi = -loadF(twIm, half - 1 + j);
        const a = i + j;
        const b = a + half;
        const dr = loadF(re, a) - loadF(re, b);
        const di = loadF(im, a) - loadF(im, b);
        storeF(re, a, loadF(re, a) + loadF(re, b));
        storeF(im, a, loadF(im, a) + loadF(im, b));
        storeF(re, b, dr * wr - di * wi);
        storeF(im, b, dr * wi + di * wr);
      }
    }
  }
  bitReversePermute(re, im, size);
  const inverseSize = 1.0 / <f64>size;
  for (let i = 0; i < size; i++) {
    storeF(re, i, loadF(re, i) * inverseSize);
    storeF(im, i, loadF(im, i) * inverseSize);
  }
}

/**
 * out[i] = round-half-even(input[i] * scale) as i64, for n float64 inputs. Precondition: every
 * |input[i] * scale| < 2^63 (callers check), so the conversion is exact on integer values.
 */
export function roundScaledToInt64(out: usize, input: usize, n: i32, scale: f64): void {
  for (let i = 0; i < n; i++) {
    store<i64>(out + (<usize>i << 3), <i64>nearest<f64>(loadF(input, i) * scale));
  }
}
