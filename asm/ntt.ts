// Negacyclic number-theoretic transforms over Z_q[X]/(X^N + 1), N a power of two, q < 2^30
// prime with q = 1 mod 2N.
//
// Ordering convention: with psi the chosen primitive 2N-th root of unity, the forward transform
// writes a(psi^(2 * bitrev(i) + 1)) to slot i (bit-reversed evaluation order, as in SEAL and
// Longa-Naehrig). Twiddle tables, built by engine/ring:
//   tw[k]  = psi^bitrev(k)       and twShoup[k]  = floor(tw[k]  * 2^32 / q), k in [0, N)
//   itw[k] = psi^(-bitrev(k))    and itwShoup[k] = floor(itw[k] * 2^32 / q)
// Butterflies are Harvey's lazy ones: forward values live in [0, 4q), inverse ones in [0, 2q).
// The SIMD bodies run the two stages with distance 1 and 2 together on pairs of 4-lane blocks.

import {
  condSub, condSubV, loadU, loadV, mulShoupLazy, mulShoupLazyV, storeU, storeV,
} from "./lanes";

/**
 * Forward NTT in place, output fully reduced to [0, q).
 * Preconditions: n a power of two >= 2; every input coefficient in [0, 4q); q < 2^30.
 */
export function nttForward(a: usize, n: i32, q: u32, tw: usize, twShoup: usize): void {
  forward(a, n, q, tw, twShoup, false);
}

/** Forward NTT in place with lazy output in [0, 2q). Preconditions as {@link nttForward}. */
export function nttForwardLazy(a: usize, n: i32, q: u32, tw: usize, twShoup: usize): void {
  forward(a, n, q, tw, twShoup, true);
}

/**
 * Inverse NTT in place (including the factor 1/N), output fully reduced to [0, q).
 * Preconditions: n a power of two >= 2; every input coefficient in [0, 2q); q < 2^30;
 * nInv = N^-1 mod q and lastTw = itw[1] * N^-1 mod q, each with its Shoup companion.
 */
export function nttInverse(
  a: usize, n: i32, q: u32, itw: usize, itwShoup: usize,
  nInv: u32, nInvShoup: u32, lastTw: u32, lastTwShoup: u32,
): void {
  inverse(a, n, q, itw, itwShoup, nInv, nInvShoup, lastTw, lastTwShoup, false);
}

/** Inverse NTT in place with lazy output in [0, 2q). Preconditions as {@link nttInverse}. */
export function nttInverseLazy(
  a: usize, n: i32, q: u32, itw: usize, itwShoup: usize,
  nInv: u32, nInvShoup: u32, lastTw: u32, lastTwShoup: u32,
): void {
  inverse(a, n, q, itw, itwShoup, nInv, nInvShoup, lastTw, lastTwShoup, true);
}

@inline function forward(a: usize, n: i32, q: u32, tw: usize, twShoup: usize, lazy: bool): void {
  if (ASC_FEATURE_SIMD && n >= 8) forwardSimd(a, n, q, tw, twShoup, lazy);
  else forwardScalar(a, n, q, tw, twShoup, lazy);
}

@inline function inverse(
  a: usize, n: i32, q: u32, itw: usize, itwShoup: usize,
  nInv: u32, nInvShoup: u32, lastTw: u32, lastTwShoup: u32, lazy: bool,
): void {
  if (ASC_FEATURE_SIMD && n >= 8) inverseSimd(a, n, q, itw, itwShoup, nInv, nInvShoup, lastTw, lastTwShoup, lazy);
  else inverseScalar(a, n, q, itw, itwShoup, nInv, nInvShoup, lastTw, lastTwShoup, lazy);
}

