// Lazy accumulation in 64-bit words: sums of products are kept unreduced and reduced once,
// which makes inner products (key switching, linear transforms) several times cheaper; and
// the reduction of signed 64-bit values (8n bytes for n values, little-endian i64).

import { condSub, condSubV, loadU, mulHighV, mulShoupLazy, mulShoupLazyV, storeU, vectorPart } from "./lanes";

/**
 * (high * 2^32 + low) mod q, fully reduced to [0, q), for any words low, high < 2^32.
 * Constants: twoQ = 2q; r32 = 2^32 mod q with Shoup companion r32Shoup; oneShoup = floor(2^32 / q).
 */
@inline export function reduceWords(low: u32, high: u32, q: u32, twoQ: u32, r32: u32, r32Shoup: u32, oneShoup: u32): u32 {
  const lowReduced = mulShoupLazy(low, 1, oneShoup, q); // [0, 2q)
  return condSub(condSub(mulShoupLazy(high, r32, r32Shoup, q) + lowReduced, twoQ), q);
}

/** Lane-wise {@link reduceWords} on four (low, high) word pairs, constants splatted. */
@inline export function reduceWordsV(low: v128, high: v128, qV: v128, twoQV: v128, rV: v128, rShoupV: v128, oneShoupV: v128): v128 {
  const lowReduced = i32x4.sub(low, i32x4.mul(mulHighV(low, oneShoupV), qV)); // [0, 2q)
  return condSubV(condSubV(i32x4.add(mulShoupLazyV(high, rV, rShoupV, qV), lowReduced), twoQV), qV);
}

/**
 * out = in mod q for signed 64-bit inputs (|in| < 2^63), fully reduced to [0, q).
 * Constants: r32 = 2^32 mod q with Shoup companion r32Shoup; oneShoup = floor(2^32 / q).
 */
export function reduceInt64(out: usize, input: usize, n: i32, q: u32, r32: u32, r32Shoup: u32, oneShoup: u32): void {
  const twoQ = q << 1;
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const twoQV = i32x4.splat(twoQ);
    const rV = i32x4.splat(r32);
    const rShoupV = i32x4.splat(r32Shoup);
    const oneShoupV = i32x4.splat(oneShoup);
    for (let i = 0; i < vn; i += 4) {
      const address = input + (<usize>i << 3);
      const v0 = v128.load(address);
      const v1 = v128.load(address, 16);
      const m0 = i64x2.abs(v0);
      const m1 = i64x2.abs(v1);
      const low = v128.shuffle<u32>(m0, m1, 0, 2, 4, 6);
      const high = v128.shuffle<u32>(m0, m1, 1, 3, 5, 7);
      const negative = v128.shuffle<u32>(i64x2.lt_s(v0, i64x2.splat(0)), i64x2.lt_s(v1, i64x2.splat(0)), 0, 2, 4, 6);
      const r = reduceWordsV(low, high, qV, twoQV, rV, rShoupV, oneShoupV);
      const negated = condSubV(i32x4.sub(qV, r), qV);
      v128.store(out + (<usize>i << 2), v128.bitselect(negated, r, negative));
    }
  }
  for (let i = vn; i < n; i++) {
    const v = load<i64>(input + (<usize>i << 3));
    const magnitude = <u64>(v < 0 ? -v : v);
    const r = reduceWords(<u32>magnitude, <u32>(magnitude >> 32), q, twoQ, r32, r32Shoup, oneShoup);
    storeU(out, i, v < 0 ? condSub(q - r, q) : r);
  }
}

/**
 * One limb of a key-switching inner product, summed in registers: out0 (+)= sum_j d_j b_j and
 * out1 (+)= sum_j d_j a_j mod q, element-wise over n words. `terms` holds 3 count u32 byte
 * addresses: d_j, b_j, a_j for j in [0, count).
 * Preconditions: every d_j, b_j, a_j value below 2^30 (products below 2^60) and count <= 16
 * (unsigned sums below 2^64); with accumulate != 0, out0 and out1 in [0, q). Output fully reduced to
 * [0, q). Constants as {@link reduceWords}. Outputs must not overlap the inputs.
 */
export function innerProductPair(
  out0: usize, out1: usize, terms: usize, count: i32, n: i32,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32, accumulate: i32,
): void {
  innerProduct(out0, out1, terms, count, n, q, r32, r32Shoup, oneShoup, accumulate, 0, 0, 0, false);
}

