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

/** Reverses the low `bits` bits of i (independent of the engine's bitReverse). */
export function bitReverseRef(i: number, bits: number): number {
  let result = 0;
  for (let b = 0; b < bits; b++) if ((i >> b) & 1) result |= 1 << (bits - 1 - b);
  return result;
}

/** a(x) mod q by Horner's rule. */
export function evaluatePoly(a: readonly bigint[], x: bigint, q: bigint): bigint {
  let acc = 0n;
  for (let i = a.length - 1; i >= 0; i--) acc = (acc * x + a[i]!) % q;
  return mod(acc, q);
}

/**
 * The negacyclic NTT by its definition: slot i holds a(psi^(2 bitrev(i) + 1)) mod q
 * (bit-reversed evaluation order). With `slots`, only those slots are computed (others 0n).
 */
export function nttDefinition(a: readonly bigint[], psi: bigint, q: bigint, slots?: readonly number[]): bigint[] {
  const n = a.length;
  const bits = Math.log2(n);
  const out = new Array<bigint>(n).fill(0n);
  for (const i of slots ?? Array.from({ length: n }, (_, j) => j)) {
    out[i] = evaluatePoly(a, powBig(psi, BigInt(2 * bitReverseRef(i, bits) + 1), q), q);
  }
  return out;
}

/** Coefficient k of the negacyclic product a * b mod (X^n + 1, q). */
export function negacyclicCoefficient(a: readonly bigint[], b: readonly bigint[], k: number, q: bigint): bigint {
  const n = a.length;
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    const j = k - i;
    sum += j >= 0 ? a[i]! * b[j]! : -a[i]! * b[j + n]!;
  }
  return mod(sum, q);
}

/** a(X^k) mod (X^n + 1, q) by its definition: sum a_i X^(ik), folding X^n = -1. */
export function automorphismDefinition(a: readonly bigint[], k: bigint, q: bigint): bigint[] {
  const n = BigInt(a.length);
  const out = new Array<bigint>(a.length).fill(0n);
  a.forEach((c, i) => {
    const exponent = BigInt(i) * k;
    const reduced = exponent % n;
    const sign = (exponent / n) % 2n === 0n ? 1n : -1n; // X^(m n + r) = (-1)^m X^r
    out[Number(reduced)] = out[Number(reduced)]! + sign * c;
  });
  return out.map((c) => mod(c, q));
}

/** The centered representative of x mod m, in (-m/2, m/2] (values above floor(m/2) count as x - m). */
export function centered(x: bigint, m: bigint): bigint {
  const r = mod(x, m);
  return r > m / 2n ? r - m : r;
}

/** The inverse of a modulo m (m prime or gcd(a, m) = 1). */
export function inverseBig(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [m, mod(a, m), 0n, 1n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [t0, t1] = [t1, t0 - quotient * t1];
  }
  if (r0 !== 1n) throw new RangeError(`${a} is not invertible modulo ${m}`);
  return mod(t0, m);
}

/** The product of the given primes. */
export function productBig(primes: readonly number[]): bigint {
  return primes.reduce((acc, p) => acc * BigInt(p), 1n);
}

/** The integer in [0, prod primes) with the given residues (Chinese remainder theorem). */
export function crtBig(residues: readonly bigint[], primes: readonly number[]): bigint {
  const product = productBig(primes);
  let sum = 0n;
  primes.forEach((p, i) => {
    const big = BigInt(p);
    const hat = product / big;
    sum += residues[i]! * inverseBig(hat % big, big) * hat;
  });
  return mod(sum, product);
}

/** floor(x / d) for BigInts with d > 0 (BigInt division truncates toward zero). */
export function floorDiv(x: bigint, d: bigint): bigint {
  const quotient = x / d;
  return quotient * d > x ? quotient - 1n : quotient;
}
