// Many linear combinations of the same limbs with fixed residues: out_j = Σ_t c_{j,t} · in_{col(j,t)}
// mod q for every row j of a compressed-row matrix (the dense and convolutional layers of
// batch-packed networks). Products are summed unreduced in 64-bit words and reduced once per
// batch of up to 16 terms; rows with identical column lists are processed in groups of 1, 2 or
// 4 so that every input load feeds several rows; coefficients are processed in blocks so that
// the inputs' slices of a block stay in the L2 cache while every row group runs over them.

import { loadU } from "./lanes";
import { reduceWords, reduceWordsV } from "./wide";

/**
 * Terms summed before a reduction: 16 products of values below q < 2^30 plus a carried value
 * below q stay below 16 (2^30 - 2)^2 + 2^30 < 2^64.
 */
const termsPerReduction = 16;

/** Coefficients per block (a multiple of 16): 1 KiB of every input. */
const blockWords = 256;

/**
 * For every limb-local row group, out_j = Σ_{k in row j} residues[k] · in_{columns[k]} mod q,
 * over the n coefficients of one limb.
 *
 * Layout (all u32 / i32 words): `outs[j]` and `ins[c]` are the heap addresses of output row j
 * and input column c; `limbOffset` (bytes) is added to each to reach this limb. `rowStart`
 * (rows + 1 entries) and `columns` are the compressed-row structure, `residues` this limb's
 * coefficients (one per entry). `groupRows[groupStart[g] .. groupStart[g + 1])` lists the rows of
 * group g: 1, 2 or 4 rows whose column lists are identical (same length, same columns in the
 * same order); every row appears in exactly one group.
 *
 * Preconditions: q an odd prime below 2^30, r32 = 2^32 mod q with Shoup companion r32Shoup,
 * oneShoup = floor(2^32 / q); inputs and residues in [0, q); no output overlaps an input or
 * another output. Outputs are fully reduced to [0, q); an empty row gives zero.
 */
export function combineLimb(
  outs: usize, ins: usize, rowStart: usize, columns: usize, residues: usize,
  groupRows: usize, groupStart: usize, groups: i32, n: i32, limbOffset: usize,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32,
): void {
  for (let block = 0; block < n; block += blockWords) {
    const end = min(n, block + blockWords);
    for (let g = 0; g < groups; g++) {
      const first = <i32>loadU(groupStart, g);
      const size = <i32>loadU(groupStart, g + 1) - first;
      const row0 = <i32>loadU(groupRows, first);
      const row1 = size > 1 ? <i32>loadU(groupRows, first + 1) : row0;
      const row2 = size > 2 ? <i32>loadU(groupRows, first + 2) : row0;
      const row3 = size > 2 ? <i32>loadU(groupRows, first + 3) : row0;
      const terms = <i32>loadU(rowStart, row0 + 1) - <i32>loadU(rowStart, row0);
      const o0 = <usize>loadU(outs, row0) + limbOffset;
      const o1 = <usize>loadU(outs, row1) + limbOffset;
      const o2 = <usize>loadU(outs, row2) + limbOffset;
      const o3 = <usize>loadU(outs, row3) + limbOffset;
      if (terms == 0) {
        const at = <usize>block << 2;
        const bytes = <usize>(end - block) << 2;
        memory.fill(o0 + at, 0, bytes);
        if (size > 1) memory.fill(o1 + at, 0, bytes);
        if (size > 2) {
          memory.fill(o2 + at, 0, bytes);
          memory.fill(o3 + at, 0, bytes);
        }
        continue;
      }
      for (let t0 = 0; t0 < terms; t0 += termsPerReduction) {
        const m = min(termsPerReduction, terms - t0);
        const c0 = residues + (<usize>(<i32>loadU(rowStart, row0) + t0) << 2);
        const c1 = residues + (<usize>(<i32>loadU(rowStart, row1) + t0) << 2);
        const c2 = residues + (<usize>(<i32>loadU(rowStart, row2) + t0) << 2);
        const c3 = residues + (<usize>(<i32>loadU(rowStart, row3) + t0) << 2);
        const cols = c0 - residues + columns; // the group's shared columns, from row 0's entries
        const carry = t0 > 0;
        if (size == 4) {
          batch(4, block, end, o0, o1, o2, o3, c0, c1, c2, c3, cols, m, ins, limbOffset, carry, q, r32, r32Shoup, oneShoup);
        } else if (size == 2) {
          batch(2, block, end, o0, o1, o0, o0, c0, c1, c0, c0, cols, m, ins, limbOffset, carry, q, r32, r32Shoup, oneShoup);
        } else {
          batch(1, block, end, o0, o0, o0, o0, c0, c0, c0, c0, cols, m, ins, limbOffset, carry, q, r32, r32Shoup, oneShoup);
        }
      }
    }
  }
}

