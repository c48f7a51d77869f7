// Moving polynomial data between the heap and JS: raw limbs, and whole coefficients as BigInt
// through the Chinese remainder theorem (slow; for tests, debugging and serialization).

import type { RnsBasis } from "./basis.js";
import { describe, FheError } from "./errors.js";
import { bigMod } from "./modular.js";
import { checkOperands } from "./operands.js";
import type { RnsPoly } from "./poly.js";
import { Ring } from "./ring.js";

/** A copy of limb i of `poly` (N residues). */
export function readLimb(poly: RnsPoly, i: number): Uint32Array {
  checkOperands("read limb", [poly], "any");
  requireLimbIndex(poly, i, "read limb");
  const start = poly.limbAddress(i) >>> 2;
  return poly.ring.heap.u32().slice(start, start + poly.n);
}

/** Overwrites limb i of `poly` with `values` (N residues, each below the limb's prime). */
export function writeLimb(poly: RnsPoly, i: number, values: Uint32Array): void {
  const operation = "write limb";
  checkOperands(operation, [poly], "any");
  requireLimbIndex(poly, i, operation);
  if (!(values instanceof Uint32Array) || values.length !== poly.n) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected a Uint32Array of length ${poly.n}`);
  }
  const q = poly.basis.primes[i]!;
  if (values.some((v) => v >= q)) throw new FheError("INVALID_ARGUMENT", operation, `a residue is not below its prime ${q}`);
  poly.ring.heap.u32().set(values, poly.limbAddress(i) >>> 2);
}

/** The coefficients of `poly` (coefficient form) as integers in [0, Q). */
export function polyToBigInts(poly: RnsPoly): bigint[] {
  checkOperands("read coefficients", [poly], "coefficient");
  const { basis, n } = poly;
  const product = basis.product();
  const limbs = basis.primes.map((_, i) => readLimb(poly, i));
  const weights = basis.primes.map((q) => {
    const qHat = product / BigInt(q);
    return qHat * modInverseBig(qHat % BigInt(q), BigInt(q));
  });
  const result: bigint[] = new Array(n);
  for (let j = 0; j < n; j++) {
    let sum = 0n;
    for (let i = 0; i < limbs.length; i++) sum += BigInt(limbs[i]![j]!) * weights[i]!;
    result[j] = sum % product;
  }
  return result;
}

/** A coefficient-form polynomial over `basis` with the given integer coefficients (any sign). */
export function polyFromBigInts(ring: Ring, basis: RnsBasis, coefficients: readonly bigint[]): RnsPoly {
  const operation = "build polynomial from integers";
  if (!(ring instanceof Ring)) throw new FheError("INVALID_ARGUMENT", operation, `expected a Ring, got ${describe(ring)}`);
  ring.checkBasis(basis, operation);
  if (!Array.isArray(coefficients) || coefficients.length !== ring.n) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected an array of ${ring.n} BigInts`);
  }
  for (let i = 0; i < coefficients.length; i++) {
    if (typeof coefficients[i] !== "bigint") throw new FheError("INVALID_ARGUMENT", operation, `coefficient ${i} is not a BigInt`);
  }
  const poly = ring.allocate(basis);
  basis.primes.forEach((q, i) => {
    writeLimb(poly, i, Uint32Array.from(coefficients, (c) => bigMod(c, q)));
  });
  return poly;
}

function requireLimbIndex(poly: RnsPoly, i: number, operation: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= poly.basis.size) {
    throw new FheError("INVALID_ARGUMENT", operation, `limb index must be in [0, ${poly.basis.size}), got ${describe(i)}`);
  }
}

function modInverseBig(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [m, a % m, 0n, 1n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [t0, t1] = [t1, t0 - quotient * t1];
  }
  return ((t0 % m) + m) % m;
}
