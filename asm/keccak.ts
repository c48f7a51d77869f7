// Keccak-f[1600] and SHAKE128 squeezing for seeded uniform polynomials (FIPS 202).
// The 25-lane state is 200 bytes at `state` (lane x + 5 y, little-endian u64). `constants`
// points to the 24 round constants (u64) written by engine/ring/xof.ts. The permutation is
// unrolled over the lanes (generated from the FIPS 202 rho offsets and pi permutation).

/** Rate of SHAKE128 in bytes. */
const shake128Rate: i32 = 168;

/**
 * Applies the last `rounds` rounds of Keccak-f[1600] to the state in place: 24 is
 * Keccak-f[1600] (SHA-3, SHAKE), 12 is Keccak-p[1600, 12] (TurboSHAKE, KangarooTwelve).
 */
export function keccakPermute(state: usize, constants: usize, rounds: i32): void {
  let a0 = load<u64>(state, 0);
  let a1 = load<u64>(state, 8);
  let a2 = load<u64>(state, 16);
  let a3 = load<u64>(state, 24);
  let a4 = load<u64>(state, 32);
  let a5 = load<u64>(state, 40);
  let a6 = load<u64>(state, 48);
  let a7 = load<u64>(state, 56);
  let a8 = load<u64>(state, 64);
  let a9 = load<u64>(state, 72);
  let a10 = load<u64>(state, 80);
  let a11 = load<u64>(state, 88);
  let a12 = load<u64>(state, 96);
  let a13 = load<u64>(state, 104);
  let a14 = load<u64>(state, 112);
  let a15 = load<u64>(state, 120);
  let a16 = load<u64>(state, 128);
  let a17 = load<u64>(state, 136);
  let a18 = load<u64>(state, 144);
  let a19 = load<u64>(state, 152);
  let a20 = load<u64>(state, 160);
  let a21 = load<u64>(state, 168);
  let a22 = load<u64>(state, 176);
  let a23 = load<u64>(state, 184);
  let a24 = load<u64>(state, 192);
  for (let round = 24 - rounds; round < 24; round++) {
  // theta
    const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    // rho and pi: b[y][2x+3y] = rotl(a[x][y] ^ d[x], r[x][y])
    const b0 = (a0 ^ d0);
    const b1 = rotl<u64>(a6 ^ d1, 44);
    const b2 = rotl<u64>(a12 ^ d2, 43);
    const b3 = rotl<u64>(a18 ^ d3, 21);
    const b4 = rotl<u64>(a24 ^ d4, 14);
    const b5 = rotl<u64>(a3 ^ d3, 28);
    const b6 = rotl<u64>(a9 ^ d4, 20);
    const b7 = rotl<u64>(a10 ^ d0, 3);
    const b8 = rotl<u64>(a16 ^ d1, 45);
    const b9 = rotl<u64>(a22 ^ d2, 61);
    const b10 = rotl<u64>(a1 ^ d1, 1);
    const b11 = rotl<u64>(a7 ^ d2, 6);
    const b12 = rotl<u64>(a13 ^ d3, 25);
    const b13 = rotl<u64>(a19 ^ d4, 8);
    const b14 = rotl<u64>(a20 ^ d0, 18);
    const b15 = rotl<u64>(a4 ^ d4, 27);
    const b16 = rotl<u64>(a5 ^ d0, 36);
    const b17 = rotl<u64>(a11 ^ d1, 10);
    const b18 = rotl<u64>(a17 ^ d2, 15);
    const b19 = rotl<u64>(a23 ^ d3, 56);
    const b20 = rotl<u64>(a2 ^ d2, 62);
    const b21 = rotl<u64>(a8 ^ d3, 55);
    const b22 = rotl<u64>(a14 ^ d4, 39);
    const b23 = rotl<u64>(a15 ^ d0, 41);
    const b24 = rotl<u64>(a21 ^ d1, 2);
    // chi
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
    // iota
    a0 ^= load<u64>(constants + (<usize>round << 3));
  }
  store<u64>(state, a0, 0);
  store<u64>(state, a1, 8);
  store<u64>(state, a2, 16);
  store<u64>(state, a3, 24);
  store<u64>(state, a4, 32);
  store<u64>(state, a5, 40);
  store<u64>(state, a6, 48);
  store<u64>(state, a7, 56);
  store<u64>(state, a8, 64);
  store<u64>(state, a9, 72);
  store<u64>(state, a10, 80);
  store<u64>(state, a11, 88);
  store<u64>(state, a12, 96);
  store<u64>(state, a13, 104);
  store<u64>(state, a14, 112);
  store<u64>(state, a15, 120);
  store<u64>(state, a16, 128);
  store<u64>(state, a17, 136);
  store<u64>(state, a18, 144);
  store<u64>(state, a19, 152);
  store<u64>(state, a20, 160);
  store<u64>(state, a21, 168);
  store<u64>(state, a22, 176);
  store<u64>(state, a23, 184);
  store<u64>(state, a24, 192);
}

