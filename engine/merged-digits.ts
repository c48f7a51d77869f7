// Key switching before a rescale with merged digits. A relinearization followed by a rescale
// divides the key switch's result by P q_l (q_l the level's rescaling primes) instead of P, so
// its error term, the ModUp image of a digit (below L D for a digit of L primes and modulus D)
// times the key's error, shrinks by q_l too, and consecutive key digits can be merged into one
// larger digit: one ModUp (base conversion and NTTs) instead of several. The key is unchanged:
// digit j's key holds P s^2 on the limbs of digit j only, so the sum of a group's keys holds it on
// the merged digit's limbs, which is the merged digit's key.

import type { SwitchingKey } from "./keys.js";
import { decomposeRanges, digitRange, switchKeyLazy, type KeySwitchLift } from "./key-switching.js";
import type { Parameters } from "./parameters.js";
import { log2Product } from "./parameters-chain.js";
import { FheError } from "./ring/errors.js";
import type { RnsPoly } from "./ring/poly.js";

const operation = "group digits for key switching";

/**
 * Whether the key digits of `group` (consecutive), merged into one digit, keep the key switch's
 * error negligible when the result is divided by P and then by `rescalePrimes`: its error after
 * the divisions, about (D / (P q_l)) (L / 2 + 1) sigma sqrt(g N) per coefficient (RMS; the ModUp
 * image lies in [0, L D), L primes of product D, the keys of the g digits summed), must stay
 * below a quarter of the rounding of the division by q_l, about sqrt((h + 1) / 12) (h the
 * secret's Hamming weight, 2N/3 on average for a dense ternary secret). At N = 2^14 with a dense
 * secret that is D below about P q_l / 2^8.
 */
function mergedDigitFits(params: Parameters, qLimbs: number, group: readonly number[], rescalePrimes: readonly number[]): boolean {
  const { first, last } = groupRange(params, qLimbs, group);
  const digitPrimes = params.qPrimes.slice(first, last);
  const keyDigits = group.length;
  const weight = params.hammingWeight ?? (2 * params.n) / 3;
  const rounding = Math.sqrt((weight + 1) / 12);
  const errorBits = log2Product(digitPrimes) - log2Product(params.pPrimes) - log2Product(rescalePrimes) +
    Math.log2((digitPrimes.length / 2 + 1) * params.sigma * Math.sqrt(keyDigits * params.n));
  return errorBits <= Math.log2(rounding / 4);
}

/**
 * The key digits at `level` (>= 1), grouped for a key switch that a rescale follows: consecutive
 * digits are merged greedily while the merged digit fits (see mergedDigitFits). Each group lists
 * its digit indices, in order; every group is a single digit where the noise allows no merging.
 */
export function digitGroupsBeforeRescale(params: Parameters, level: number): number[][] {
  params.checkLevel(level, operation);
  if (level === 0) throw new FheError("INVALID_ARGUMENT", operation, "level 0 has no prime to rescale by; key switches there use decompose's digits");
  const qLimbs = params.limbsAt(level);
  const rescalePrimes = params.qPrimes.slice(qLimbs - params.primesPerLevel, qLimbs);
  const groups: number[][] = [];
  for (let j = 0; j * params.digitSize < qLimbs; j++) {
    const last = groups[groups.length - 1];
    if (last !== undefined && mergedDigitFits(params, qLimbs, [...last, j], rescalePrimes)) last.push(j);
    else groups.push([j]);
  }
  return groups;
}

/** Limb range [first, last) of a group of consecutive key digits at a level with qLimbs limbs. */
function groupRange(params: Parameters, qLimbs: number, group: readonly number[]): { first: number; last: number } {
  return { first: digitRange(params, qLimbs, group[0]!).first, last: digitRange(params, qLimbs, group[group.length - 1]!).last };
}

/**
 * switchKeyLazy(decompose(d)) for a key switch whose result is divided by P and then rescaled
 * at `level` (divideRoundByLastPrimesTwice, as relinearizeRescaleInPlace does): the inner
 * products (v0, v1) over Q_level P (NTT), with the digits merged as digitGroupsBeforeRescale
 * allows (a merged digit's image times each key of its group); `lift` as in switchKeyLazy. Not
 * for key switches without the rescale: their error would be too large. Scoped results: the
 * caller must dispose them.
 */
export function switchKeyLazyBeforeRescale(
  params: Parameters, d: RnsPoly, key: SwitchingKey, level: number, lift?: KeySwitchLift,
): [RnsPoly, RnsPoly] {
  const qLimbs = params.limbsAt(level);
  const groups = digitGroupsBeforeRescale(params, level);
  const images = decomposeRanges(params, d, level, groups.map((g) => groupRange(params, qLimbs, g)));
  try {
    return switchKeyLazy(params, groups.flatMap((g, i) => g.map(() => images[i]!)), key, level, lift);
  } finally {
    for (const image of images) image.dispose();
  }
}
