// The small integer coefficients of a secret key, for the keys that embed it elsewhere
// (sparse-secret encapsulation, ring switching).

import { clone } from "./ring/arithmetic.js";
import { readLimb } from "./ring/crt.js";
import type { RnsPoly } from "./ring/poly.js";
import { toCoefficients } from "./ring/transforms.js";

/**
 * The ternary coefficients (-1, 0, 1) of a secret from its first limb (NTT form over any
 * basis). Precondition: the secret is ternary. The caller zeroes the result after use.
 */
export function ternaryOf(secret: RnsPoly): Int32Array {
  using first = clone(secret, { scoped: true });
  toCoefficients(first);
  const limb = readLimb(first, 0);
  const values = new Int32Array(limb.length);
  for (let i = 0; i < limb.length; i++) values[i] = limb[i] === 0 ? 0 : limb[i] === 1 ? 1 : -1; // q - 1 is -1
  limb.fill(0);
  return values;
}