/** rotl of both 64-bit lanes by n (1 <= n <= 63). */
// @ts-ignore: decorator
@inline
function rotl2(x: v128, n: i32): v128 {
  return v128.or(i64x2.shl(x, n), i64x2.shr_u(x, 64 - n));
}

/**
 * keccakPermute on two states at once, for expandUniformPair's SIMD path (the scalar build never
 * calls it): `state` holds 25 v128 lanes, lane k at state + 16 k with the first state's lane k
 * in its low 64 bits and the second's in its high 64 bits.
 */
function keccakPermutePair(state: usize, constants: usize, rounds: i32): void {
  if (!ASC_FEATURE_SIMD) return;
  {
    let a0 = v128.load(state, 0);
    let a1 = v128.load(state, 16);
    let a2 = v128.load(state, 32);
    let a3 = v128.load(state, 48);
    let a4 = v128.load(state, 64);
    let a5 = v128.load(state, 80);
    let a6 = v128.load(state, 96);
    let a7 = v128.load(state, 112);
    let a8 = v128.load(state, 128);
    let a9 = v128.load(state, 144);
    let a10 = v128.load(state, 160);
    let a11 = v128.load(state, 176);
    let a12 = v128.load(state, 192);
    let a13 = v128.load(state, 208);
    let a14 = v128.load(state, 224);
    let a15 = v128.load(state, 240);
    let a16 = v128.load(state, 256);
    let a17 = v128.load(state, 272);
    let a18 = v128.load(state, 288);
    let a19 = v128.load(state, 304);
    let a20 = v128.load(state, 320);
    let a21 = v128.load(state, 336);
    let a22 = v128.load(state, 352);
    let a23 = v128.load(state, 368);
    let a24 = v128.load(state, 384);
    for (let round = 24 - rounds; round < 24; round++) {
    // theta
      const c0 = v128.xor(v128.xor(v128.xor(a0, a5), v128.xor(a10, a15)), a20);
      const c1 = v128.xor(v128.xor(v128.xor(a1, a6), v128.xor(a11, a16)), a21);
      const c2 = v128.xor(v128.xor(v128.xor(a2, a7), v128.xor(a12, a17)), a22);
      const c3 = v128.xor(v128.xor(v128.xor(a3, a8), v128.xor(a13, a18)), a23);
      const c4 = v128.xor(v128.xor(v128.xor(a4, a9), v128.xor(a14, a19)), a24);
      const d0 = v128.xor(c4, rotl2(c1, 1));
      const d1 = v128.xor(c0, rotl2(c2, 1));
      const d2 = v128.xor(c1, rotl2(c3, 1));
      const d3 = v128.xor(c2, rotl2(c4, 1));
      const d4 = v128.xor(c3, rotl2(c0, 1));
      // rho and pi: b[y][2x+3y] = rotl(a[x][y] ^ d[x], r[x][y])
      const b0 = v128.xor(a0, d0);
      const b1 = rotl2(v128.xor(a6, d1), 44);
      const b2 = rotl2(v128.xor(a12, d2), 43);
      const b3 = rotl2(v128.xor(a18, d3), 21);
      const b4 = rotl2(v128.xor(a24, d4), 14);
      const b5 = rotl2(v128.xor(a3, d3), 28);
      const b6 = rotl2(v128.xor(a9, d4), 20);
      const b7 = rotl2(v128.xor(a10, d0), 3);
      const b8 = rotl2(v128.xor(a16, d1), 45);
      const b9 = rotl2(v128.xor(a22, d2), 61);
      const b10 = rotl2(v128.xor(a1, d1), 1);
      const b11 = rotl2(v128.xor(a7, d2), 6);
      const b12 = rotl2(v128.xor(a13, d3), 25);
      const b13 = rotl2(v128.xor(a19, d4), 8);
      const b14 = rotl2(v128.xor(a20, d0), 18);
      const b15 = rotl2(v128.xor(a4, d4), 27);
      const b16 = rotl2(v128.xor(a5, d0), 36);
      const b17 = rotl2(v128.xor(a11, d1), 10);
      const b18 = rotl2(v128.xor(a17, d2), 15);
      const b19 = rotl2(v128.xor(a23, d3), 56);
      const b20 = rotl2(v128.xor(a2, d2), 62);
      const b21 = rotl2(v128.xor(a8, d3), 55);
      const b22 = rotl2(v128.xor(a14, d4), 39);
      const b23 = rotl2(v128.xor(a15, d0), 41);
      const b24 = rotl2(v128.xor(a21, d1), 2);
      // chi
      a0 = v128.xor(b0, v128.andnot(b2, b1));
      a1 = v128.xor(b1, v128.andnot(b3, b2));
      a2 = v128.xor(b2, v128.andnot(b4, b3));
      a3 = v128.xor(b3, v128.andnot(b0, b4));
      a4 = v128.xor(b4, v128.andnot(b1, b0));
      a5 = v128.xor(b5, v128.andnot(b7, b6));
      a6 = v128.xor(b6, v128.andnot(b8, b7));
      a7 = v128.xor(b7, v128.andnot(b9, b8));
      a8 = v128.xor(b8, v128.andnot(b5, b9));
      a9 = v128.xor(b9, v128.andnot(b6, b5));
      a10 = v128.xor(b10, v128.andnot(b12, b11));
      a11 = v128.xor(b11, v128.andnot(b13, b12));
      a12 = v128.xor(b12, v128.andnot(b14, b13));
      a13 = v128.xor(b13, v128.andnot(b10, b14));
      a14 = v128.xor(b14, v128.andnot(b11, b10));
      a15 = v128.xor(b15, v128.andnot(b17, b16));
      a16 = v128.xor(b16, v128.andnot(b18, b17));
      a17 = v128.xor(b17, v128.andnot(b19, b18));
      a18 = v128.xor(b18, v128.andnot(b15, b19));
      a19 = v128.xor(b19, v128.andnot(b16, b15));
      a20 = v128.xor(b20, v128.andnot(b22, b21));
      a21 = v128.xor(b21, v128.andnot(b23, b22));
      a22 = v128.xor(b22, v128.andnot(b24, b23));
      a23 = v128.xor(b23, v128.andnot(b20, b24));
      a24 = v128.xor(b24, v128.andnot(b21, b20));
      // iota
      a0 = v128.xor(a0, i64x2.splat(load<u64>(constants + (<usize>round << 3))));
    }
    v128.store(state, a0, 0);
    v128.store(state, a1, 16);
    v128.store(state, a2, 32);
    v128.store(state, a3, 48);
    v128.store(state, a4, 64);
    v128.store(state, a5, 80);
    v128.store(state, a6, 96);
    v128.store(state, a7, 112);
    v128.store(state, a8, 128);
    v128.store(state, a9, 144);
    v128.store(state, a10, 160);
    v128.store(state, a11, 176);
    v128.store(state, a12, 192);
    v128.store(state, a13, 208);
    v128.store(state, a14, 224);
    v128.store(state, a15, 240);
    v128.store(state, a16, 256);
    v128.store(state, a17, 272);
    v128.store(state, a18, 288);
    v128.store(state, a19, 304);
    v128.store(state, a20, 320);
    v128.store(state, a21, 336);
    v128.store(state, a22, 352);
    v128.store(state, a23, 368);
    v128.store(state, a24, 384);
  }
}

