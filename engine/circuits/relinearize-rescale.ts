// Relinearization followed by a rescale, sharing the NTTs of the two divisions. A
// relinearization ends with a division by the special primes P (ModDown) and the rescale then
// divides by the primes of the level: here the key switch's inner products (v0, v1) stay over
// Q_l P, c0 and c1 are lifted there (times P, summed with the inner products in registers) and
// both divisions run in one pass (divideRoundByLastPrimesTwice), with one NTT per limb and part
// instead of two. Because the key-switching error ends up divided by P q_l rather than P (a
// property of the rescale that follows, not of the shared pass), digits may be merged up to
// about P q_l (merged-digits.ts): fewer base conversions and NTTs at the levels where two digits
// fit. Where none merge, the
// result is bit for bit that of relinearizeInPlace then rescaleInPlace; elsewhere it differs
// from it by a key-switching error below a quarter of the rescale's rounding, and by that
// rounding itself.

import type { Ciphertext } from "../ciphertext.js";
import { rescaledScale } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { evaluatorRelinearizationKey, type Evaluator } from "../evaluator/evaluator.js";
import { switchKeyLazyBeforeRescale } from "../merged-digits.js";
import { copy } from "../ring/arithmetic.js";
import { divideRoundByLastPrimesTwice } from "../ring/divide-round.js";
import { FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";

/**
 * Relinearizes a degree-2 ciphertext and rescales it, in place: degree 1, level - 1, scale /
 * q_level, what `relinearizeInPlace` then `rescaleInPlace` give (bit for bit where no digits
 * merge, see the file comment). Preconditions (checked):
 * degree 2, level >= 1, a scale that stays >= 1, an evaluator with a live relinearization key
 * (MISSING_KEY otherwise). `operation` names the caller in errors.
 */
export function relinearizeRescaleInPlace(evaluator: Evaluator, ciphertext: Ciphertext, operation: string): void {
  const { params } = evaluator;
  const ct = checkCiphertext(params, ciphertext, operation);
  if (ct.degree !== 2 || ct.level === 0 || !(rescaledScale(params, ct.level, ct.scale) >= 1)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `internal error: relinearize and rescale needs a product (degree 2) at level >= 1 with a scale above the level's primes, got degree ${ct.degree} at level ${ct.level}`);
  }
  const key = evaluatorRelinearizationKey(evaluator, operation);
  const switched = switchKeyLazyBeforeRescale(params, ct.polys[2]!, key, ct.level,
    { parts: [ct.polys[0]!, ct.polys[1]!], factor: params.basisP().product() });
  const lowerBasis = params.basisQ(ct.level - 1);
  try {
    switched.forEach((v, part) => {
      divideRoundByLastPrimesTwice(v, params.pPrimes.length, params.primesPerLevel);
      const target = ct.polys[part]!;
      target.shrinkTo(lowerBasis);
      copy(target, v);
    });
  } finally {
    for (const v of switched) v.dispose();
  }
  ct.polys[2]!.dispose();
  ct.polys = ct.polys.slice(0, 2);
  ct.scale = rescaledScale(params, ct.level, ct.scale);
  ct.level -= 1;
  ct.seed = undefined;
}
