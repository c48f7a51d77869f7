// Planning how to move an operand from one scale to another (no crypto: levels and scales
// only), so that automatic alignment is exact to the precision the parameters give, or
// refused with the reason.

import type { Parameters } from "../parameters.js";

/** A way to bring an operand at (level, scale) to a target scale. */
export interface ScaleAdjustment {
  /** Rescales by the level primes first (each divides the scale by q_level exactly). */
  readonly plainRescales: number;
  /** Then, per factor: multiply by it and rescale by q_level (one or two steps). */
  readonly factors: readonly bigint[];
  /** Level after the adjustment: level - plainRescales - factors.length. */
  readonly level: number;
  /** Estimated bits of precision of the adjusted operand (noise and factor rounding). */
  readonly precisionBits: number;
}

/** Product of the primes that rescaling at `level` (>= 1) drops, as a float. */
export function droppedModulusValue(params: Parameters, level: number): number {
  const limbs = params.limbsAt(level);
  return params.qPrimes.slice(limbs - params.primesPerLevel, limbs).reduce((acc, q) => acc * q, 1);
}

/**
 * True when a message of magnitude up to about 1 at `scale` fits the modulus at `level` (the
 * rule products also follow: log2(scale) < log2(Q_level) - 1).
 */
export function scaleFits(params: Parameters, scale: number, level: number): boolean {
  return Math.log2(scale) < params.logModulus(level) - 1;
}

/**
 * Typical noise of a ciphertext in bits (its log2 magnitude in the coefficients): about logN
 * after a rescale, measured at every preset; the precision of a message at scale s is about
 * log2(s) - noiseBits, and never much above logScale - noiseBits.
 */
function noiseBits(params: Parameters): number {
  return params.logN;
}

/** True for a factor a step can multiply by: a finite integer >= 1 (the rounding of target q / s). */
function usableFactor(factor: number): boolean {
  return Number.isFinite(factor) && factor >= 1;
}

/**
 * Factor steps from scale s at level l to target (one step, or two with equal factors), or
 * undefined when a factor rounds to 0 (s far above target: plain rescales must come first)
 * or overflows.
 */
function factorSteps(params: Parameters, l: number, s: number, target: number, steps: 1 | 2): { factors: bigint[]; precision: number } | undefined {
  const q = droppedModulusValue(params, l);
  if (steps === 1) {
    const factor = Math.round((target * q) / s);
    return usableFactor(factor) ? { factors: [BigInt(factor)], precision: Math.log2(2 * factor) } : undefined;
  }
  const next = droppedModulusValue(params, l - 1);
  const first = Math.round(Math.sqrt((target * q * next) / s));
  if (!usableFactor(first)) return undefined;
  const middle = (s * first) / q;
  const second = Math.round((target * next) / middle);
  return usableFactor(second) ? { factors: [BigInt(first), BigInt(second)], precision: Math.log2(2 * Math.min(first, second)) } : undefined;
}

/**
 * The cheapest adjustment (fewest levels) of an operand at (`level`, `scale`) to `target` that
 * loses at most one bit against the precision the lower of the two scales allows (capped at
 * the default scale's), with `target` fitting the modulus at the resulting level; or a
 * sentence saying why there is none.
 *
 * A factor step multiplies by f = round(target * q_l / s) and rescales by q_l: its relative
 * error is at most 1 / (2 f). When f would be small (lowering the scale a lot), plain rescales
 * come first, which lower s exactly, and the last stretch may take two factor steps.
 */
export function planScaleAdjustment(params: Parameters, level: number, scale: number, target: number): ScaleAdjustment | string {
  if (level === 0) return "no level is left to align them";
  const noise = noiseBits(params);
  const required = Math.min(Math.log2(Math.min(scale, target)), params.logScale) - noise - 1;
  let s = scale;
  let best = -Infinity;
  let unfit: number | undefined;
  for (let plain = 0; plain < level; plain++) {
    const l = level - plain;
    for (const steps of [1, 2] as const) {
      if (steps > l) continue;
      const plan = factorSteps(params, l, s, target, steps);
      if (plan === undefined) continue;
      const { factors, precision: rounding } = plan;
      const precision = Math.min(Math.log2(s) - noise, rounding);
      best = Math.max(best, precision);
      if (!(precision >= required)) continue;
      if (!scaleFits(params, target, l - steps)) {
        unfit ??= l - steps;
        continue;
      }
      return { plainRescales: plain, factors, level: l - steps, precisionBits: precision };
    }
    s /= droppedModulusValue(params, l);
  }
  if (unfit !== undefined) {
    return `the scale 2^${Math.log2(target).toFixed(1)} does not fit the ${params.logModulus(unfit).toFixed(0)}-bit modulus at level ${unfit}`;
  }
  return `the ${level} level${level === 1 ? " left is" : "s left are"} not enough to keep the precision (best ${Math.max(0, best).toFixed(0)} bits, ${Math.max(0, Math.ceil(required))} needed)`;
}
