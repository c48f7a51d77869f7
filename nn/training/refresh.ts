// Refreshing the iterates of encrypted training by bootstrapping, so that Nesterov's iterations
// continue past one modulus chain (engine/circuits/bootstrapping).
//
// At a refresh iteration t (plan.ts chooses them), the gradient is computed with kappa / s, which
// gives h' = h_t / s, and one ciphertext per feature group packs both iterates the next
// iteration needs (nesterov.ts packIterates; X = (1 - eta_t) v_t + h_t = (1 - eta_t) w_{t+1}):
//   c = (1 + i) ((1 - eta_t) v_t / s + h') + (eta_t / (s r)) W_t,   W_t = r w_t the stored w_t,
//   Re c = ((1 - eta_t) v_t + h_t + eta_t w_t) / s = v_{t+1} / s,    Im c = X / s.
// The products with v_t and W_t cost nothing (both sit above h's level) and (1 + i) h' is a copy
// multiplied by i (exact). c is dropped to level 0 and bootstrapped as a blockSize-periodic
// vector (the weights are replicated over the blocks: Bootstrapper periodic mode), then split:
// c + conj(c) = 2 Re c and -i (c - conj(c)) = 2 Im c, whose polynomials times the integer s / 2
// (no level) give v_{t+1} and W_{t+1} = X, stored with r = 1 - eta_t.
// s keeps |c| where one bootstrapping is accurate: at bootstrap16 with 32 slots its absolute
// error is ~1e-5 for |c| <= 1/16 and ~7e-5 at 1/4 (README, "Bootstrapping"); it grows with |c|^3.

import { type Ciphertext, ciphertextState } from "../../engine/ciphertext.js";
import { Bootstrapper, type BootstrappingLiteral } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import { mulScalar } from "../../engine/ring/arithmetic.js";
import { describe, FheError, isInteger, isPowerOfTwo } from "../../engine/ring/errors.js";

/** The default s: packed iterates |v|, |w| <= 2 give |c| <= 0.1. */
export const defaultRefreshScaleDown = 32;

/** Bootstraps packed iterates and splits them: the part of a refresh that may run in another thread. */
export interface PackedBootstrap {
  /** Level the split iterates come out at (the bootstrapping's output level). */
  readonly outputLevel: number;
  /** Slots the bootstrapping takes (the training layout's block size). */
  readonly slots: number;
  /** s: a power of two in [2, 2^20]. */
  readonly scaleDown: number;
  /** [2 (s / 2) Re c, 2 (s / 2) Im c] from packed c at level 0 (not disposed), new ciphertexts at outputLevel. */
  split(packed: Ciphertext): Promise<[Ciphertext, Ciphertext]>;
}

/**
 * The shape that refreshes weights packed in blocks of `blockSize` slots: `literal` (a preset's
 * bootstrapping, for example bootstrapPresets.bootstrap16.bootstrapping) on blockSize slots with
 * DFTs of one level each (at N = 2^16 as precise as more levels for 32 slots, and two levels
 * more for the iterations).
 */
export function refreshShape(literal: BootstrappingLiteral, blockSize: number): BootstrappingLiteral {
  return { ...literal, slots: blockSize, coeffsToSlotsLevels: 1, slotsToCoeffsLevels: 1 };
}

/** Checks s (INVALID_ARGUMENT). */
export function checkScaleDown(scaleDown: unknown, operation: string): number {
  if (!isInteger(scaleDown) || !isPowerOfTwo(scaleDown) || scaleDown < 2 || scaleDown > 2 ** 20) {
    throw new FheError("INVALID_ARGUMENT", operation, `the refresh's scaleDown s must be a power of two in [2, 2^20] (values are divided by s before bootstrapping), got ${describe(scaleDown)}`);
  }
  return scaleDown;
}

/** Bootstraps packed c (level 0, periodic with the bootstrapper's slot count) and returns [(s / 2) 2 Re c, (s / 2) 2 Im c]. */
export function splitBootstrapped(bootstrapper: Bootstrapper, packed: Ciphertext, scaleDown: number): [Ciphertext, Ciphertext] {
  const ev = bootstrapper.evaluator;
  using refreshed = bootstrapper.bootstrap(packed, { periodic: true });
  using conjugate = bootstrapper.conjugate(refreshed);
  const real = ev.add(refreshed, conjugate);
  try {
    const imaginary = ev.sub(refreshed, conjugate);
    ev.multiplyByIInPlace(imaginary, -1);
    for (const ct of [real, imaginary]) for (const poly of ciphertextState(ct).polys) mulScalar(poly, poly, scaleDown / 2);
    return [real, imaginary];
  } catch (error) {
    real.dispose();
    throw error;
  }
}

/** A {@link PackedBootstrap} in this thread. Owns neither the bootstrapper nor its keys. */
export class LocalRefresh implements PackedBootstrap {
  readonly outputLevel: number;
  readonly slots: number;
  readonly scaleDown: number;

  constructor(readonly bootstrapper: Bootstrapper, scaleDown: number = defaultRefreshScaleDown) {
    if (!(bootstrapper instanceof Bootstrapper)) throw new FheError("INVALID_ARGUMENT", "create refresh", `expected a Bootstrapper, got ${describe(bootstrapper)}`);
    this.scaleDown = checkScaleDown(scaleDown, "create refresh");
    this.outputLevel = bootstrapper.plan.outputLevel;
    this.slots = bootstrapper.plan.slots;
  }

  async split(packed: Ciphertext): Promise<[Ciphertext, Ciphertext]> {
    return splitBootstrapped(this.bootstrapper, packed, this.scaleDown);
  }
}
