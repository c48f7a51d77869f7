// RNS basis primitives for rescaling and hybrid key switching.

import {
  condSub, condSubV, loadU, loadV, mulHighV, mulShoupLazy, mulShoupLazyV, storeU, storeV,
  vectorPart,
} from "./lanes";

/**
 * Second half of the fast base conversion from a basis {q_i} (nIn primes) to {p_j} (nOut
 * primes): out_j = sum_i t_i * c_ij mod p_j, where the caller has already computed
 * t_i = x_i * (Q/q_i)^-1 mod q_i and c_ij = (Q/q_i) mod p_j.
 *
 * Layout: `t` holds nIn limbs of n words, `out` nOut limbs of n words (no overlap with t);
 * `primesOut[j]` = p_j; `table[2 (j nIn + i)]` = c_ij and `table[2 (j nIn + i) + 1]` its Shoup
 * companion for p_j. Inputs t_i < 2^32; output fully reduced to [0, p_j).
 * The result equals x + u Q mod p_j for an integer 0 <= u < nIn (the usual approximate
 * conversion error).
 */
export function baseConvertSum(
  out: usize, t: usize, n: i32, nIn: i32, nOut: i32, primesOut: usize, table: usize,
): void {
  const vn = vectorPart(n);
  for (let j = 0; j < nOut; j++) {
    const p = loadU(primesOut, j);
    const twoP = p << 1;
    const outLimb = out + (<usize>(j * n) << 2);
    const row = table + (<usize>(2 * j * nIn) << 2);
    if (ASC_FEATURE_SIMD) {
      // Up to four input limbs per pass with their constants held in registers; the running
      // sum (in [0, 2p)) lives in the output limb between passes.
      const pV = i32x4.splat(p);
      const twoPV = i32x4.splat(twoP);
      for (let i0 = 0; i0 < nIn; i0 += 4) {
        const group = min(4, nIn - i0);
        const c0 = v128.load32_splat(row + (<usize>(2 * i0) << 2));
        const s0 = v128.load32_splat(row + (<usize>(2 * i0 + 1) << 2));
        const c1 = group > 1 ? v128.load32_splat(row + (<usize>(2 * i0 + 2) << 2)) : c0;
        const s1 = group > 1 ? v128.load32_splat(row + (<usize>(2 * i0 + 3) << 2)) : s0;
        const c2 = group > 2 ? v128.load32_splat(row + (<usize>(2 * i0 + 4) << 2)) : c0;
        const s2 = group > 2 ? v128.load32_splat(row + (<usize>(2 * i0 + 5) << 2)) : s0;
        const c3 = group > 3 ? v128.load32_splat(row + (<usize>(2 * i0 + 6) << 2)) : c0;
        const s3 = group > 3 ? v128.load32_splat(row + (<usize>(2 * i0 + 7) << 2)) : s0;
        const t0 = t + (<usize>(i0 * n) << 2);
        const t1 = t0 + (<usize>n << 2);
        const t2 = t1 + (<usize>n << 2);
        const t3 = t2 + (<usize>n << 2);
        const last = i0 + 4 >= nIn;
        for (let x = 0; x < vn; x += 4) {
          let acc = i0 === 0 ? i32x4.splat(0) : loadV(outLimb, x);
          acc = condSubV(i32x4.add(acc, mulShoupLazyV(loadV(t0, x), c0, s0, pV)), twoPV);
          if (group > 1) acc = condSubV(i32x4.add(acc, mulShoupLazyV(loadV(t1, x), c1, s1, pV)), twoPV);
          if (group > 2) acc = condSubV(i32x4.add(acc, mulShoupLazyV(loadV(t2, x), c2, s2, pV)), twoPV);
          if (group > 3) acc = condSubV(i32x4.add(acc, mulShoupLazyV(loadV(t3, x), c3, s3, pV)), twoPV);
          storeV(outLimb, x, last ? condSubV(acc, pV) : acc);
        }
      }
    }
    for (let x = vn; x < n; x++) {
      let acc: u32 = 0;
      for (let i = 0; i < nIn; i++) {
        const term = mulShoupLazy(loadU(t, i * n + x), loadU(row, 2 * i), loadU(row, 2 * i + 1), p);
        acc = condSub(acc + term, twoP);
      }
      storeU(outLimb, x, condSub(acc, p));
    }
  }
}

