// What the circuit executors share while they follow a plan: checking a step's result against
// the prediction, and adding an integer multiple of a ciphertext at a lower level.

import { type Ciphertext, ciphertextState } from "../ciphertext.js";
import { viewsAtLevel } from "../evaluator/alignment.js";
import type { Parameters } from "../parameters.js";
import { mulScalarAdd } from "../ring/arithmetic.js";
import { FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import { type LevelScale, planScaleTolerance } from "./plan.js";

/**
 * Checks that `ct` came out at the planned level and scale (the scale up to floating-point
 * rounding, {@link planScaleTolerance}), then records the planned scale exactly. A mismatch is
 * a bug in a planner: the error says which step (`what`) of `operation` diverged.
 */
export function settleToPlan(ct: Ciphertext, planned: LevelScale, operation: string, what: string): void {
  const state = ciphertextState(ct);
  if (state.level !== planned.level || !(Math.abs(state.scale / planned.scale - 1) <= planScaleTolerance)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `internal error: ${what} came out at level ${state.level}, scale 2^${Math.log2(state.scale).toFixed(3)} instead of the planned level ${planned.level}, scale 2^${Math.log2(planned.scale).toFixed(3)}`);
  }
  state.scale = planned.scale;
}

/**
 * target += factor * source, part by part: `target` are the polynomials of a ciphertext at
 * `level`, `source` a ciphertext at `level` or above (read through views, not copied). The
 * caller makes the scales agree: factor * scale(source) = scale(target) up to the rounding of
 * the integer factor.
 */
export function accumulateScaled(params: Parameters, target: readonly RnsPoly[], level: number, source: Ciphertext, factor: bigint): void {
  const views = viewsAtLevel(params, ciphertextState(source), level);
  try {
    views.forEach((view, i) => mulScalarAdd(target[i]!, view, factor));
  } finally {
    for (const view of views) view.dispose();
  }
}
