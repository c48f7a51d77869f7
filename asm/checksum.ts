// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of bytes in the heap, eight bytes per
// step ("slicing-by-8"), and the range check of loaded residues: the byte-level work of
// serialization (engine/serialization/format.ts), which a JS loop does several times slower.

/**
 * Continues a CRC-32 over `length` bytes at `address`: `crc` is the running register (start
 * with 0xFFFFFFFF, finish by xor with 0xFFFFFFFF). `tables` points to the eight 256-entry u32
 * tables of slicing-by-8 (table s at tables + 1024 s) written by engine/serialization/crc32.ts.
 */
export function crc32Update(crc: u32, address: usize, length: i32, tables: usize): u32 {
  let i: i32 = 0;
  const end8 = length & ~7;
  for (; i < end8; i += 8) {
    const a = crc ^ load<u32>(address + <usize>i);
    const b = load<u32>(address + <usize>i, 4);
    crc = load<u32>(tables + (7 << 10) + ((<usize>a & 0xff) << 2)) ^
      load<u32>(tables + (6 << 10) + ((<usize>(a >>> 8) & 0xff) << 2)) ^
      load<u32>(tables + (5 << 10) + ((<usize>(a >>> 16) & 0xff) << 2)) ^
      load<u32>(tables + (4 << 10) + (<usize>(a >>> 24) << 2)) ^
      load<u32>(tables + (3 << 10) + ((<usize>b & 0xff) << 2)) ^
      load<u32>(tables + (2 << 10) + ((<usize>(b >>> 8) & 0xff) << 2)) ^
      load<u32>(tables + (1 << 10) + ((<usize>(b >>> 16) & 0xff) << 2)) ^
      load<u32>(tables + (<usize>(b >>> 24) << 2));
  }
  for (; i < length; i++) {
    crc = load<u32>(tables + (<usize>((crc ^ <u32>load<u8>(address + <usize>i)) & 0xff) << 2)) ^ (crc >>> 8);
  }
  return crc;
}

/** Index of the first of the n words at `address` that is >= q, or -1 when all are below q. */
export function firstAtLeast(address: usize, n: i32, q: u32): i32 {
  let i: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vn = n & ~15;
    const limit = i32x4.splat(q - 1);
    for (; i < vn; i += 16) {
      const p = address + (<usize>i << 2);
      const over = v128.or(
        v128.or(i32x4.gt_u(v128.load(p), limit), i32x4.gt_u(v128.load(p, 16), limit)),
        v128.or(i32x4.gt_u(v128.load(p, 32), limit), i32x4.gt_u(v128.load(p, 48), limit)),
      );
      if (v128.any_true(over)) break;
    }
  }
  for (; i < n; i++) if (load<u32>(address + (<usize>i << 2)) >= q) return i;
  return -1;
}
