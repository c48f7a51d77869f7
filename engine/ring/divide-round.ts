// Dividing a polynomial by its last prime(s) with rounding: CKKS rescaling (one prime, or
// several for composite scaling) and the ModDown step of key switching.

import type { RnsBasis } from "./basis.js";
import { BasisConverter } from "./basis-conversion.js";
import { describe, FheError, isInteger } from "./errors.js";
import { bigMod, invMod, shoupCompanion } from "./modular.js";
import type { Modulus } from "./modulus.js";
import { checkOperands } from "./operands.js";
import type { RnsPoly } from "./poly.js";
import type { Ring } from "./ring.js";
import { inverseNttLimb, nttLimb } from "./transforms.js";

/** Constants for dividing polynomials over `basis` by the product P of its last k primes. */
class DivisionPlan {
  readonly kept: RnsBasis;
  readonly dropped: RnsBasis;
  /** P^-1 mod q_i and Shoup companion, for each kept prime. */
  readonly inverse: number[];
  readonly inverseShoup: number[];
  /** floor(P / 2) mod each kept prime, then mod each dropped prime (used when k > 1). */
  readonly halfKept: number[];
  readonly halfDropped: number[];
  /** The conversion from the dropped primes to the kept ones (k > 1). */
  readonly converter: BasisConverter | undefined;
  /** floor(P / 2) (P / p_j)^-1 mod each dropped prime p_j (the conversion's first step applied to it). */
  readonly halfDroppedScaled: number[];

  constructor(ring: Ring, basis: RnsBasis, k: number) {
    this.kept = ring.basis(basis.primes.slice(0, basis.size - k));
    this.dropped = ring.basis(basis.primes.slice(basis.size - k));
    const p = this.dropped.product();
    const half = p / 2n;
    this.inverse = this.kept.primes.map((q) => invMod(bigMod(p, q), q));
    this.inverseShoup = this.kept.primes.map((q, i) => shoupCompanion(this.inverse[i]!, q));
    this.halfKept = this.kept.primes.map((q) => bigMod(half, q));
    this.halfDropped = this.dropped.primes.map((q) => bigMod(half, q));
    this.converter = k > 1 ? BasisConverter.of(ring, this.dropped, this.kept) : undefined;
    this.halfDroppedScaled = this.halfDropped.map((h, j) => this.converter?.scaledByInverse(j, h) ?? h);
  }
}

/** The memoized constants for dividing polynomials over `basis` by its last k primes. */
function divisionPlan(ring: Ring, basis: RnsBasis, k: number): DivisionPlan {
  return ring.memo(`divide:${basis.key}|${k}`, () => new DivisionPlan(ring, basis, k));
}

/** Throws INVALID_ARGUMENT unless `k` is an integer in [1, max]. */
function checkPrimeCount(k: number, max: number, operation: string): void {
  if (!isInteger(k) || k < 1 || k > max) {
    throw new FheError("INVALID_ARGUMENT", operation, `k must be an integer in [1, ${max}], got ${describe(k)}`);
  }
}

/**
 * Replaces `poly` (basis q_0..q_{L-1}, either form) in place by its quotient by the product P
 * of its last k primes, over basis q_0..q_{L-1-k}, keeping its form.
 * - k = 1: exactly round(x / q_{L-1}) (ties round up), x the CRT value in [0, Q).
 * - k > 1: floor((x + floor(P/2)) / P) - u for an integer 0 <= u < k (fast base conversion).
 * Precondition: 1 <= k < number of limbs.
 */
export function divideRoundByLastPrimes(poly: RnsPoly, k = 1): void {
  const operation = "divide by last primes";
  checkOperands(operation, [poly], "any");
  checkPrimeCount(k, poly.basis.size - 1, operation);
  const { ring } = poly;
  const plan = divisionPlan(ring, poly.basis, k);
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  const droppedBytes = limbBytes * k;
  const keptBytes = limbBytes * plan.kept.size;
  const dropped = heap.allocate(droppedBytes, operation);
  const converted = heap.allocate(keptBytes, operation);
  try {
    correctionsOfDroppedLimbs(poly, plan, dropped, converted);
    plan.kept.moduli.forEach((m, i) => {
      const target = poly.limbAddress(i);
      const correction = converted + limbBytes * i;
      if (poly.isNtt) nttLimb(m, correction);
      heap.kernels.subMulScalarShoup(target, target, correction, n, m.q, plan.inverse[i]!, plan.inverseShoup[i]!);
    });
  } finally {
    if (poly.secret) {
      heap.zero(dropped, droppedBytes);
      heap.zero(converted, keptBytes);
    }
    heap.free(dropped, droppedBytes);
    heap.free(converted, keptBytes);
  }
  poly.shrinkTo(plan.kept);
}