/**
 * Squeezes a SHAKE128 or TurboSHAKE128 state (permutation of `rounds` rounds) (already absorbed and padded, not yet permuted for output) into n
 * uniform residues mod q: each output block is permuted, then read as 42 little-endian u32
 * words, each masked to `mask` (2^bitlength(q) - 1) and kept when below q. The unused rest of
 * the last block is discarded. Leaves the state after the last permutation.
 */
export function expandUniform(out: usize, n: i32, q: u32, mask: u32, state: usize, constants: usize, rounds: i32): void {
  squeezeFrom(out, 0, n, q, mask, state, constants, rounds);
}

/** {@link expandUniform} continued: out[filled..n) from the blocks after the one `state` holds. */
// @ts-ignore: decorator
@inline
function squeezeFrom(out: usize, filled: i32, n: i32, q: u32, mask: u32, state: usize, constants: usize, rounds: i32): void {
  while (filled < n) {
    keccakPermute(state, constants, rounds);
    filled = takeBlock(out, filled, n, q, mask, state);
  }
}

/** Lanes of a state that hold the SHAKE128 rate (168 bytes). */
const rateLanes: i32 = shake128Rate >> 3;

/**
 * {@link expandUniform} of two streams (outA, qA, maskA, stateA) and (outB, qB, maskB, stateB)
 * of n residues each: the same outputs and final states as two calls. The SIMD build permutes
 * both states at once (keccakPermutePair, in the 400 bytes of scratch at `pair`) while both
 * need words, then finishes the longer one alone; the scalar build runs one after the other.
 */
