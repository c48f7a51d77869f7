// Hybrid key switching (Han-Ki): the input is split into digits of `digitSize` primes, each
// digit is raised to Q_l P by fast base conversion (ModUp), multiplied with the key, and the
// sum is divided by P (ModDown). The decomposition can be computed once and reused for many
// rotations of the same ciphertext (hoisting).

import type { SwitchingKey } from "./keys.js";
import type { Parameters } from "./parameters.js";
import { BasisConverter } from "./ring/basis-conversion.js";
import { divideRoundByLastPrimes } from "./ring/divide-round.js";
import { clone } from "./ring/arithmetic.js";
import type { RnsPoly } from "./ring/poly.js";
import { nttLimb, toCoefficients } from "./ring/transforms.js";

/**
 * The ModUp images of the digits of d: one polynomial over Q_level P (NTT form) per digit.
 * Precondition: d in NTT form over Q at `level`. The caller disposes the result.
 */
export function decompose(params: Parameters, d: RnsPoly, level: number): RnsPoly[] {
  const { ring } = params;
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  const qLimbs = params.limbsAt(level);
  const qp = params.basisQP(level);
  using coefficients = clone(d);
  toCoefficients(coefficients);
  const digits: RnsPoly[] = [];
  for (let first = 0; first < qLimbs; first += params.digitSize) {
    const last = Math.min(qLimbs, first + params.digitSize);
    const digitBasis = ring.basis(params.qPrimes.slice(first, last));
    const targetPrimes = [...params.qPrimes.slice(0, first), ...params.qPrimes.slice(last, qLimbs), ...params.pPrimes];
    const converter = BasisConverter.of(ring, digitBasis, ring.basis(targetPrimes));
    const out = ring.allocate(qp, { ntt: true });
    heap.kernels.copyWords(out.limbAddress(first), d.limbAddress(first), n * (last - first));
    const scratchBytes = limbBytes * targetPrimes.length;
    const scratch = heap.allocate(scratchBytes, "decompose for key switching");
    try {
      converter.convertLimbs(scratch, coefficients.limbAddress(first));
      targetPrimes.forEach((_, t) => {
        const index = t < first ? t : t + (last - first);
        const target = out.limbAddress(index);
        heap.kernels.copyWords(target, scratch + limbBytes * t, n);
        nttLimb(qp.moduli[index]!, target);
      });
    } finally {
      heap.free(scratch, scratchBytes);
    }
    digits.push(out);
  }
  return digits;
}

/**
 * (u0, u1) over Q_level (NTT) with u0 + u1 s ~ d s' where `digits` = decompose(d) and the key
 * switches s' to s. With `galoisElement`, the digits are first mapped by X -> X^k (hoisted
 * rotation: decompose(phi_k(d)) = phi_k(decompose(d))).
 */
export function switchKey(
  params: Parameters, digits: readonly RnsPoly[], key: SwitchingKey, level: number, galoisElement?: number,
): [RnsPoly, RnsPoly] {
  const { ring } = params;
  const { heap, n } = ring;
  const qLimbs = params.limbsAt(level);
  const topLimbs = params.qPrimes.length;
  const qp = params.basisQP(level);
  const accumulators: [RnsPoly, RnsPoly] = [ring.allocate(qp, { ntt: true }), ring.allocate(qp, { ntt: true })];
  const permutation = galoisElement === undefined ? undefined : ring.nttPermutation(galoisElement);
  const permuted = heap.allocate(4 * n, "switch key");
  try {
    digits.forEach((digit, j) => {
      const keyDigit = key.digits[j]!;
      qp.moduli.forEach((m, t) => {
        const keyLimb = t < qLimbs ? t : topLimbs + (t - qLimbs);
        let source = digit.limbAddress(t);
        if (permutation !== undefined) {
          heap.kernels.permuteWords(permuted, source, permutation, n);
          source = permuted;
        }
        const multiply = j === 0 ? heap.kernels.mulBarrett : heap.kernels.mulAddBarrett;
        multiply(accumulators[0].limbAddress(t), source, keyDigit.b.limbAddress(keyLimb), n, m.q, m.barrettMu, m.barrettShift);
        multiply(accumulators[1].limbAddress(t), source, keyDigit.a.limbAddress(keyLimb), n, m.q, m.barrettMu, m.barrettShift);
      });
    });
  } finally {
    heap.free(permuted, 4 * n);
  }
  for (const accumulator of accumulators) divideRoundByLastPrimes(accumulator, params.pPrimes.length);
  return accumulators;
}
