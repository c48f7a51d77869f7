import type { GaloisKeys } from "../keys.js";
import { rotationGaloisElement } from "../ring/automorphism.js";
import { FheError } from "../ring/errors.js";

/** Binary decomposition of r > 0 into powers of two, each multiplied by `sign`. */
function powersOfTwo(r: number, sign: 1 | -1): number[] {
  const parts: number[] = [];
  for (let bit = 1; bit <= r; bit *= 2) if ((r & bit) !== 0) parts.push(sign * bit);
  return parts;
}

/**
 * Plans a rotation by `steps` slots (left for positive) of a vector of `slots` slots as a
 * sequence of rotations whose Galois keys exist: the exact key (either direction), else
 * power-of-two keys (left or right decomposition, the shorter that is complete).
 * Returns [] for a rotation by a multiple of `slots`.
 */
export function planRotation(n: number, keys: GaloisKeys | undefined, steps: number, slots: number): number[] {
  const r = ((steps % slots) + slots) % slots;
  if (r === 0) return [];
  const has = (step: number): boolean => keys?.get(rotationGaloisElement(n, step)) !== undefined;
  if (has(r)) return [r];
  if (has(r - slots)) return [r - slots];
  const candidates = [powersOfTwo(r, 1), powersOfTwo(slots - r, -1)]
    .filter((plan) => plan.every(has))
    .sort((a, b) => a.length - b.length);
  if (candidates[0] !== undefined) return candidates[0];
  const missing = powersOfTwo(r, 1).filter((s) => !has(s));
  throw new FheError("MISMATCHED_OPERANDS", "rotate",
    keys === undefined
      ? "no Galois keys were given to the evaluator"
      : `no Galois key for step ${r} (Galois element ${rotationGaloisElement(n, r)}), and the power-of-two keys for steps ${missing.join(", ")} are missing too`);
}