export function expandUniformPair(
  outA: usize, outB: usize, n: i32, qA: u32, maskA: u32, qB: u32, maskB: u32,
  stateA: usize, stateB: usize, pair: usize, constants: usize, rounds: i32,
): void {
  let filledA = 0;
  let filledB = 0;
  if (ASC_FEATURE_SIMD && n > 0) {
    for (let k = 0; k < 25; k++) {
      store<u64>(pair + (<usize>k << 4), load<u64>(stateA + (<usize>k << 3)));
      store<u64>(pair + (<usize>k << 4), load<u64>(stateB + (<usize>k << 3)), 8);
    }
    while (filledA < n && filledB < n) {
      keccakPermutePair(pair, constants, rounds);
      for (let k = 0; k < rateLanes; k++) {
        store<u64>(stateA + (<usize>k << 3), load<u64>(pair + (<usize>k << 4)));
        store<u64>(stateB + (<usize>k << 3), load<u64>(pair + (<usize>k << 4), 8));
      }
      filledA = takeBlock(outA, filledA, n, qA, maskA, stateA);
      filledB = takeBlock(outB, filledB, n, qB, maskB, stateB);
    }
    for (let k = rateLanes; k < 25; k++) {
      store<u64>(stateA + (<usize>k << 3), load<u64>(pair + (<usize>k << 4)));
      store<u64>(stateB + (<usize>k << 3), load<u64>(pair + (<usize>k << 4), 8));
    }
  }
  squeezeFrom(outA, filledA, n, qA, maskA, stateA, constants, rounds);
  squeezeFrom(outB, filledB, n, qB, maskB, stateB, constants, rounds);
}

/**
 * Appends the words of the output block at `state` that are kept (masked to `mask`, below q) to
 * out, from out[filled] until n are there; returns the new count.
 */
// @ts-ignore: decorator
@inline
function takeBlock(out: usize, filled: i32, n: i32, q: u32, mask: u32, state: usize): i32 {
  const blockWords = shake128Rate >> 2;
  let w = 0;
  if (ASC_FEATURE_SIMD) {
    // Four words at a time while all four are kept (the common case: q is close to mask + 1)
    // and four more fit; a group with a rejection goes through the scalar step below, in
    // order, so the output is the scalar build's.
    const masks = i32x4.splat(mask);
    const limit = i32x4.splat(q - 1);
    for (; w + 4 <= blockWords && filled + 4 <= n; w += 4) {
      const values = v128.and(v128.load(state + (<usize>w << 2)), masks);
      if (!v128.any_true(i32x4.gt_u(values, limit))) {
        v128.store(out + (<usize>filled << 2), values);
        filled += 4;
        continue;
      }
      for (let i = w; i < w + 4; i++) filled = keepBelow(out, filled, load<u32>(state + (<usize>i << 2)) & mask, q);
    }
  }
  for (; w < blockWords && filled < n; w++) filled = keepBelow(out, filled, load<u32>(state + (<usize>w << 2)) & mask, q);
  return filled;
}

/** Appends `value` at out[filled] when it is below q; returns the new count. */
// @ts-ignore: decorator
@inline
function keepBelow(out: usize, filled: i32, value: u32, q: u32): i32 {
  if (value >= q) return filled;
  store<u32>(out + (<usize>filled << 2), value);
  return filled + 1;
}