/**
 * out = [in]_qIn mod q, where [in]_qIn is the centered representative of in in
 * (-qIn/2, qIn/2]: values above floor(qIn / 2) count as in - qIn.
 * Preconditions: input in [0, qIn), qIn < 2^30, q < 2^30; qInModQ = qIn mod q;
 * oneShoup = floor(2^32 / q). Output in [0, q). `out` may alias `input`.
 */
export function reduceCentered(
  out: usize, input: usize, n: i32, qIn: u32, q: u32, qInModQ: u32, oneShoup: u32,
): void {
  const half = qIn >> 1;
  const correction = q - qInModQ; // adding it subtracts qIn mod q
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const halfV = i32x4.splat(half);
    const oneShoupV = i32x4.splat(oneShoup);
    const correctionV = i32x4.splat(correction);
    for (let i = 0; i < vn; i += 4) {
      const x = loadV(input, i);
      const r = condSubV(i32x4.sub(x, i32x4.mul(mulHighV(x, oneShoupV), qV)), qV);
      const negative = i32x4.gt_u(x, halfV);
      storeV(out, i, condSubV(i32x4.add(r, v128.and(negative, correctionV)), qV));
    }
  }
  for (let i = vn; i < n; i++) {
    const x = loadU(input, i);
    const r = condSub(x - <u32>((<u64>x * <u64>oneShoup) >> 32) * q, q);
    storeU(out, i, x > half ? condSub(r + correction, q) : r);
  }
}

/**
 * out = (x - y) * c mod q for a constant c in [0, q) with Shoup companion cShoup: the last
 * step of dividing by a dropped modulus (c is its inverse mod q).
 * Preconditions: x, y in [0, 2q). Output in [0, q). `out` may alias x or y.
 */
export function subMulScalarShoup(
  out: usize, x: usize, y: usize, n: i32, q: u32, c: u32, cShoup: u32,
): void {
  const twoQ = q << 1;
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const twoQV = i32x4.splat(twoQ);
    const cV = i32x4.splat(c);
    const cShoupV = i32x4.splat(cShoup);
    for (let i = 0; i < vn; i += 4) {
      const difference = i32x4.add(i32x4.sub(loadV(x, i), loadV(y, i)), twoQV);
      storeV(out, i, condSubV(mulShoupLazyV(difference, cV, cShoupV, qV), qV));
    }
  }
  for (let i = vn; i < n; i++) {
    storeU(out, i, condSub(mulShoupLazy(loadU(x, i) - loadU(y, i) + twoQ, c, cShoup, q), q));
  }
}

/**
 * Centered values (as float64) of integers given by their mixed-radix digits: coefficient x has
 * digits d_0 .. d_{k-1} at digits + 4 (n i + x), x = d_0 + q_0 (d_1 + q_1 (d_2 + ...)).
 * `primes` holds q_0 .. q_{k-1} and `half` the digits of (Q - 1) / 2: larger values count as
 * x - Q. Output rounding only at the end (relative error ~2^-53).
 */
export function mixedRadixToFloat(out: usize, digits: usize, n: i32, k: i32, primes: usize, half: usize): void {
  for (let x = 0; x < n; x++) {
    let negative = false;
    for (let i = k - 1; i >= 0; i--) {
      const digit = loadU(digits, i * n + x);
      const bound = loadU(half, i);
      if (digit !== bound) {
        negative = digit > bound;
        break;
      }
    }
    let value: f64 = 0;
    for (let i = k - 1; i >= 0; i--) {
      const q = loadU(primes, i);
      const digit = loadU(digits, i * n + x);
      value = value * <f64>q + <f64>(negative ? q - 1 - digit : digit);
    }
    store<f64>(out + (<usize>x << 3), negative ? -(value + 1) : value);
  }
}
