// Many linear combinations of the same limbs with fixed residues: out_j = Σ_t c_{j,t} · in_{col(j,t)}
// mod q for every row j of a compressed-row matrix (the dense and convolutional layers of
// batch-packed networks), with lazy accumulation: one reduction per batch of terms, not per term.
//
// Coefficients are processed in blocks: the block's slice of every input is first copied into a
// scratch block (which stays in the L2 cache while every row reads it), in chunks of 8
// coefficients with the chunks of all inputs side by side (a row's terms read consecutive
// 32-byte pieces), then each row runs its terms over register tiles of the block.
//
// SIMD build: x · c mod q is split into 16-bit products that i32x4.dot_i16x8_s (one
// multiply-add instruction, no shuffles) computes four lanes at a time. With x = x_lo + 2^15 x_hi
// (15-bit halves) and c' = 2^15 c mod q, x c = x_lo c + x_hi c' (mod q); splitting c and c' into
// 10-bit digits c_d, c'_d gives x c = Σ_d 2^(10 d) D_d (mod q) with D_d = x_lo c_d + x_hi c'_d,
// one dot product of the pairs (x_lo, x_hi) and (c_d, c'_d). Each D_d is below 2^26, so 64 terms
// add up in u32 lanes before a reduction. The scratch holds the inputs packed as x_lo + 2^16 x_hi.
// A tile is 8 coefficients of one row: six accumulators, few enough for V8 to keep in registers.
//
// Scalar build (and rings below 16 coefficients): plain 64-bit products, 16 terms per reduction,
// tiles of 4 coefficients (1 below 4).

import { condSubV, loadU, mulHighV, mulShoupLazyV } from "./lanes";
import { reduceWords } from "./wide";

/** Terms per SIMD reduction: 64 values D_d < 2 (2^15 - 1)(2^10 - 1) < 2^26 stay below 2^32. */
const simdBatch = 64;

/**
 * Terms per scalar reduction: 16 products below (2^30 - 2)^2 plus a carried value below 2^30
 * stay below 2^64.
 */
const scalarBatch = 16;

/** Word offsets in a limb's constant header (see {@link combineLimb}). */
const Q = 0, R32 = 1, R32_SHOUP = 2, ONE_SHOUP = 3, T1 = 4, T1_SHOUP = 5, T2 = 6, T2_SHOUP = 7;
/** Words of the constant header; entry k's record (4 words) follows at header + 4 k. */
const headerWords = 8;

/**
 * For every row j, out_j = Σ_{k in row j} c_k · in_{col(k)} mod q over the n coefficients of
 * one limb.
 *
 * Layout (u32 / i32 words). `outs[j]` and `ins[c]` are the heap addresses of output row j and
 * input column c; `limbOffset` (bytes) is added to each to reach this limb. `rowStart` (rows + 1
 * entries) is the compressed-row start array; `sources[k]` = 32 col(k) is the byte offset of
 * entry k's input in a chunk of the scratch block. `limb` holds the constants q, 2^32 mod q, its
 * Shoup companion, floor(2^32 / q), 2^10 mod q, its companion, 2^20 mod q, its companion, then
 * one record per entry k: c_k and, for d = 0, 1, 2, the word c_{k,d} + 2^16 c'_{k,d} (the 10-bit
 * digits d of c_k and of c'_k = 2^15 c_k mod q). `scratch` has room for cols · max(blockWords, 8) words;
 * `blockWords` is a power of two dividing n, at least 16 when n is.
 *
 * Preconditions: q an odd prime below 2^30; inputs and c_k in [0, q); no output overlaps an
 * input, another output or the scratch. Outputs are fully reduced to [0, q); an empty row gives
 * zero.
 */