function forwardScalar(a: usize, n: i32, q: u32, tw: usize, twShoup: usize, lazy: bool): void {
  const twoQ = q << 1;
  let t = n;
  for (let m = 1; m < n; m <<= 1) {
    t >>= 1;
    for (let i = 0; i < m; i++) {
      const w = loadU(tw, m + i);
      const wShoup = loadU(twShoup, m + i);
      const j1 = 2 * i * t;
      for (let j = j1; j < j1 + t; j++) {
        const x = condSub(loadU(a, j), twoQ);
        const y = mulShoupLazy(loadU(a, j + t), w, wShoup, q);
        storeU(a, j, x + y);
        storeU(a, j + t, x - y + twoQ);
      }
    }
  }
  for (let j = 0; j < n; j++) {
    const x = condSub(loadU(a, j), twoQ);
    storeU(a, j, lazy ? x : condSub(x, q));
  }
}

function inverseScalar(
  a: usize, n: i32, q: u32, itw: usize, itwShoup: usize,
  nInv: u32, nInvShoup: u32, lastTw: u32, lastTwShoup: u32, lazy: bool,
): void {
  const twoQ = q << 1;
  let t = 1;
  for (let m = n; m > 2; m >>= 1) {
    const h = m >> 1;
    for (let i = 0; i < h; i++) {
      const w = loadU(itw, h + i);
      const wShoup = loadU(itwShoup, h + i);
      const j1 = 2 * i * t;
      for (let j = j1; j < j1 + t; j++) {
        const u = loadU(a, j);
        const v = loadU(a, j + t);
        storeU(a, j, condSub(u + v, twoQ));
        storeU(a, j + t, mulShoupLazy(u - v + twoQ, w, wShoup, q));
      }
    }
    t <<= 1;
  }
  for (let j = 0; j < t; j++) {
    const u = loadU(a, j);
    const v = loadU(a, j + t);
    const x = mulShoupLazy(u + v, nInv, nInvShoup, q);
    const y = mulShoupLazy(u - v + twoQ, lastTw, lastTwShoup, q);
    storeU(a, j, lazy ? x : condSub(x, q));
    storeU(a, j + t, lazy ? y : condSub(y, q));
  }
}

/** Loads [tw[k], tw[k], tw[k+1], tw[k+1]]. */
@inline function loadPairDuplicated(table: usize, k: i32): v128 {
  const pair = v128.load64_zero(table + (<usize>k << 2));
  return v128.shuffle<u32>(pair, pair, 0, 0, 1, 1);
}

