// Bringing two operands to a common level and scale, so that users never do it by hand.

import type { Parameters } from "../parameters.js";
import { clone, mulScalar } from "../ring/arithmetic.js";
import { divideRoundByLastPrimes } from "../ring/divide-round.js";
import { FheError } from "../ring/errors.js";
import { RnsPoly } from "../ring/poly.js";
import { planScaleAdjustment, type ScaleAdjustment } from "./scale-adjustment.js";

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

/** The scale after rescaling at `level` (>= 1): `scale` divided by the primes that level drops. */
export function rescaledScale(params: Parameters, level: number, scale: number): number {
  return scale / Number(droppedModulus(params, level));
}

/** Divides `operand` by the primes of its level (rescale), in place. */
export function rescaleOperand(params: Parameters, operand: Operand, operation: string): void {
  if (operand.level === 0) throw new FheError("INVALID_ARGUMENT", operation, "the operand is at level 0; no prime is left to rescale by");
  const scale = rescaledScale(params, operand.level, operand.scale);
  for (const poly of operand.polys) divideRoundByLastPrimes(poly, params.primesPerLevel);
  operand.level -= 1;
  operand.scale = scale;
}

/** Applies a planned scale adjustment to `operand` in place; its scale becomes `target`. */
function adjustScale(params: Parameters, operand: Operand, adjustment: ScaleAdjustment, target: number, operation: string): void {
  for (let i = 0; i < adjustment.plainRescales; i++) rescaleOperand(params, operand, operation);
  for (const factor of adjustment.factors) {
    for (const poly of operand.polys) mulScalar(poly, poly, factor);
    rescaleOperand(params, operand, operation);
  }
  operand.scale = target;
}

function describeOperand(operand: Operand): string {
  return `2^${Math.log2(operand.scale).toFixed(2)} at level ${operand.level}`;
}

/** Non-owning views of `operand`'s polynomials at a lower `level`. */
export function viewsAtLevel(params: Parameters, operand: Operand, level: number): RnsPoly[] {
  const basis = params.basisQ(level);
  return operand.polys.map((poly) => RnsPoly.prefixView(poly, basis));
}

/**
 * True when a polynomial of `a` and one of `b` share memory (the same handle, or views on one
 * block: views start at their parent's first limb). Precondition: all are live, on one heap.
 */
function sharesMemory(a: Operand, b: Operand): boolean {
  const addresses = new Set(a.polys.map((poly) => poly.limbAddress(0)));
  return b.polys.some((poly) => addresses.has(poly.limbAddress(0)));
}

/** Owned copies of `operand`'s polynomials, as an operand at its level and scale. */
function copyOf(operand: Operand): Operand {
  return { polys: operand.polys.map((poly) => clone(poly)), level: operand.level, scale: operand.scale };
}

/**
 * Aligns `target` (modified in place) and `other` (read-only) for addition: returns views of
 * other's polynomials at the common level and scale, plus owned copies to dispose when other
 * itself had to be adjusted. When the scales differ, one operand is brought to the other's
 * scale (see planScaleAdjustment: exact to the precision the parameters give), choosing the
 * way that leaves the higher common level (ties: adjusting `target`, which needs no copy);
 * the other is then dropped to match. An `other` that shares memory with `target` (a second
 * handle on its polynomials) would change with it, so it is copied before `target` changes.
 * Throws when neither way is possible, saying why.
 */
export function alignForAddition(
  params: Parameters, target: Operand, other: Operand, operation: string,
): { polys: RnsPoly[]; release: () => void } {
  let source = other;
  if (!sameScale(target.scale, other.scale)) {
    const moveTarget = planScaleAdjustment(params, target.level, target.scale, other.scale);
    const moveOther = planScaleAdjustment(params, other.level, other.scale, target.scale);
    const levelIfTarget = typeof moveTarget === "string" ? -1 : Math.min(moveTarget.level, other.level);
    const levelIfOther = typeof moveOther === "string" ? -1 : Math.min(moveOther.level, target.level);
    if (typeof moveTarget !== "string" && levelIfTarget >= levelIfOther) {
      if (sharesMemory(target, other)) source = copyOf(other);
      adjustScale(params, target, moveTarget, other.scale, operation);
    } else if (typeof moveOther !== "string") {
      source = copyOf(other);
      adjustScale(params, source, moveOther, target.scale, operation);
    } else {
      throw new FheError("INVALID_ARGUMENT", operation,
        `the operands' scales (${describeOperand(target)} and ${describeOperand(other)}) cannot be aligned: ` +
        `moving the first to the second's scale fails because ${moveTarget}, and the other way because ${moveOther}; ` +
        "rescale the operand with the larger scale first, or encode the plaintext at the ciphertext's scale and level");
    }
  }
  const owned = source === other ? [] : source.polys;
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