/**
 * One batch of m ≤ 16 terms for the R rows of a group (R = 1, 2 or 4, a constant after
 * inlining) over the coefficients [block, end): out = (carry ? out : 0) + Σ_t c_{r,t} · x_t mod q.
 * SIMD tiles of R rows × 16 / R coefficients, then single coefficients for what is left.
 */
@inline function batch(
  R: i32, block: i32, end: i32, o0: usize, o1: usize, o2: usize, o3: usize,
  c0: usize, c1: usize, c2: usize, c3: usize, cols: usize, m: i32, ins: usize, offset: usize, carry: bool,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32,
): void {
  let i = block;
  if (ASC_FEATURE_SIMD) {
    const width = 16 / R;
    const qV = i32x4.splat(q);
    const twoQV = i32x4.splat(q << 1);
    const rV = i32x4.splat(r32);
    const rShoupV = i32x4.splat(r32Shoup);
    const oneShoupV = i32x4.splat(oneShoup);
    for (; i + width <= end; i += width) {
      tileV(R, i, o0, o1, o2, o3, c0, c1, c2, c3, cols, m, ins, offset, carry, qV, twoQV, rV, rShoupV, oneShoupV);
    }
  }
  for (; i < end; i++) tileS(R, i, o0, o1, o2, o3, c0, c1, c2, c3, cols, m, ins, offset, carry, q, r32, r32Shoup, oneShoup);
}

/** Address of the first coefficient of term t's input at coefficient byte offset `at`. */
@inline function source(ins: usize, cols: usize, t: i32, offset: usize, at: usize): usize {
  return <usize>loadU(ins, <i32>loadU(cols, t)) + offset + at;
}

/** The k-th of four values (k a constant after inlining). */
@inline function pick<T>(k: i32, a: T, b: T, c: T, d: T): T {
  return k == 0 ? a : k == 1 ? b : k == 2 ? c : d;
}

/** 32-bit words of four u64 accumulators (lanes 0, 1 in `low`, 2, 3 in `high`) reduced mod q. */
@inline function reduceAccumulators(low: v128, high: v128, qV: v128, twoQV: v128, rV: v128, rShoupV: v128, oneShoupV: v128): v128 {
  return reduceWordsV(
    v128.shuffle<u32>(low, high, 0, 2, 4, 6), v128.shuffle<u32>(low, high, 1, 3, 5, 7),
    qV, twoQV, rV, rShoupV, oneShoupV);
}

/**
 * A register tile of four slots of four coefficients, each slot two i64x2 accumulators: slot s
 * is row s / V at coefficients i + 4 (s % V) .. + 3, with V = 4 / R vectors per row. Every input
 * vector loaded feeds the R rows.
 */
