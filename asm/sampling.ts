// Discrete Gaussian sampling by inversion of a cumulative table (engine/ring/sampling.ts): the
// per-sample loop of the error sampler. Branch-free: every table entry is compared, so the time
// does not depend on the sample (a search that stops at |x| mispredicts its exit branch about
// once per sample and leaks |x| through timing).

/**
 * For i < n: u_i = (w_{2i} 2^21 + (w_{2i+1} >> 11)) / 2^53 (53 uniform bits from the two words
 * at `words` + 8 i) and |x_i| = #{m < entries : u_i >= table[m]}, negative when |x_i| != 0 and
 * bit 0 of w_{2i+1} is set; x_i is stored as i32 at `out` + 4 i. Preconditions: `table` holds
 * `entries` (even, >= 2) increasing f64 values, the last ones >= 1 (above every u), so |x_i| is
 * the first index m with u_i < table[m]. The float arithmetic is exact.
 */
export function sampleCumulative(out: usize, words: usize, n: i32, table: usize, entries: i32): void {
  for (let i = 0; i < n; i++) {
    const first = load<u32>(words + (<usize>i << 3));
    const second = load<u32>(words + (<usize>i << 3), 4);
    const u = (<f64>first * 2097152.0 + <f64>(second >>> 11)) / 9007199254740992.0;
    let magnitude: i32 = 0;
    if (ASC_FEATURE_SIMD) {
      const us = f64x2.splat(u);
      let below = i64x2.splat(0);
      for (let m = 0; m < entries; m += 2) below = i64x2.sub(below, f64x2.ge(us, v128.load(table + (<usize>m << 3))));
      magnitude = <i32>(i64x2.extract_lane(below, 0) + i64x2.extract_lane(below, 1));
    } else {
      for (let m = 0; m < entries; m++) magnitude += select<i32>(1, 0, u >= load<f64>(table + (<usize>m << 3)));
    }
    const negative = magnitude != 0 && (second & 1) == 1;
    store<i32>(out + (<usize>i << 2), select<i32>(-magnitude, magnitude, negative));
  }
}