export function combineLimb(
  outs: usize, ins: usize, rowStart: usize, sources: usize, rows: i32, cols: i32,
  limb: usize, n: i32, limbOffset: usize, scratch: usize, blockWords: i32,
): void {
  const simd = ASC_FEATURE_SIMD && n >= 16;
  const batchTerms = simd ? simdBatch : scalarBatch;
  const records = limb + (headerWords << 2);
  const blockBytes = <usize>blockWords << 2;
  const chunkStride = <usize>cols << 5; // bytes from one chunk of 8 coefficients to the next
  for (let block = 0; block < n; block += blockWords) {
    const at = <usize>block << 2;
    for (let c = 0; c < cols; c++) {
      const src = <usize>loadU(ins, c) + limbOffset + at;
      const dst = scratch + (<usize>c << 5);
      if (simd) packBlock(dst, src, blockBytes, chunkStride);
      else copyBlock(dst, src, blockBytes, chunkStride);
    }
    for (let j = 0; j < rows; j++) {
      const out = <usize>loadU(outs, j) + limbOffset + at;
      const start = <i32>loadU(rowStart, j);
      const terms = <i32>loadU(rowStart, j + 1) - start;
      if (terms == 0) memory.fill(out, 0, blockBytes);
      for (let t0 = 0; t0 < terms; t0 += batchTerms) {
        const m = min(batchTerms, terms - t0);
        const entries = sources + (<usize>(start + t0) << 2);
        const coefficients = records + (<usize>(start + t0) << 4);
        const carry = t0 > 0;
        if (simd) batchV(out, blockBytes, entries, coefficients, m, scratch, chunkStride, carry, limb);
        else if (blockWords >= 4) batchS(4, out, blockBytes, entries, coefficients, m, scratch, chunkStride, carry, limb);
        else batchS(1, out, blockBytes, entries, coefficients, m, scratch, chunkStride, carry, limb);
      }
    }
  }
}

/**
 * Chunk h of 8 coefficients of `src` (`bytes` long, a multiple of 32) goes to dst + h stride,
 * each x < 2^30 as x + 2^16 x_hi = x_lo + 2^16 x_hi (its 15-bit halves as a pair of i16).
 */
@inline function packBlock(dst: usize, src: usize, bytes: usize, stride: usize): void {
  const highMask = i32x4.splat(0x3fff8000);
  for (let i: usize = 0, to = dst; i < bytes; i += 32, to += stride) {
    const x = v128.load(src + i);
    const y = v128.load(src + i, 16);
    v128.store(to, i32x4.add(x, v128.and(x, highMask)));
    v128.store(to, i32x4.add(y, v128.and(y, highMask)), 16);
  }
}

/** Coefficient i of `src` (`bytes` long) goes to dst + (i / 8) stride + 4 (i mod 8), unchanged. */
@inline function copyBlock(dst: usize, src: usize, bytes: usize, stride: usize): void {
  for (let i: usize = 0; i < bytes; i += 4) store<u32>(dst + (i >> 5) * stride + (i & 31), load<u32>(src + i));
}

/**
 * One SIMD batch of m ≤ 64 terms of one row over the block at `out` (`bytes` long, a multiple of
 * 32), in tiles of one chunk of 8 coefficients: out = (carry ? out : 0) + Σ_t c_t · x_t mod q.
 * Term t reads its packed input at entries[t] in the chunk and its record at coefficients + 16 t.
 */
@inline function batchV(
  out: usize, bytes: usize, entries: usize, coefficients: usize, m: i32, scratch: usize, stride: usize,
  carry: bool, limb: usize,
): void {
  const q = loadU(limb, Q);
  const qV = i32x4.splat(q);
  const twoQV = i32x4.splat(q << 1);
  const oneShoupV = i32x4.splat(loadU(limb, ONE_SHOUP));
  const t1V = i32x4.splat(loadU(limb, T1));
  const t1ShoupV = i32x4.splat(loadU(limb, T1_SHOUP));
  const t2V = i32x4.splat(loadU(limb, T2));
  const t2ShoupV = i32x4.splat(loadU(limb, T2_SHOUP));
  for (let i: usize = 0, tile = scratch; i < bytes; i += 32, tile += stride) {
    // digit sums D_0, D_1, D_2 of coefficients i .. i + 3 (a) and i + 4 .. i + 7 (b)
    let a0 = i32x4.splat(0);
    let a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
    const last = entries + (<usize>m << 2);
    for (let e = entries, record = coefficients; e < last; e += 4, record += 16) {
      const src = tile + <usize>load<u32>(e);
      const x = v128.load(src);
      const y = v128.load(src, 16);
      const k0 = v128.load32_splat(record, 4);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, k0));
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(y, k0));
      const k1 = v128.load32_splat(record, 8);
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, k1));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(y, k1));
      const k2 = v128.load32_splat(record, 12);
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, k2));
      b2 = i32x4.add(b2, i32x4.dot_i16x8_s(y, k2));
    }
    const p = out + i;
    v128.store(p, reduceDigitsV(a0, a1, a2, carry, p, qV, twoQV, oneShoupV, t1V, t1ShoupV, t2V, t2ShoupV));
    v128.store(p, reduceDigitsV(b0, b1, b2, carry, p + 16, qV, twoQV, oneShoupV, t1V, t1ShoupV, t2V, t2ShoupV), 16);
  }
}

