// Element-wise modular arithmetic over one limb: n values modulo one prime q < 2^30.
// Unless stated otherwise inputs are in [0, q) and outputs fully reduced to [0, q).
// `out` may alias any input; no other overlap is allowed. Each SIMD loop handles the first
// n & ~3 elements four at a time and a scalar tail finishes the rest.

import {
  barrettReduce, barrettReduceV, condSub, condSubV, loadU, loadV, mulBarrettV, mulShoupLazy,
  mulShoupLazyV, storeU, storeV, vectorPart,
} from "./lanes";

/** out = a + b mod q. */
export function addMod(out: usize, a: usize, b: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) storeV(out, i, condSubV(i32x4.add(loadV(a, i), loadV(b, i)), qV));
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(loadU(a, i) + loadU(b, i), q));
}

/** out = a - b mod q. */
export function subMod(out: usize, a: usize, b: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) {
      storeV(out, i, condSubV(i32x4.add(i32x4.sub(loadV(a, i), loadV(b, i)), qV), qV));
    }
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(loadU(a, i) - loadU(b, i) + q, q));
}

/** out = -a mod q. */
export function negMod(out: usize, a: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) storeV(out, i, condSubV(i32x4.sub(qV, loadV(a, i)), qV));
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(q - loadU(a, i), q));
}

/** out = a + c mod q for a constant c in [0, q). */
export function addScalarMod(out: usize, a: usize, n: i32, q: u32, c: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const cV = i32x4.splat(c);
    for (let i = 0; i < vn; i += 4) storeV(out, i, condSubV(i32x4.add(loadV(a, i), cV), qV));
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(loadU(a, i) + c, q));
}

/**
 * out = a * b mod q by Barrett reduction.
 * Constants: mu = floor(2^(2s) / q) where s is the bit length of q.
 */
export function mulBarrett(out: usize, a: usize, b: usize, n: i32, q: u32, mu: u32, s: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const muV = i32x4.splat(mu);
    for (let i = 0; i < vn; i += 4) storeV(out, i, mulBarrettV(loadV(a, i), loadV(b, i), qV, muV, s));
  }
  for (let i = vn; i < n; i++) storeU(out, i, barrettReduce(<u64>loadU(a, i) * <u64>loadU(b, i), q, mu, s));
}

/** out = out + a * b mod q by Barrett reduction (fused multiply-add). Constants as {@link mulBarrett}. */
export function mulAddBarrett(out: usize, a: usize, b: usize, n: i32, q: u32, mu: u32, s: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const muV = i32x4.splat(mu);
    for (let i = 0; i < vn; i += 4) {
      const x = loadV(a, i);
      const y = loadV(b, i);
      const acc = loadV(out, i);
      const low = i64x2.add(i64x2.extmul_low_i32x4_u(x, y), i64x2.extend_low_i32x4_u(acc));
      const high = i64x2.add(i64x2.extmul_high_i32x4_u(x, y), i64x2.extend_high_i32x4_u(acc));
      storeV(out, i, barrettReduceV(low, high, i32x4.add(i32x4.mul(x, y), acc), qV, muV, s));
    }
  }
  for (let i = vn; i < n; i++) {
    const p = <u64>loadU(a, i) * <u64>loadU(b, i) + <u64>loadU(out, i);
    storeU(out, i, barrettReduce(p, q, mu, s));
  }
}

/**
 * out = a * w mod q where the operand vector w (values in [0, q)) comes with its Shoup
 * companions wShoup[i] = floor(w[i] * 2^32 / q). Any a < 2^32 is accepted.
 */
export function mulShoup(out: usize, a: usize, w: usize, wShoup: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) {
      storeV(out, i, condSubV(mulShoupLazyV(loadV(a, i), loadV(w, i), loadV(wShoup, i), qV), qV));
    }
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(mulShoupLazy(loadU(a, i), loadU(w, i), loadU(wShoup, i), q), q));
}

/** out = out + a * w mod q with a Shoup-precomputed operand vector, as {@link mulShoup}. */
export function mulAddShoup(out: usize, a: usize, w: usize, wShoup: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) {
      const product = condSubV(mulShoupLazyV(loadV(a, i), loadV(w, i), loadV(wShoup, i), qV), qV);
      storeV(out, i, condSubV(i32x4.add(loadV(out, i), product), qV));
    }
  }
  for (let i = vn; i < n; i++) {
    const product = condSub(mulShoupLazy(loadU(a, i), loadU(w, i), loadU(wShoup, i), q), q);
    storeU(out, i, condSub(loadU(out, i) + product, q));
  }
}

/**
 * out = a * c mod q for a constant c in [0, q) with companion cShoup = floor(c * 2^32 / q).
 * Any a < 2^32 is accepted (so lazy inputs in [0, 4q) are fine).
 */
export function mulScalarShoup(out: usize, a: usize, n: i32, q: u32, c: u32, cShoup: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const cV = i32x4.splat(c);
    const cShoupV = i32x4.splat(cShoup);
    for (let i = 0; i < vn; i += 4) storeV(out, i, condSubV(mulShoupLazyV(loadV(a, i), cV, cShoupV, qV), qV));
  }
  for (let i = vn; i < n; i++) storeU(out, i, condSub(mulShoupLazy(loadU(a, i), c, cShoup, q), q));
}