@inline function tileV(
  R: i32, i: i32, o0: usize, o1: usize, o2: usize, o3: usize,
  c0: usize, c1: usize, c2: usize, c3: usize, cols: usize, m: i32, ins: usize, offset: usize, carry: bool,
  qV: v128, twoQV: v128, rV: v128, rShoupV: v128, oneShoupV: v128,
): void {
  const V = 4 / R;
  const at = <usize>i << 2;
  const p0 = o0 + at;
  const p1 = pick<usize>(1 / V, o0, o1, o2, o3) + 16 * (1 % V) + at;
  const p2 = pick<usize>(2 / V, o0, o1, o2, o3) + 16 * (2 % V) + at;
  const p3 = pick<usize>(3 / V, o0, o1, o2, o3) + 16 * (3 % V) + at;
  let l0 = i64x2.splat(0);
  let h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
  if (carry) {
    const y0 = v128.load(p0);
    const y1 = v128.load(p1);
    const y2 = v128.load(p2);
    const y3 = v128.load(p3);
    l0 = i64x2.extend_low_i32x4_u(y0); h0 = i64x2.extend_high_i32x4_u(y0);
    l1 = i64x2.extend_low_i32x4_u(y1); h1 = i64x2.extend_high_i32x4_u(y1);
    l2 = i64x2.extend_low_i32x4_u(y2); h2 = i64x2.extend_high_i32x4_u(y2);
    l3 = i64x2.extend_low_i32x4_u(y3); h3 = i64x2.extend_high_i32x4_u(y3);
  }
  for (let t = 0; t < m; t++) {
    const src = source(ins, cols, t, offset, at);
    const x0 = v128.load(src);
    const x1 = V > 1 ? v128.load(src, 16) : x0;
    const x2 = V > 2 ? v128.load(src, 32) : x0;
    const x3 = V > 2 ? v128.load(src, 48) : x0;
    const k = <usize>t << 2;
    const k0 = v128.load32_splat(c0 + k);
    const k1 = R > 1 ? v128.load32_splat(c1 + k) : k0;
    const k2 = R > 2 ? v128.load32_splat(c2 + k) : k0;
    const k3 = R > 2 ? v128.load32_splat(c3 + k) : k0;
    const y1 = pick<v128>(1 % V, x0, x1, x2, x3);
    const y2 = pick<v128>(2 % V, x0, x1, x2, x3);
    const y3 = pick<v128>(3 % V, x0, x1, x2, x3);
    const w1 = pick<v128>(1 / V, k0, k1, k2, k3);
    const w2 = pick<v128>(2 / V, k0, k1, k2, k3);
    const w3 = pick<v128>(3 / V, k0, k1, k2, k3);
    l0 = i64x2.add(l0, i64x2.extmul_low_i32x4_u(x0, k0));
    h0 = i64x2.add(h0, i64x2.extmul_high_i32x4_u(x0, k0));
    l1 = i64x2.add(l1, i64x2.extmul_low_i32x4_u(y1, w1));
    h1 = i64x2.add(h1, i64x2.extmul_high_i32x4_u(y1, w1));
    l2 = i64x2.add(l2, i64x2.extmul_low_i32x4_u(y2, w2));
    h2 = i64x2.add(h2, i64x2.extmul_high_i32x4_u(y2, w2));
    l3 = i64x2.add(l3, i64x2.extmul_low_i32x4_u(y3, w3));
    h3 = i64x2.add(h3, i64x2.extmul_high_i32x4_u(y3, w3));
  }
  v128.store(p0, reduceAccumulators(l0, h0, qV, twoQV, rV, rShoupV, oneShoupV));
  v128.store(p1, reduceAccumulators(l1, h1, qV, twoQV, rV, rShoupV, oneShoupV));
  v128.store(p2, reduceAccumulators(l2, h2, qV, twoQV, rV, rShoupV, oneShoupV));
  v128.store(p3, reduceAccumulators(l3, h3, qV, twoQV, rV, rShoupV, oneShoupV));
}

/** One coefficient i of the R rows, in u64 scalars (the scalar build, and SIMD leftovers). */
@inline function tileS(
  R: i32, i: i32, o0: usize, o1: usize, o2: usize, o3: usize,
  c0: usize, c1: usize, c2: usize, c3: usize, cols: usize, m: i32, ins: usize, offset: usize, carry: bool,
  q: u32, r32: u32, r32Shoup: u32, oneShoup: u32,
): void {
  const at = <usize>i << 2;
  let a0: u64 = carry ? <u64>load<u32>(o0 + at) : 0;
  let a1: u64 = carry && R > 1 ? <u64>load<u32>(o1 + at) : 0;
  let a2: u64 = carry && R > 2 ? <u64>load<u32>(o2 + at) : 0;
  let a3: u64 = carry && R > 2 ? <u64>load<u32>(o3 + at) : 0;
  for (let t = 0; t < m; t++) {
    const x = <u64>load<u32>(source(ins, cols, t, offset, at));
    a0 += x * <u64>loadU(c0, t);
    if (R > 1) a1 += x * <u64>loadU(c1, t);
    if (R > 2) {
      a2 += x * <u64>loadU(c2, t);
      a3 += x * <u64>loadU(c3, t);
    }
  }
  const twoQ = q << 1;
  store<u32>(o0 + at, reduceWords(<u32>a0, <u32>(a0 >> 32), q, twoQ, r32, r32Shoup, oneShoup));
  if (R > 1) store<u32>(o1 + at, reduceWords(<u32>a1, <u32>(a1 >> 32), q, twoQ, r32, r32Shoup, oneShoup));
  if (R > 2) {
    store<u32>(o2 + at, reduceWords(<u32>a2, <u32>(a2 >> 32), q, twoQ, r32, r32Shoup, oneShoup));
    store<u32>(o3 + at, reduceWords(<u32>a3, <u32>(a3 >> 32), q, twoQ, r32, r32Shoup, oneShoup));
  }
}
