// Bringing two operands to a common level and scale, so that users never do it by hand.

import type { Parameters } from "../parameters.js";
import { clone, mulScalar } from "../ring/arithmetic.js";
import { divideRoundByLastPrimes } from "../ring/divide-round.js";
import { FheError } from "../ring/errors.js";
import { RnsPoly } from "../ring/poly.js";

/** Scales closer than this relative difference count as equal. */
export const scaleTolerance = 2 ** -40;

/** Polynomials (NTT form, over Q at `level`) that carry a message at `scale`. */
export interface Operand {
  polys: RnsPoly[];
  level: number;
  scale: number;
}

/** True when two scales are equal up to {@link scaleTolerance}. */
export function sameScale(a: number, b: number): boolean {
  return Math.abs(a / b - 1) <= scaleTolerance;
}

/** Drops `operand` to `level` in place (limbs are discarded; the scale is unchanged). */
export function dropToLevel(params: Parameters, operand: Operand, level: number): void {
  if (level === operand.level) return;
  const basis = params.basisQ(level);
  for (const poly of operand.polys) poly.shrinkTo(basis);
  operand.level = level;
}

/** Product of the primes that rescaling at `level` drops, as a BigInt. */
export function droppedModulus(params: Parameters, level: number): bigint {
  const limbs = params.limbsAt(level);
  return params.qPrimes.slice(limbs - params.primesPerLevel, limbs).reduce((acc, q) => acc * BigInt(q), 1n);
}

/** Divides `operand` by the primes of its level (rescale), in place. */
export function rescaleOperand(params: Parameters, operand: Operand, operation: string): void {
  if (operand.level === 0) throw new FheError("INVALID_ARGUMENT", operation, "the operand is at level 0; no prime is left to rescale by");
  const dropped = droppedModulus(params, operand.level);
  for (const poly of operand.polys) divideRoundByLastPrimes(poly, params.primesPerLevel);
  operand.level -= 1;
  operand.scale /= Number(dropped);
}

/**
 * Moves `operand` (in place) to scale `target` using one level: multiply by
 * round(target / scale * q_level) and rescale by q_level. The scale is then exactly `target`
 * up to a relative error below 2^-(log2 q_level), which is recorded as exact.
 */
export function adjustScale(params: Parameters, operand: Operand, target: number, operation: string): void {
  if (operand.level === 0) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `operands' scales differ (2^${Math.log2(operand.scale).toFixed(2)} and 2^${Math.log2(target).toFixed(2)}) and no level is left to align them`);
  }
  const factor = BigInt(Math.round((target / operand.scale) * Number(droppedModulus(params, operand.level))));
  for (const poly of operand.polys) mulScalar(poly, poly, factor);
  rescaleOperand(params, operand, operation);
  operand.scale = target;
}

/** Non-owning views of `operand`'s polynomials at a lower `level`. */
export function viewsAtLevel(params: Parameters, operand: Operand, level: number): RnsPoly[] {
  const basis = params.basisQ(level);
  return operand.polys.map((poly) => RnsPoly.prefixView(poly, basis));
}

/**
 * Aligns `target` (modified in place) and `other` (read-only) for addition: returns views of
 * other's polynomials at the common level and scale, plus owned copies to dispose when other
 * itself had to be rescaled. When the scales differ, the operand with more levels is
 * adjusted to the other's scale (one level); the other is then dropped to match.
 */
export function alignForAddition(
  params: Parameters, target: Operand, other: Operand, operation: string,
): { polys: RnsPoly[]; release: () => void } {
  let source = other;
  let owned: RnsPoly[] = [];
  if (!sameScale(target.scale, other.scale)) {
    if (target.level >= other.level && target.level > 0) {
      adjustScale(params, target, other.scale, operation);
    } else {
      const copies = other.polys.map((poly) => clone(poly));
      owned = copies;
      source = { polys: copies, level: other.level, scale: other.scale };
      adjustScale(params, source, target.scale, operation);
    }
  }
  const level = Math.min(target.level, source.level);
  dropToLevel(params, target, level);
  const views = viewsAtLevel(params, source, level);
  return {
    polys: views,
    release: () => {
      for (const view of views) view.dispose();
      for (const copy of owned) copy.dispose();
    },
  };
}