function forwardSimd(a: usize, n: i32, q: u32, tw: usize, twShoup: usize, lazy: bool): void {
  const qV = i32x4.splat(q);
  const twoQV = i32x4.splat(q << 1);
  let t = n >> 1;
  let m = 1;
  // Two stages per pass (distances t and t/2) while t/2 >= 4: half the loads and stores.
  for (; t >= 8; m <<= 2, t >>= 2) {
    const h = t >> 1;
    for (let i = 0; i < m; i++) {
      const w1 = i32x4.splat(loadU(tw, m + i));
      const w1Shoup = i32x4.splat(loadU(twShoup, m + i));
      const w2 = i32x4.splat(loadU(tw, 2 * m + 2 * i));
      const w2Shoup = i32x4.splat(loadU(twShoup, 2 * m + 2 * i));
      const w3 = i32x4.splat(loadU(tw, 2 * m + 2 * i + 1));
      const w3Shoup = i32x4.splat(loadU(twShoup, 2 * m + 2 * i + 1));
      const j1 = 2 * i * t;
      for (let j = j1; j < j1 + h; j += 4) {
        const x0 = condSubV(loadV(a, j), twoQV);
        const x1 = condSubV(loadV(a, j + h), twoQV);
        const p2 = mulShoupLazyV(loadV(a, j + t), w1, w1Shoup, qV);
        const p3 = mulShoupLazyV(loadV(a, j + t + h), w1, w1Shoup, qV);
        const y0 = condSubV(i32x4.add(x0, p2), twoQV);
        const y2 = condSubV(i32x4.add(i32x4.sub(x0, p2), twoQV), twoQV);
        const u1 = mulShoupLazyV(i32x4.add(x1, p3), w2, w2Shoup, qV);
        const u3 = mulShoupLazyV(i32x4.add(i32x4.sub(x1, p3), twoQV), w3, w3Shoup, qV);
        storeV(a, j, i32x4.add(y0, u1));
        storeV(a, j + h, i32x4.add(i32x4.sub(y0, u1), twoQV));
        storeV(a, j + t, i32x4.add(y2, u3));
        storeV(a, j + t + h, i32x4.add(i32x4.sub(y2, u3), twoQV));
      }
    }
  }
  if (t === 4) {
    for (let i = 0; i < m; i++) {
      const w = i32x4.splat(loadU(tw, m + i));
      const wShoup = i32x4.splat(loadU(twShoup, m + i));
      const j = 8 * i;
      const x = condSubV(loadV(a, j), twoQV);
      const y = mulShoupLazyV(loadV(a, j + 4), w, wShoup, qV);
      storeV(a, j, i32x4.add(x, y));
      storeV(a, j + 4, i32x4.add(i32x4.sub(x, y), twoQV));
    }
  }
  // Stages with distance 2 (m = n/4 twiddles) and 1 (n/2), on blocks A = a[4k..4k+3], B = next.
  const quarter = n >> 2;
  const half = n >> 1;
  for (let k = 0; k < quarter; k += 2) {
    const blockA = loadV(a, 4 * k);
    const blockB = loadV(a, 4 * k + 4);
    let x = v128.shuffle<u32>(blockA, blockB, 0, 1, 4, 5);
    let y = v128.shuffle<u32>(blockA, blockB, 2, 3, 6, 7);
    let w = loadPairDuplicated(tw, quarter + k);
    let wShoup = loadPairDuplicated(twShoup, quarter + k);
    x = condSubV(x, twoQV);
    y = mulShoupLazyV(y, w, wShoup, qV);
    const x1 = i32x4.add(x, y);
    const y1 = i32x4.add(i32x4.sub(x, y), twoQV);
    x = condSubV(v128.shuffle<u32>(x1, y1, 0, 4, 2, 6), twoQV);
    y = v128.shuffle<u32>(x1, y1, 1, 5, 3, 7);
    w = loadV(tw, half + 2 * k);
    wShoup = loadV(twShoup, half + 2 * k);
    y = mulShoupLazyV(y, w, wShoup, qV);
    let x2 = condSubV(i32x4.add(x, y), twoQV);
    let y2 = condSubV(i32x4.add(i32x4.sub(x, y), twoQV), twoQV);
    if (!lazy) {
      x2 = condSubV(x2, qV);
      y2 = condSubV(y2, qV);
    }
    storeV(a, 4 * k, v128.shuffle<u32>(x2, y2, 0, 4, 1, 5));
    storeV(a, 4 * k + 4, v128.shuffle<u32>(x2, y2, 2, 6, 3, 7));
  }
}

