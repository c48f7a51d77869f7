// Obviously-correct BigInt references for the kernels and the ring.

/** x mod m in [0, m). */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** Schoolbook negacyclic product of two coefficient vectors modulo q. */
export function negacyclicProduct(a: readonly bigint[], b: readonly bigint[], q: bigint): bigint[] {
  const n = a.length;
  const out = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i + j;
      const term = a[i]! * b[j]!;
      if (k < n) out[k] = out[k]! + term;
      else out[k - n] = out[k - n]! - term;
    }
  }
  return out.map((c) => mod(c, q));
}

/** Modular exponentiation with BigInt. */
export function powBig(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}
