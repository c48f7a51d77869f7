// Shared modular-arithmetic building blocks for the kernels, in a scalar (u32) and a SIMD
// (four u32 lanes) form. Every function is inlined into its caller; none allocates.
//
// Conventions used across asm/:
// - every modulus q is an odd prime below 2^30, so 4q < 2^32 and lazy values fit a u32;
// - a Shoup companion of a fixed operand w < q is w' = floor(w * 2^32 / q);
// - Barrett constants for q with bit length s (2^(s-1) <= q < 2^s) are
//   mu = floor(2^(2s) / q) and the shift s itself.

/** Returns x - q when x >= q, else x. Precondition: x < 2q (then the result is in [0, q)). */
@inline export function condSub(x: u32, q: u32): u32 {
  return x >= q ? x - q : x;
}

/**
 * Shoup product x * w mod q, lazily reduced.
 * Preconditions: any x < 2^32; w < q with companion wShoup. Result in [0, 2q).
 */
@inline export function mulShoupLazy(x: u32, w: u32, wShoup: u32, q: u32): u32 {
  const quotient = <u32>((<u64>x * <u64>wShoup) >> 32);
  return x * w - quotient * q;
}

/**
 * Barrett reduction of a 64-bit value p < 2^(2s), fully reduced to [0, q).
 * Preconditions: 2^(s-1) <= q < 2^s <= 2^30, mu = floor(2^(2s) / q).
 */
@inline export function barrettReduce(p: u64, q: u32, mu: u32, s: u32): u32 {
  const estimate = <u32>(((p >> (s - 1)) * <u64>mu) >> (s + 1));
  const r = <u32>p - estimate * q; // in [0, 3q)
  return condSub(condSub(r, q), q);
}

/** Lane-wise x >= q ? x - q : x. Precondition per lane: x < 2q. Result per lane in [0, q). */
@inline export function condSubV(x: v128, q: v128): v128 {
  return i32x4.min_u(x, i32x4.sub(x, q));
}

/** High 32 bits of the lane-wise 32x32 -> 64-bit unsigned product. */
@inline export function mulHighV(a: v128, b: v128): v128 {
  const low = i64x2.extmul_low_i32x4_u(a, b);
  const high = i64x2.extmul_high_i32x4_u(a, b);
  return v128.shuffle<u32>(low, high, 1, 3, 5, 7);
}

/** Lane-wise Shoup product, as {@link mulShoupLazy}. Result per lane in [0, 2q). */
@inline export function mulShoupLazyV(x: v128, w: v128, wShoup: v128, q: v128): v128 {
  return i32x4.sub(i32x4.mul(x, w), i32x4.mul(mulHighV(x, wShoup), q));
}

/**
 * Lane-wise Barrett reduction of the 64-bit values held in two i64x2 vectors (lanes 0, 1 in
 * `low`, lanes 2, 3 in `high`) whose low 32 bits are `lowWords`. Each value < 2^(2s).
 * Result per lane in [0, q). Constants as in {@link barrettReduce}, splatted.
 */
@inline export function barrettReduceV(low: v128, high: v128, lowWords: v128, q: v128, mu: v128, s: i32): v128 {
  const x1 = v128.shuffle<u32>(i64x2.shr_u(low, s - 1), i64x2.shr_u(high, s - 1), 0, 2, 4, 6);
  const eLow = i64x2.extmul_low_i32x4_u(x1, mu);
  const eHigh = i64x2.extmul_high_i32x4_u(x1, mu);
  const estimate = v128.shuffle<u32>(i64x2.shr_u(eLow, s + 1), i64x2.shr_u(eHigh, s + 1), 0, 2, 4, 6);
  const r = i32x4.sub(lowWords, i32x4.mul(estimate, q));
  return condSubV(condSubV(r, q), q);
}

/** Lane-wise a * b mod q by Barrett. Preconditions per lane: a, b < q. Result in [0, q). */
@inline export function mulBarrettV(a: v128, b: v128, q: v128, mu: v128, s: i32): v128 {
  return barrettReduceV(
    i64x2.extmul_low_i32x4_u(a, b),
    i64x2.extmul_high_i32x4_u(a, b),
    i32x4.mul(a, b), q, mu, s);
}

/** Loads four u32 lanes from `ptr + 4 * index`. */
@inline export function loadV(ptr: usize, index: i32): v128 {
  return v128.load(ptr + (<usize>index << 2));
}

/** Stores four u32 lanes at `ptr + 4 * index`. */
@inline export function storeV(ptr: usize, index: i32, value: v128): void {
  v128.store(ptr + (<usize>index << 2), value);
}

/** Loads the u32 at `ptr + 4 * index`. */
@inline export function loadU(ptr: usize, index: i32): u32 {
  return load<u32>(ptr + (<usize>index << 2));
}

/** Stores a u32 at `ptr + 4 * index`. */
@inline export function storeU(ptr: usize, index: i32, value: u32): void {
  store<u32>(ptr + (<usize>index << 2), value);
}

/** Number of leading elements a SIMD loop over n elements handles; the rest is a scalar tail. */
@inline export function vectorPart(n: i32): i32 {
  return ASC_FEATURE_SIMD ? n & ~3 : 0;
}
