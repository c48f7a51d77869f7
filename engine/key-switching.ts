// Hybrid key switching (Han-Ki): the input is split into digits of `digitSize` primes, each
// digit is raised to Q_l P by fast base conversion (ModUp), multiplied with the key, and the
// sum is divided by P (ModDown). The decomposition can be computed once and reused for many
// rotations of the same ciphertext (hoisting).

import type { SwitchingKey } from "./keys.js";
import type { Parameters } from "./parameters.js";
import { BasisConverter } from "./ring/basis-conversion.js";
import { divideRoundByLastPrimes } from "./ring/divide-round.js";
import { FheError } from "./ring/errors.js";
import type { RnsPoly } from "./ring/poly.js";
import { nttLimb } from "./ring/transforms.js";

/** Limb range [first, last) of key digit j over Q at a level with qLimbs limbs (the last digit may be partial). */
export function digitRange(params: Parameters, qLimbs: number, j: number): { first: number; last: number } {
  return { first: j * params.digitSize, last: Math.min(qLimbs, (j + 1) * params.digitSize) };
}

/**
 * The ModUp images of the digits of d: one polynomial over Q_level P (NTT form) per digit.
 * Precondition: d in NTT form over Q at `level`. The results are scoped: the caller must
 * dispose them (in a finally block).
 */
export function decompose(params: Parameters, d: RnsPoly, level: number): RnsPoly[] {
  const qLimbs = params.limbsAt(level);
  const ranges = Array.from({ length: Math.ceil(qLimbs / params.digitSize) }, (_, j) => digitRange(params, qLimbs, j));
  return decomposeRanges(params, d, level, ranges);
}

/**
 * ModUp images of d's limb ranges [first, last) (covering Q_level in order), one polynomial over
 * Q_level P (NTT form) each. Precondition: d in NTT form over Q at `level`. Scoped results.
 */
export function decomposeRanges(params: Parameters, d: RnsPoly, level: number, ranges: readonly { first: number; last: number }[]): RnsPoly[] {
  if (d.basis !== params.basisQ(level) || !d.isNtt) {
    throw new FheError("INVALID_ARGUMENT", "decompose for key switching", `the polynomial is not in NTT form over Q at level ${level}`);
  }
  const { ring } = params;
  const { heap, n } = ring;
  const limbBytes = 4 * n;
  const qLimbs = params.limbsAt(level);
  const qp = params.basisQP(level);
  // d's limbs, inverse-transformed range by range straight to the base conversion's inputs.
  const scaledBytes = limbBytes * qLimbs;
  const scaled = heap.allocate(scaledBytes, "decompose for key switching");
  heap.kernels.copyWords(scaled, d.limbAddress(0), n * qLimbs);
  const digits: RnsPoly[] = [];
  try {
    for (const { first, last } of ranges) {
      const digitBasis = ring.basis(params.qPrimes.slice(first, last));
      const targetPrimes = [...params.qPrimes.slice(0, first), ...params.qPrimes.slice(last, qLimbs), ...params.pPrimes];
      const converter = BasisConverter.of(ring, digitBasis, ring.basis(targetPrimes));
      const out = ring.allocate(qp, { ntt: true, scoped: true });
      digits.push(out);
      heap.kernels.copyWords(out.limbAddress(first), d.limbAddress(first), n * (last - first));
      const scratchBytes = limbBytes * targetPrimes.length;
      const scratch = heap.allocate(scratchBytes, "decompose for key switching");
      try {
        converter.inverseNttScaled(scaled + limbBytes * first);
        converter.convertScaledLimbs(scratch, scaled + limbBytes * first);
        targetPrimes.forEach((_, t) => {
          const index = t < first ? t : t + (last - first);
          const target = out.limbAddress(index);
          heap.kernels.copyWords(target, scratch + limbBytes * t, n);
          nttLimb(qp.moduli[index]!, target);
        });
      } finally {
        heap.free(scratch, scratchBytes);
      }
    }
  } catch (error) {
    for (const digit of digits) digit.dispose();
    throw error;
  } finally {
    if (d.secret) heap.zero(scaled, scaledBytes);
    heap.free(scaled, scaledBytes);
  }
  return digits;
}