/**
 * (carry ? out[0..4) : 0) + d0 + 2^10 d1 + 2^20 d2 mod q, lane-wise, fully reduced, for digit
 * sums below 2^32 and carried values in [0, q); t1 = 2^10 mod q, t2 = 2^20 mod q with their
 * Shoup companions, oneShoup = floor(2^32 / q).
 */
@inline function reduceDigitsV(
  d0: v128, d1: v128, d2: v128, carry: bool, out: usize,
  qV: v128, twoQV: v128, oneShoupV: v128, t1V: v128, t1ShoupV: v128, t2V: v128, t2ShoupV: v128,
): v128 {
  let sum = i32x4.sub(d0, i32x4.mul(mulHighV(d0, oneShoupV), qV)); // [0, 2q)
  sum = condSubV(i32x4.add(sum, mulShoupLazyV(d1, t1V, t1ShoupV, qV)), twoQV); // [0, 2q)
  sum = condSubV(i32x4.add(sum, mulShoupLazyV(d2, t2V, t2ShoupV, qV)), twoQV); // [0, 2q)
  if (carry) sum = condSubV(i32x4.add(sum, v128.load(out)), twoQV); // below 3q, then [0, 2q)
  return condSubV(sum, qV);
}

/**
 * One scalar batch of m ≤ 16 terms of one row over the block at `out`, in tiles of W = 4 or 1
 * coefficients (a constant after inlining; W divides the block), in u64 products of the copied
 * inputs and c.
 */
@inline function batchS(
  W: i32, out: usize, bytes: usize, entries: usize, coefficients: usize, m: i32, scratch: usize, stride: usize,
  carry: bool, limb: usize,
): void {
  const q = loadU(limb, Q);
  const twoQ = q << 1;
  const r32 = loadU(limb, R32);
  const r32Shoup = loadU(limb, R32_SHOUP);
  const oneShoup = loadU(limb, ONE_SHOUP);
  for (let i: usize = 0; i < bytes; i += <usize>W << 2) {
    const p = out + i;
    let a0: u64 = carry ? <u64>load<u32>(p) : 0;
    let a1: u64 = carry && W > 1 ? <u64>load<u32>(p, 4) : 0;
    let a2: u64 = carry && W > 1 ? <u64>load<u32>(p, 8) : 0;
    let a3: u64 = carry && W > 1 ? <u64>load<u32>(p, 12) : 0;
    for (let t = 0; t < m; t++) {
      const src = scratch + (i >> 5) * stride + (i & 31) + <usize>loadU(entries, t);
      const c = <u64>load<u32>(coefficients + (<usize>t << 4));
      a0 += c * <u64>load<u32>(src);
      if (W > 1) {
        a1 += c * <u64>load<u32>(src, 4);
        a2 += c * <u64>load<u32>(src, 8);
        a3 += c * <u64>load<u32>(src, 12);
      }
    }
    store<u32>(p, reduceWords(<u32>a0, <u32>(a0 >> 32), q, twoQ, r32, r32Shoup, oneShoup));
    if (W > 1) {
      store<u32>(p, reduceWords(<u32>a1, <u32>(a1 >> 32), q, twoQ, r32, r32Shoup, oneShoup), 4);
      store<u32>(p, reduceWords(<u32>a2, <u32>(a2 >> 32), q, twoQ, r32, r32Shoup, oneShoup), 8);
      store<u32>(p, reduceWords(<u32>a3, <u32>(a3 >> 32), q, twoQ, r32, r32Shoup, oneShoup), 12);
    }
  }
}
