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

  constructor(ring: Ring, basis: RnsBasis, k: number) {
    this.kept = ring.basis(basis.primes.slice(0, basis.size - k));
    this.dropped = ring.basis(basis.primes.slice(basis.size - k));
    const p = this.dropped.product();
    const half = p / 2n;
    this.inverse = this.kept.primes.map((q) => invMod(bigMod(p, q), q));
    this.inverseShoup = this.kept.primes.map((q, i) => shoupCompanion(this.inverse[i]!, q));
    this.halfKept = this.kept.primes.map((q) => bigMod(half, q));
    this.halfDropped = this.dropped.primes.map((q) => bigMod(half, q));
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
  const size = poly.basis.size;
  if (!isInteger(k) || k < 1 || k >= size) {
    throw new FheError("INVALID_ARGUMENT", operation, `k must be an integer in [1, ${size - 1}], got ${describe(k)}`);
  }
  const { ring } = poly;
  const plan = ring.memo(`divide:${poly.basis.key}|${k}`, () => new DivisionPlan(ring, poly.basis, k));
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  const droppedBytes = limbBytes * k;
  const keptBytes = limbBytes * plan.kept.size;
  const dropped = heap.allocate(droppedBytes, operation);
  const converted = heap.allocate(keptBytes, operation);
  try {
    heap.kernels.copyWords(dropped, poly.limbAddress(size - k), n * k);
    plan.dropped.moduli.forEach((m, j) => {
      if (poly.isNtt) inverseNttLimb(m, dropped + limbBytes * j);
    });
    if (k === 1) {
      const last = plan.dropped.moduli[0]!;
      plan.kept.moduli.forEach((m, i) => reduceCenteredLimb(m, converted + limbBytes * i, dropped, last));
    } else {
      plan.dropped.moduli.forEach((m, j) => {
        const address = dropped + limbBytes * j;
        heap.kernels.addScalarMod(address, address, n, m.q, plan.halfDropped[j]!);
      });
      BasisConverter.of(ring, plan.dropped, plan.kept).convertLimbs(converted, dropped, poly.secret);
    }
    plan.kept.moduli.forEach((m, i) => {
      const target = poly.limbAddress(i);
      const correction = converted + limbBytes * i;
      // (x + h - conv(x_P + h)) / P: subtract h from the correction, coefficient-wise.
      if (k > 1) heap.kernels.addScalarMod(correction, correction, n, m.q, (m.q - plan.halfKept[i]!) % m.q);
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

function reduceCenteredLimb(target: Modulus, output: number, input: number, source: Modulus): void {
  target.heap.kernels.reduceCentered(output, input, target.n, source.q, target.q, source.q % target.q, target.oneShoup);
}
