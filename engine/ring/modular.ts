// Exact scalar modular arithmetic in plain JS numbers for moduli below 2^31, used to build
// tables and constants (never on hot paths, which run in the kernels).

/** a * b mod m, exact for a, b < m < 2^31. */
export function mulMod(a: number, b: number, m: number): number {
  const high = ((a * (b >>> 15)) % m) * 32768;
  return (high + a * (b & 32767)) % m;
}

/** base^exponent mod m for a non-negative integer exponent < 2^53 and m < 2^31. */
export function powMod(base: number, exponent: number, m: number): number {
  let result = 1 % m;
  let power = base % m;
  let e = exponent;
  while (e > 0) {
    if (e % 2 === 1) result = mulMod(result, power, m);
    power = mulMod(power, power, m);
    e = Math.floor(e / 2);
  }
  return result;
}

/** The inverse of a modulo m (extended Euclid). Precondition: gcd(a, m) = 1. */
export function invMod(a: number, m: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(m) || m < 1) throw new RangeError(`invMod needs integers, got ${a} mod ${m}`);
  let [r0, r1] = [m, ((a % m) + m) % m];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const quotient = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - quotient * r1];
    [t0, t1] = [t1, t0 - quotient * t1];
  }
  if (r0 !== 1) throw new RangeError(`${a} has no inverse modulo ${m}`);
  return t0 < 0 ? t0 + m : t0;
}

/** Shoup companion floor(w * 2^32 / q) for 0 <= w < q < 2^30, exact. */
export function shoupCompanion(w: number, q: number): number {
  let quotient = Math.floor((w * 4294967296) / q);
  // The float quotient may be off by one; the exact remainder, which lies in (-q, 2q),
  // is known modulo 2^32.
  const remainder = (-Math.imul(quotient, q)) >>> 0;
  if (remainder >= 2147483648) quotient -= 1;
  else if (remainder >= q) quotient += 1;
  return quotient;
}

/** Number of bits of a positive integer below 2^32. */
export function bitLength(x: number): number {
  return 32 - Math.clz32(x);
}

/** Barrett constants {mu = floor(2^(2s) / q), s = bit length of q} for the kernels. */
export function barrettConstants(q: number): { mu: number; shift: number } {
  const shift = bitLength(q);
  return { mu: Number((1n << BigInt(2 * shift)) / BigInt(q)), shift };
}

/** Reverses the low `bits` bits of i. */
export function bitReverse(i: number, bits: number): number {
  let result = 0;
  for (let b = 0; b < bits; b++) result |= ((i >>> b) & 1) << (bits - 1 - b);
  return result >>> 0;
}

/** x mod m for a BigInt x and a number modulus, as a number in [0, m). */
export function bigMod(x: bigint, m: number): number {
  const r = x % BigInt(m);
  return Number(r < 0n ? r + BigInt(m) : r);
}
