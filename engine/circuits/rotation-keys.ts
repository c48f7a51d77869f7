// The Galois keys a circuit needs, checked all at once before anything is computed, so that a
// missing key is reported with every step to create.

import type { Evaluator } from "../evaluator/evaluator.js";
import { evaluatorGaloisKeys } from "../evaluator/evaluator.js";
import { galoisKeyFor } from "../evaluator/key-switched.js";
import { keysByRotation, planRotation } from "../evaluator/rotation-plan.js";
import type { SwitchingKey } from "../keys.js";
import { FheError } from "../ring/errors.js";

function missingKeyError(operation: string, missing: readonly number[], needed: number, how: string): FheError {
  return new FheError("MISSING_KEY", operation,
    `no Galois key for rotation step${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (of the ${needed} this needs; ${how}): ` +
    `create them with keyGenerator.createGaloisKeys({ steps: [${missing.join(", ")}] }) and pass them to the Evaluator`);
}

/** Where a circuit takes the Galois key of each rotation step from, at the moment it is used. */
export interface RotationKeySource {
  /** The Galois element and key of a rotation by `step` (one of the required steps, not 0 mod slots). */
  get(step: number): { element: number; key: SwitchingKey };
  /** Frees whatever the source loaded for the circuit (called once the circuit is done). */
  release(): void;
}

/** Exact Galois keys for rotations of `slots` slots, by rotation step. */
export class RotationKeys implements RotationKeySource {
  private constructor(
    private readonly elements: ReadonlyMap<number, number>,
    private readonly keys: ReadonlyMap<number, SwitchingKey>,
    readonly slots: number,
  ) {}

  /**
   * The evaluator's keys for exactly these steps (hoisted rotations cannot compose keys), or a
   * MISSING_KEY error listing every step without one.
   */
  static require(evaluator: Evaluator, steps: readonly number[], slots: number, operation: string): RotationKeys {
    const galoisKeys = evaluatorGaloisKeys(evaluator);
    const byRotation = keysByRotation(evaluator.params.n, galoisKeys, slots);
    const residue = (step: number): number => ((step % slots) + slots) % slots;
    const missing = steps.filter((s) => residue(s) !== 0 && !byRotation.has(residue(s)));
    if (missing.length > 0) throw missingKeyError(operation, missing, steps.length, "hoisted rotations need the exact keys");
    const keys = new Map<number, SwitchingKey>();
    for (const s of steps) {
      const element = byRotation.get(residue(s));
      if (element !== undefined) keys.set(residue(s), galoisKeyFor(galoisKeys, element, operation, `{ steps: [${s}] }`));
    }
    return new RotationKeys(byRotation, keys, slots);
  }

  /** The Galois element and key of a rotation by `step` (one of the required steps, not 0 mod slots). */
  get(step: number): { element: number; key: SwitchingKey } {
    const r = ((step % this.slots) + this.slots) % this.slots;
    return { element: this.elements.get(r)!, key: this.keys.get(r)! };
  }

  /** Nothing to free: the keys belong to the evaluator. */
  release(): void {}
}

/**
 * Throws a MISSING_KEY error listing every step that evaluator.rotate cannot perform with the
 * evaluator's keys (neither an exact key nor a composition of power-of-two keys).
 */
export function requireRotations(evaluator: Evaluator, steps: readonly number[], slots: number, operation: string): void {
  const galoisKeys = evaluatorGaloisKeys(evaluator);
  const missing = steps.filter((step) => {
    try {
      planRotation(evaluator.params.n, galoisKeys, step, slots);
      return false;
    } catch (error) {
      if (error instanceof FheError && error.code === "MISSING_KEY") return true;
      throw error;
    }
  });
  if (missing.length > 0) throw missingKeyError(operation, missing, steps.length, "or the power-of-two keys that compose them");
}