/** Constants of two divisions in a row: by P1 (the last k1 primes), then by P2 (the next k2). */
class TwoStepPlan {
  readonly first: DivisionPlan;
  readonly second: DivisionPlan;
  /** P1 mod q_i and (P1 P2)^-1 mod q_i (with Shoup companions) for each finally kept prime. */
  readonly firstProduct: number[];
  readonly firstProductShoup: number[];
  readonly inverse: number[];
  readonly inverseShoup: number[];

  constructor(ring: Ring, basis: RnsBasis, k1: number, k2: number) {
    this.first = divisionPlan(ring, basis, k1);
    this.second = divisionPlan(ring, this.first.kept, k2);
    const p1 = this.first.dropped.product();
    const both = p1 * this.second.dropped.product();
    const kept = this.second.kept.primes;
    this.firstProduct = kept.map((q) => bigMod(p1, q));
    this.firstProductShoup = kept.map((q, i) => shoupCompanion(this.firstProduct[i]!, q));
    this.inverse = kept.map((q) => invMod(bigMod(both, q), q));
    this.inverseShoup = kept.map((q, i) => shoupCompanion(this.inverse[i]!, q));
  }
}

/**
 * Exactly divideRoundByLastPrimes(poly, k1) followed by divideRoundByLastPrimes(poly, k2), bit
 * for bit, with one NTT per finally kept limb instead of two: both corrections are combined in
 * coefficient form (key switching's division by P followed by a rescale). Preconditions:
 * k1, k2 >= 1 and k1 + k2 < number of limbs; either form (kept).
 */
export function divideRoundByLastPrimesTwice(poly: RnsPoly, k1: number, k2: number): void {
  const operation = "divide by last primes";
  checkOperands(operation, [poly], "any");
  const size = poly.basis.size;
  if (!isInteger(k1) || !isInteger(k2) || k1 < 1 || k2 < 1 || k1 + k2 >= size) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `k1 and k2 must be integers >= 1 with k1 + k2 below the ${size} limbs, got ${describe(k1)} and ${describe(k2)}`);
  }
  const { ring } = poly;
  const plan = ring.memo(`divide2:${poly.basis.key}|${k1}|${k2}`, () => new TwoStepPlan(ring, poly.basis, k1, k2));
  const { first, second } = plan;
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  const kept = second.kept.size;
  const bytes = limbBytes * (k1 + first.kept.size + k2 + kept);
  const scratch = heap.allocate(bytes, operation);
  const dropped = scratch;
  const firstCorrections = dropped + limbBytes * k1;
  const top = firstCorrections + limbBytes * first.kept.size;
  const secondCorrections = top + limbBytes * k2;
  try {
    correctionsOfDroppedLimbs(poly, first, dropped, firstCorrections);
    // The first quotient's limbs that the second division drops, in coefficient form.
    copyLimbsToCoefficients(poly, kept, second.dropped, top);
    second.dropped.moduli.forEach((m, j) => {
      const address = top + limbBytes * j;
      heap.kernels.subMulScalarShoup(address, address, firstCorrections + limbBytes * (kept + j), n, m.q,
        first.inverse[kept + j]!, first.inverseShoup[kept + j]!);
    });
    computeCorrections(ring, second, top, secondCorrections, poly.secret);
    // ((x - c1) / P1 - c2) / P2 = (x - (c1 + P1 c2)) / (P1 P2), limb by limb.
    second.kept.moduli.forEach((m, i) => {
      const target = poly.limbAddress(i);
      const correction = firstCorrections + limbBytes * i;
      heap.kernels.mulAddScalarShoup(correction, secondCorrections + limbBytes * i, n, m.q, plan.firstProduct[i]!, plan.firstProductShoup[i]!);
      if (poly.isNtt) nttLimb(m, correction);
      heap.kernels.subMulScalarShoup(target, target, correction, n, m.q, plan.inverse[i]!, plan.inverseShoup[i]!);
    });
  } finally {
    if (poly.secret) heap.zero(scratch, bytes);
    heap.free(scratch, bytes);
  }
  poly.shrinkTo(second.kept);
}