/** out = out + a * c mod q for a constant c with Shoup companion, as {@link mulScalarShoup}. */
export function mulAddScalarShoup(out: usize, a: usize, n: i32, q: u32, c: u32, cShoup: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const cV = i32x4.splat(c);
    const cShoupV = i32x4.splat(cShoup);
    for (let i = 0; i < vn; i += 4) {
      const product = condSubV(mulShoupLazyV(loadV(a, i), cV, cShoupV, qV), qV);
      storeV(out, i, condSubV(i32x4.add(loadV(out, i), product), qV));
    }
  }
  for (let i = vn; i < n; i++) {
    const product = condSub(mulShoupLazy(loadU(a, i), c, cShoup, q), q);
    storeU(out, i, condSub(loadU(out, i) + product, q));
  }
}

/**
 * out = in mod q for signed 32-bit inputs with |in| < q (small samples such as ternary or
 * Gaussian noise), written as residues in [0, q).
 */
export function liftSigned(out: usize, input: usize, n: i32, q: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    for (let i = 0; i < vn; i += 4) {
      const x = loadV(input, i);
      storeV(out, i, i32x4.add(x, v128.and(i32x4.shr_s(x, 31), qV)));
    }
  }
  for (let i = vn; i < n; i++) {
    const x = <i32>loadU(input, i);
    storeU(out, i, <u32>(x < 0 ? x + <i32>q : x));
  }
}

/** out = in, copying n u32 values (regions must not overlap unless out == in). */
export function copyWords(out: usize, input: usize, n: i32): void {
  memory.copy(out, input, <usize>n << 2);
}

/**
 * Ciphertext tensor product of one limb: d0 = x0 y0, d1 = x0 y1 + x1 y0 and d2 = x1 y1 mod q,
 * in one pass (Barrett constants as {@link mulBarrett}). Each element is read before any
 * output is written, so outputs may alias inputs element for element.
 */
export function tensorBarrett(
  d0: usize, d1: usize, d2: usize, x0: usize, x1: usize, y0: usize, y1: usize, n: i32, q: u32, mu: u32, s: u32,
): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const muV = i32x4.splat(mu);
    for (let i = 0; i < vn; i += 4) {
      const a0 = loadV(x0, i);
      const a1 = loadV(x1, i);
      const b0 = loadV(y0, i);
      const b1 = loadV(y1, i);
      const cross = mulBarrettV(a0, b1, qV, muV, s);
      const low = i64x2.add(i64x2.extmul_low_i32x4_u(a1, b0), i64x2.extend_low_i32x4_u(cross));
      const high = i64x2.add(i64x2.extmul_high_i32x4_u(a1, b0), i64x2.extend_high_i32x4_u(cross));
      storeV(d0, i, mulBarrettV(a0, b0, qV, muV, s));
      storeV(d1, i, barrettReduceV(low, high, i32x4.add(i32x4.mul(a1, b0), cross), qV, muV, s));
      storeV(d2, i, mulBarrettV(a1, b1, qV, muV, s));
    }
  }
  for (let i = vn; i < n; i++) {
    const a0 = <u64>loadU(x0, i);
    const a1 = <u64>loadU(x1, i);
    const b0 = <u64>loadU(y0, i);
    const b1 = <u64>loadU(y1, i);
    const cross = <u64>barrettReduce(a0 * b1, q, mu, s);
    storeU(d0, i, barrettReduce(a0 * b0, q, mu, s));
    storeU(d1, i, barrettReduce(a1 * b0 + cross, q, mu, s));
    storeU(d2, i, barrettReduce(a1 * b1, q, mu, s));
  }
}

/**
 * Ciphertext square of one limb: d0 = x0^2, d1 = 2 x0 x1 and d2 = x1^2 mod q, in one pass
 * with three products. Outputs may alias inputs element for element, as {@link tensorBarrett}.
 */
export function squareBarrett(d0: usize, d1: usize, d2: usize, x0: usize, x1: usize, n: i32, q: u32, mu: u32, s: u32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const muV = i32x4.splat(mu);
    for (let i = 0; i < vn; i += 4) {
      const a0 = loadV(x0, i);
      const a1 = loadV(x1, i);
      const cross = mulBarrettV(a0, a1, qV, muV, s);
      storeV(d0, i, mulBarrettV(a0, a0, qV, muV, s));
      storeV(d1, i, condSubV(i32x4.add(cross, cross), qV));
      storeV(d2, i, mulBarrettV(a1, a1, qV, muV, s));
    }
  }
  for (let i = vn; i < n; i++) {
    const a0 = <u64>loadU(x0, i);
    const a1 = <u64>loadU(x1, i);
    const cross = barrettReduce(a0 * a1, q, mu, s);
    storeU(d0, i, barrettReduce(a0 * a0, q, mu, s));
    storeU(d1, i, condSub(cross + cross, q));
    storeU(d2, i, barrettReduce(a1 * a1, q, mu, s));
  }
}
