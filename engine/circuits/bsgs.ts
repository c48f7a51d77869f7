// Baby-step giant-step split of a set of diagonal rotations, the rotation steps (Galois keys) a
// linear transform needs, their serialized size, and the cost model that chooses between
// layouts. Pure: no encryption, no memory.

import type { Parameters } from "../parameters.js";
import { describe, FheError, isInteger } from "../ring/errors.js";

/**
 * Relative costs in full rotations at the input level (one key switch with its ModDown),
 * measured at N = 2^14: a baby step is a hoisted key switch kept over Q P (no ModDown), a
 * giant step a lazy key switch after one ModDown, a product a plaintext multiply-add over Q P
 * (64-bit accumulation), a window sum a rotation one level lower (after the rescale).
 */
export const stepCosts = Object.freeze({ rotation: 0.85, giant: 1, baby: 0.3, decomposition: 0.45, product: 0.05 });

/**
 * The baby-step giant-step split of diagonal rotations `indices` (in [0, slots)): index
 * d = g + b with g = floor(d / babyStep) babyStep (giant step) and b = d - g (baby step). The
 * input is rotated once per baby step (hoisted), each giant's partial sum once by g.
 */
export interface BsgsPlan {
  readonly slots: number;
  readonly babyStep: number;
  /** Baby steps b in increasing order (0 included when some index is a multiple of babyStep). */
  readonly babies: readonly number[];
  /** Giant step g -> the baby steps b with g + b an index, increasing. */
  readonly giants: ReadonlyMap<number, readonly number[]>;
}

function split(indices: readonly number[], slots: number, babyStep: number): BsgsPlan {
  const giants = new Map<number, number[]>();
  const babies = new Set<number>();
  for (const d of [...indices].sort((a, b) => a - b)) {
    const g = Math.floor(d / babyStep) * babyStep;
    const list = giants.get(g) ?? [];
    list.push(d - g);
    giants.set(g, list);
    babies.add(d - g);
  }
  return { slots, babyStep, babies: [...babies].sort((a, b) => a - b), giants };
}

/** Estimated cost of a plan in full rotations (see {@link stepCosts}), products excluded. */
export function bsgsCost(plan: BsgsPlan): number {
  const babies = plan.babies.filter((b) => b !== 0).length;
  const giants = [...plan.giants.keys()].filter((g) => g !== 0).length;
  return (babies > 0 ? stepCosts.decomposition + babies * stepCosts.baby : 0) + giants * stepCosts.giant;
}

/**
 * Splits `indices` (distinct integers in [0, slots)) with the given baby step, or with the
 * power of two that minimises {@link bsgsCost} (ties: the smaller baby step).
 */
export function planBsgs(indices: readonly number[], slots: number, babyStep?: number, operation = "plan linear transform"): BsgsPlan {
  if (babyStep !== undefined) {
    if (!isInteger(babyStep) || babyStep < 1 || babyStep > slots) {
      throw new FheError("INVALID_ARGUMENT", operation, `babyStep must be an integer in [1, ${slots}], got ${describe(babyStep)}`);
    }
    return split(indices, slots, babyStep);
  }
  let best: BsgsPlan | undefined;
  for (let step = 1; step <= slots; step *= 2) {
    const plan = split(indices, slots, step);
    if (best === undefined || bsgsCost(plan) < bsgsCost(best)) best = plan;
  }
  return best!;
}

/** A rotation by `step` on `slots` slots as the equivalent step in (-slots/2, slots/2]. */
export function signedStep(step: number, slots: number): number {
  const r = ((step % slots) + slots) % slots;
  return r > slots / 2 ? r - slots : r;
}

/**
 * The rotation steps of a transform: its non-zero baby and giant steps and, when it sums
 * `windows` > 1 output windows, the log-steps stride * 2^t for 2^t < windows. Each step once (as
 * a signed step, see {@link signedStep}), in increasing order; none is a multiple of the slots.
 */
export function transformSteps(plan: BsgsPlan, windows: number, stride: number): number[] {
  const { slots } = plan;
  const steps = new Set<number>();
  for (const b of plan.babies) steps.add(signedStep(b, slots));
  for (const g of plan.giants.keys()) steps.add(signedStep(g, slots));
  for (let t = 1; t < windows; t *= 2) steps.add(signedStep(stride * t, slots));
  steps.delete(0);
  return [...steps].sort((a, b) => a - b);
}

/** Options for {@link galoisKeyBytes}. */
export interface KeyBytesOptions {
  /** Size of the seeded form (uniform parts as 32-byte seeds, the default) or of the full form. */
  readonly seeded?: boolean;
}

/**
 * Bytes of serializeGaloisKeys for Galois keys of `count` distinct rotations (engine/
 * serialization): header (16 bytes), key count (2), per key its element (4), digit count (2),
 * seed (32) and per digit b (and a in full form) over Q P at the top level, CRC-32 (4).
 */
export function galoisKeyBytes(params: Parameters, count: number, options: KeyBytesOptions = {}): number {
  const polyBytes = 4 * params.n * (params.qPrimes.length + params.pPrimes.length);
  const perKey = 4 + 2 + 32 + params.digits * polyBytes * (options?.seeded === false ? 2 : 1);
  return 16 + 2 + count * perKey + 4;
}
