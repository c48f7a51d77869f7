// Rotations composed from a small key set: Galois keys only for the powers of a base
// (1, b, b^2, ... below the slots), every other rotation a sequence of them (its base-b digits).
// Trades key switches for key bytes: a client uploads log_b(slots) keys instead of one per step.
// Pure: no encryption, no memory.

import { describe, FheError, isInteger } from "../ring/errors.js";

/** One rotated copy of the input: rot_target = the key steps applied in turn to rot_from. */
export interface ReachStep {
  readonly target: number;
  readonly from: number;
  /** Key steps (powers of the base), in the order they are applied. */
  readonly steps: readonly number[];
}

/** How a transform of diagonals `indices` runs with the key steps of one base. */
export interface ComposedPlan {
  readonly base: number;
  readonly slots: number;
  /** Every non-zero diagonal index, in increasing order, reached from 0 or an earlier index. */
  readonly reach: readonly ReachStep[];
  /** Key steps of each log-step stride * 2^t (2^t < windows) of the output windows' sum. */
  readonly windows: readonly (readonly number[])[];
  /** The distinct key steps used, increasing. */
  readonly keySteps: readonly number[];
  /** Key switches of one evaluation. */
  readonly keySwitches: number;
}

/** Throws INVALID_ARGUMENT unless `base` is an integer in [2, slots]. */
export function checkRotationBase(base: unknown, slots: number, operation: string): asserts base is number {
  if (!isInteger(base) || base < 2 || base > slots) {
    throw new FheError("INVALID_ARGUMENT", operation, `rotationBase must be an integer in [2, ${slots}], got ${describe(base)}`);
  }
}

/**
 * The key steps of a rotation left by `step` on `slots` slots: for each base-`base` digit
 * d_i of step mod slots, d_i times base^i (largest first); [] for a multiple of the slots.
 * Preconditions: base an integer >= 2, slots a power of two, step an integer.
 */
export function decomposeRotation(step: number, base: number, slots: number): number[] {
  let r = ((step % slots) + slots) % slots;
  const parts: number[] = [];
  for (let power = 1; r > 0; power *= base) {
    const digit = r % base;
    for (let k = 0; k < digit; k++) parts.push(power);
    r = (r - digit) / base;
  }
  return parts.reverse();
}

/**
 * Plans a transform of diagonals `indices` (distinct integers in [0, slots)) with `windows`
 * output windows `stride` apart, using only the key steps of `base`: each index is reached from
 * 0 or the earlier index whose difference costs the fewest key switches (ties: the nearest).
 */
export function planComposed(indices: readonly number[], windows: number, stride: number, slots: number, base: number): ComposedPlan {
  const reached = [0];
  const reach: ReachStep[] = [];
  for (const target of [...indices].filter((d) => d !== 0).sort((a, b) => a - b)) {
    let best: ReachStep | undefined;
    for (const from of reached) {
      const steps = decomposeRotation(target - from, base, slots);
      if (best === undefined || steps.length <= best.steps.length) best = { target, from, steps };
    }
    reach.push(best!);
    reached.push(target);
  }
  const windowSteps: number[][] = [];
  for (let t = 1; t < windows; t *= 2) windowSteps.push(decomposeRotation(stride * t, base, slots));
  const all = [...reach.flatMap((r) => r.steps), ...windowSteps.flat()];
  return { base, slots, reach, windows: windowSteps, keySteps: [...new Set(all)].sort((a, b) => a - b), keySwitches: all.length };
}