/** Ciphertext parts (x0, x1) over Q_level (NTT form, fully reduced) added times `factor` to a key switch's lazy inner products. */
export interface KeySwitchLift {
  readonly parts: readonly [RnsPoly, RnsPoly];
  readonly factor: bigint;
}

/** Products of values below 2^30 that an unsigned 64-bit accumulator sums below 2^64. */
const maxLazyTerms = 16;

/**
 * (u0, u1) over Q_level (NTT) with u0 + u1 s_target ~ d s_source, where `digits` =
 * decompose(d) and the key switches s_source to s_target: {@link switchKeyLazy} followed by
 * the division by P (ModDown). The results are scoped: the caller must dispose them (in a
 * finally block).
 */
export function switchKey(params: Parameters, digits: readonly RnsPoly[], key: SwitchingKey, level: number): [RnsPoly, RnsPoly] {
  const results = switchKeyLazy(params, digits, key, level);
  for (const result of results) divideRoundByLastPrimes(result, params.pPrimes.length);
  return results;
}

/**
 * The key-switching inner products before the division by P: (v0, v1) over Q_level P (NTT)
 * with (v0, v1) / P ~ switchKey's (u0, u1). Several such pairs can be summed (after
 * automorphisms or plaintext products) and divided by P once (double hoisting). Each limb's
 * products are summed unreduced in registers and reduced once per batch of
 * {@link maxLazyTerms} digits (one kernel call per limb and batch). With `lift`, (v0, v1) also
 * hold factor * (x0, x1) on their Q limbs, summed in the same registers (the ciphertext parts a
 * relinearization adds before its division by P, with factor = P): x0 and x1 over Q_level, NTT
 * form, fully reduced. The results are scoped: the caller must dispose them.
 */
export function switchKeyLazy(
  params: Parameters, digits: readonly RnsPoly[], key: SwitchingKey, level: number,
  lift?: KeySwitchLift,
): [RnsPoly, RnsPoly] {
  const { ring } = params;
  const { heap, n } = ring;
  const qLimbs = params.limbsAt(level);
  const topLimbs = params.qPrimes.length;
  const qp = params.basisQP(level);
  const results: [RnsPoly, RnsPoly] = [ring.allocate(qp, { ntt: true, scoped: true }), ring.allocate(qp, { ntt: true, scoped: true })];
  // The lifted parts count as one more product in the first batch's sums.
  const batchSize = lift === undefined ? maxLazyTerms : maxLazyTerms - 1;
  const tableBytes = 12 * Math.min(digits.length, batchSize);
  const liftFactors = lift === undefined ? [] : params.qPrimes.slice(0, qLimbs).map((q) => Number(lift.factor % BigInt(q)));
  let table = 0;
  try {
    table = heap.allocate(tableBytes, "switch key");
    for (let batch = 0; batch < digits.length; batch += batchSize) {
      const end = Math.min(digits.length, batch + batchSize);
      qp.moduli.forEach((m, t) => {
        const keyLimb = t < qLimbs ? t : topLimbs + (t - qLimbs);
        const words = heap.u32();
        for (let j = batch; j < end; j++) {
          const entry = (table >>> 2) + 3 * (j - batch);
          const keyDigit = key.digits[j]!;
          words[entry] = digits[j]!.limbAddress(t);
          words[entry + 1] = keyDigit.b.limbAddress(keyLimb);
          words[entry + 2] = keyDigit.a.limbAddress(keyLimb);
        }
        if (lift !== undefined && batch === 0 && t < qLimbs) {
          heap.kernels.innerProductPairLift(results[0].limbAddress(t), results[1].limbAddress(t), table, end - batch, n,
            m.q, m.r32, m.r32Shoup, m.oneShoup, 0, lift.parts[0].limbAddress(t), lift.parts[1].limbAddress(t), liftFactors[t]!);
        } else {
          heap.kernels.innerProductPair(results[0].limbAddress(t), results[1].limbAddress(t), table, end - batch, n,
            m.q, m.r32, m.r32Shoup, m.oneShoup, batch > 0 ? 1 : 0);
        }
      });
    }
  } catch (error) {
    for (const result of results) result.dispose();
    throw error;
  } finally {
    if (table !== 0) heap.free(table, tableBytes);
  }
  return results;
}
