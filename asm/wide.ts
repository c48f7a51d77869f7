// Lazy accumulation in 64-bit words: sums of products are kept unreduced and reduced once,
// which makes inner products (key switching, linear transforms) several times cheaper.
// A wide buffer of n values occupies 8n bytes (little-endian i64).

import { condSub, condSubV, loadU, mulHighV, mulShoupLazy, mulShoupLazyV, storeU, vectorPart } from "./lanes";

/**
 * acc = (first ? 0 : acc) + a * b, element-wise, in 64-bit words.
 * Preconditions: a, b < 2^30; acc + a * b stays below 2^63 (e.g. at most 8 terms of products
 * of values below 2^30 per reduction).
 */
export function mulAccumulateWide(acc: usize, a: usize, b: usize, n: i32, first: i32): void {
  const vn = vectorPart(n);
  if (ASC_FEATURE_SIMD) {
    for (let i = 0; i < vn; i += 4) {
      const x = v128.load(a + (<usize>i << 2));
      const y = v128.load(b + (<usize>i << 2));
      const address = acc + (<usize>i << 3);
      let low = i64x2.extmul_low_i32x4_u(x, y);
      let high = i64x2.extmul_high_i32x4_u(x, y);
      if (!first) {
        low = i64x2.add(low, v128.load(address));
        high = i64x2.add(high, v128.load(address, 16));
      }
      v128.store(address, low);
      v128.store(address, high, 16);
    }
  }
  for (let i = vn; i < n; i++) {
    const address = acc + (<usize>i << 3);
    const product = <u64>loadU(a, i) * <u64>loadU(b, i);
    store<u64>(address, first ? product : load<u64>(address) + product);
  }
}

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