function inverseSimd(
  a: usize, n: i32, q: u32, itw: usize, itwShoup: usize,
  nInv: u32, nInvShoup: u32, lastTw: u32, lastTwShoup: u32, lazy: bool,
): void {
  const qV = i32x4.splat(q);
  const twoQV = i32x4.splat(q << 1);
  const quarter = n >> 2;
  const half = n >> 1;
  // Stages with distance 1 (n/2 twiddles) and 2 (n/4), on blocks A = a[4k..4k+3], B = next.
  for (let k = 0; k < quarter; k += 2) {
    const blockA = loadV(a, 4 * k);
    const blockB = loadV(a, 4 * k + 4);
    let u = v128.shuffle<u32>(blockA, blockB, 0, 2, 4, 6);
    let v = v128.shuffle<u32>(blockA, blockB, 1, 3, 5, 7);
    let w = loadV(itw, half + 2 * k);
    let wShoup = loadV(itwShoup, half + 2 * k);
    const x1 = condSubV(i32x4.add(u, v), twoQV);
    const y1 = mulShoupLazyV(i32x4.add(i32x4.sub(u, v), twoQV), w, wShoup, qV);
    u = v128.shuffle<u32>(x1, y1, 0, 4, 2, 6);
    v = v128.shuffle<u32>(x1, y1, 1, 5, 3, 7);
    w = loadPairDuplicated(itw, quarter + k);
    wShoup = loadPairDuplicated(itwShoup, quarter + k);
    const x2 = condSubV(i32x4.add(u, v), twoQV);
    const y2 = mulShoupLazyV(i32x4.add(i32x4.sub(u, v), twoQV), w, wShoup, qV);
    storeV(a, 4 * k, v128.shuffle<u32>(x2, y2, 0, 1, 4, 5));
    storeV(a, 4 * k + 4, v128.shuffle<u32>(x2, y2, 2, 3, 6, 7));
  }
  // Two stages per pass (distances t and 2t) while neither is the last one.
  let t = 4;
  let m = quarter;
  for (; m > 4; m >>= 2, t <<= 2) {
    const h = m >> 1;
    for (let i = 0; i < h >> 1; i++) {
      const wA = i32x4.splat(loadU(itw, h + 2 * i));
      const wAShoup = i32x4.splat(loadU(itwShoup, h + 2 * i));
      const wB = i32x4.splat(loadU(itw, h + 2 * i + 1));
      const wBShoup = i32x4.splat(loadU(itwShoup, h + 2 * i + 1));
      const wC = i32x4.splat(loadU(itw, (h >> 1) + i));
      const wCShoup = i32x4.splat(loadU(itwShoup, (h >> 1) + i));
      const j1 = 4 * i * t;
      for (let j = j1; j < j1 + t; j += 4) {
        const x0 = loadV(a, j);
        const x1 = loadV(a, j + t);
        const x2 = loadV(a, j + 2 * t);
        const x3 = loadV(a, j + 3 * t);
        const y0 = condSubV(i32x4.add(x0, x1), twoQV);
        const y1 = mulShoupLazyV(i32x4.add(i32x4.sub(x0, x1), twoQV), wA, wAShoup, qV);
        const y2 = condSubV(i32x4.add(x2, x3), twoQV);
        const y3 = mulShoupLazyV(i32x4.add(i32x4.sub(x2, x3), twoQV), wB, wBShoup, qV);
        storeV(a, j, condSubV(i32x4.add(y0, y2), twoQV));
        storeV(a, j + 2 * t, mulShoupLazyV(i32x4.add(i32x4.sub(y0, y2), twoQV), wC, wCShoup, qV));
        storeV(a, j + t, condSubV(i32x4.add(y1, y3), twoQV));
        storeV(a, j + 3 * t, mulShoupLazyV(i32x4.add(i32x4.sub(y1, y3), twoQV), wC, wCShoup, qV));
      }
    }
  }
  if (m > 2) {
    const h = m >> 1;
    for (let i = 0; i < h; i++) {
      const w = i32x4.splat(loadU(itw, h + i));
      const wShoup = i32x4.splat(loadU(itwShoup, h + i));
      const j1 = 2 * i * t;
      for (let j = j1; j < j1 + t; j += 4) {
        const u = loadV(a, j);
        const v = loadV(a, j + t);
        storeV(a, j, condSubV(i32x4.add(u, v), twoQV));
        storeV(a, j + t, mulShoupLazyV(i32x4.add(i32x4.sub(u, v), twoQV), w, wShoup, qV));
      }
    }
  }
  const nInvV = i32x4.splat(nInv);
  const nInvShoupV = i32x4.splat(nInvShoup);
  const lastV = i32x4.splat(lastTw);
  const lastShoupV = i32x4.splat(lastTwShoup);
  for (let j = 0; j < half; j += 4) {
    const u = loadV(a, j);
    const v = loadV(a, j + half);
    let x = mulShoupLazyV(i32x4.add(u, v), nInvV, nInvShoupV, qV);
    let y = mulShoupLazyV(i32x4.add(i32x4.sub(u, v), twoQV), lastV, lastShoupV, qV);
    if (!lazy) {
      x = condSubV(x, qV);
      y = condSubV(y, qV);
    }
    storeV(a, j, x);
    storeV(a, j + half, y);
  }
}