/** Copies the limbs of `poly` from index `from` on (one per prime of `primes`) to `output`, in coefficient form. */
function copyLimbsToCoefficients(poly: RnsPoly, from: number, primes: RnsBasis, output: number): void {
  const { heap, n } = poly.ring;
  heap.kernels.copyWords(output, poly.limbAddress(from), n * primes.size);
  if (poly.isNtt) primes.moduli.forEach((m, j) => inverseNttLimb(m, output + 4 * n * j));
}

/**
 * computeCorrections for the dropped limbs of `poly` itself (its last plan.dropped.size limbs),
 * with `dropped` as scratch (one limb per dropped prime). For several primes in NTT form, the
 * conversion's multiplication by (P/p_j)^-1 runs inside the inverse NTT (bit for bit the same).
 */
function correctionsOfDroppedLimbs(poly: RnsPoly, plan: DivisionPlan, dropped: number, output: number): void {
  const { ring } = poly;
  const { heap, n } = ring;
  if (plan.converter === undefined || !poly.isNtt) {
    copyLimbsToCoefficients(poly, plan.kept.size, plan.dropped, dropped);
    computeCorrections(ring, plan, dropped, output, poly.secret);
    return;
  }
  heap.kernels.copyWords(dropped, poly.limbAddress(plan.kept.size), n * plan.dropped.size);
  plan.converter.inverseNttScaled(dropped);
  // (x + floor(P/2)) (P/p_j)^-1 = x (P/p_j)^-1 + floor(P/2) (P/p_j)^-1.
  plan.dropped.moduli.forEach((m, j) => {
    const address = dropped + 4 * n * j;
    heap.kernels.addScalarMod(address, address, n, m.q, plan.halfDroppedScaled[j]!);
  });
  plan.converter.convertScaledLimbs(output, dropped);
  subtractHalfKept(ring, plan, output);
}

/**
 * The coefficient-form values subtracted from each kept limb before the multiplication by
 * P^-1, written to `output` (one limb per kept prime): the centred residue mod P (k = 1), or
 * conv(x_P + floor(P/2)) - floor(P/2) (k > 1). `dropped` holds the k dropped limbs in
 * coefficient form; it is overwritten.
 */
function computeCorrections(ring: Ring, plan: DivisionPlan, dropped: number, output: number, secret: boolean): void {
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  if (plan.converter === undefined) {
    const last = plan.dropped.moduli[0]!;
    plan.kept.moduli.forEach((m, i) => reduceCenteredLimb(m, output + limbBytes * i, dropped, last));
    return;
  }
  plan.dropped.moduli.forEach((m, j) => {
    const address = dropped + limbBytes * j;
    heap.kernels.addScalarMod(address, address, n, m.q, plan.halfDropped[j]!);
  });
  plan.converter.convertLimbs(output, dropped, secret);
  subtractHalfKept(ring, plan, output);
}

/** output_i -= floor(P / 2) mod q_i for each kept prime (the conversion's output limbs). */
function subtractHalfKept(ring: Ring, plan: DivisionPlan, output: number): void {
  const { heap, n } = ring;
  plan.kept.moduli.forEach((m, i) => {
    const address = output + 4 * n * i;
    heap.kernels.addScalarMod(address, address, n, m.q, (m.q - plan.halfKept[i]!) % m.q);
  });
}

function reduceCenteredLimb(target: Modulus, output: number, input: number, source: Modulus): void {
  target.heap.kernels.reduceCentered(output, input, target.n, source.q, target.q, source.q % target.q, target.oneShoup);
}