/**
 * {@link innerProductPair} plus f x0 and f x1 in the two sums (the ciphertext parts lifted by P
 * before a relinearization's division): out0 (+)= f x0 + sum_j d_j b_j, out1 (+)= f x1 +
 * sum_j d_j a_j mod q. Preconditions as innerProductPair with count <= 15; x0, x1 and f below
 * 2^30. x0 and x1 may alias neither output.
 */
export function innerProductPairLift(
  out0: usize, out1: usize, terms: usize, count: i32, n: i32,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32, accumulate: i32, x0: usize, x1: usize, f: u32,
): void {
  innerProduct(out0, out1, terms, count, n, q, r32, r32Shoup, oneShoup, accumulate, x0, x1, f, true);
}

@inline function innerProduct(
  out0: usize, out1: usize, terms: usize, count: i32, n: i32,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32, accumulate: i32, x0: usize, x1: usize, f: u32, lift: bool,
): void {
  const twoQ = q << 1;
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    const qV = i32x4.splat(q);
    const twoQV = i32x4.splat(twoQ);
    const rV = i32x4.splat(r32);
    const rShoupV = i32x4.splat(r32Shoup);
    const oneShoupV = i32x4.splat(oneShoup);
    const fV = i32x4.splat(f);
    for (let i = 0; i < vn; i += 4) {
      const offset = <usize>i << 2;
      let low0 = i64x2.splat(0);
      let high0 = i64x2.splat(0);
      let low1 = i64x2.splat(0);
      let high1 = i64x2.splat(0);
      if (lift) {
        const y0 = v128.load(x0 + offset);
        const y1 = v128.load(x1 + offset);
        low0 = i64x2.extmul_low_i32x4_u(y0, fV);
        high0 = i64x2.extmul_high_i32x4_u(y0, fV);
        low1 = i64x2.extmul_low_i32x4_u(y1, fV);
        high1 = i64x2.extmul_high_i32x4_u(y1, fV);
      }
      for (let j = 0; j < count; j++) {
        const entry = terms + (<usize>(12 * j));
        const d = v128.load(<usize>load<u32>(entry) + offset);
        const b = v128.load(<usize>load<u32>(entry, 4) + offset);
        const a = v128.load(<usize>load<u32>(entry, 8) + offset);
        low0 = i64x2.add(low0, i64x2.extmul_low_i32x4_u(d, b));
        high0 = i64x2.add(high0, i64x2.extmul_high_i32x4_u(d, b));
        low1 = i64x2.add(low1, i64x2.extmul_low_i32x4_u(d, a));
        high1 = i64x2.add(high1, i64x2.extmul_high_i32x4_u(d, a));
      }
      let r0 = reduceWordsV(v128.shuffle<u32>(low0, high0, 0, 2, 4, 6), v128.shuffle<u32>(low0, high0, 1, 3, 5, 7), qV, twoQV, rV, rShoupV, oneShoupV);
      let r1 = reduceWordsV(v128.shuffle<u32>(low1, high1, 0, 2, 4, 6), v128.shuffle<u32>(low1, high1, 1, 3, 5, 7), qV, twoQV, rV, rShoupV, oneShoupV);
      if (accumulate) {
        r0 = condSubV(i32x4.add(r0, v128.load(out0 + offset)), qV);
        r1 = condSubV(i32x4.add(r1, v128.load(out1 + offset)), qV);
      }
      v128.store(out0 + offset, r0);
      v128.store(out1 + offset, r1);
    }
  }
  for (let i = vn; i < n; i++) {
    let sum0: u64 = lift ? <u64>loadU(x0, i) * <u64>f : 0;
    let sum1: u64 = lift ? <u64>loadU(x1, i) * <u64>f : 0;
    for (let j = 0; j < count; j++) {
      const entry = terms + (<usize>(12 * j));
      const d = <u64>loadU(<usize>load<u32>(entry), i);
      sum0 += d * <u64>loadU(<usize>load<u32>(entry, 4), i);
      sum1 += d * <u64>loadU(<usize>load<u32>(entry, 8), i);
    }
    let r0 = reduceWords(<u32>sum0, <u32>(sum0 >> 32), q, twoQ, r32, r32Shoup, oneShoup);
    let r1 = reduceWords(<u32>sum1, <u32>(sum1 >> 32), q, twoQ, r32, r32Shoup, oneShoup);
    if (accumulate) {
      r0 = condSub(r0 + loadU(out0, i), q);
      r1 = condSub(r1 + loadU(out1, i), q);
    }
    storeU(out0, i, r0);
    storeU(out1, i, r1);
  }
}
