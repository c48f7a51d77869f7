// The evaluator's key-switched operations: relinearization and Galois automorphisms
// (rotations, conjugation), on top of engine/key-switching.ts.

import type { CiphertextState } from "../ciphertext.js";
import { decompose, switchKey } from "../key-switching.js";
import type { GaloisKeys, SwitchingKey } from "../keys.js";
import type { Parameters } from "../parameters.js";
import { add } from "../ring/arithmetic.js";
import { automorphism } from "../ring/automorphism.js";
import { FheError } from "../ring/errors.js";
import type { RnsPoly } from "../ring/poly.js";
import { checkKeyLive } from "./checks.js";

/** (c0 + u0, c1 + u1) in place, where (u0, u1) switches c2 from s^2 to s. Precondition: degree 2. */
export function relinearizeWith(params: Parameters, key: SwitchingKey, ct: CiphertextState): void {
  const c2 = ct.polys[2]!;
  const digits = decompose(params, c2, ct.level);
  try {
    const [u0, u1] = switchKey(params, digits, key, ct.level);
    try {
      add(ct.polys[0]!, ct.polys[0]!, u0);
      add(ct.polys[1]!, ct.polys[1]!, u1);
    } finally {
      u0.dispose();
      u1.dispose();
    }
  } finally {
    for (const digit of digits) digit.dispose();
  }
  c2.dispose();
  ct.polys = ct.polys.slice(0, 2);
}

/**
 * The live Galois key for `element`, or a MISSING_KEY error naming the element and `create`,
 * the keyGenerator.createGaloisKeys(...) call that provides it.
 */
export function galoisKeyFor(keys: GaloisKeys | undefined, element: number, operation: string, create: string): SwitchingKey {
  const key = keys?.get(element);
  if (key === undefined) {
    throw new FheError("MISSING_KEY", operation,
      `no Galois key for Galois element ${element}: create it with keyGenerator.createGaloisKeys(${create}) and pass the keys to the Evaluator`);
  }
  checkKeyLive(key, operation);
  return key;
}

/**
 * (phi_k(c0 + u0), phi_k(u1)) where (u0, u1) switches c1 (as `digits`) from s to s(X^(k^-1)):
 * fresh polynomials, not a ciphertext, so that in-place rotations never leave a second object
 * owning the polynomials they install (tidy would dispose that temporary).
 */
export function rotatedFromDigits(
  params: Parameters, ct: CiphertextState, digits: readonly RnsPoly[], key: SwitchingKey, element: number,
): RnsPoly[] {
  const [k0, k1] = switchKey(params, digits, key, ct.level);
  try {
    add(k0, k0, ct.polys[0]!);
    const r0 = params.ring.allocate(k0.basis, { ntt: true });
    const r1 = params.ring.allocate(k0.basis, { ntt: true });
    automorphism(r0, k0, element);
    automorphism(r1, k1, element);
    return [r0, r1];
  } finally {
    k0.dispose();
    k1.dispose();
  }
}

/** Applies X -> X^element to a degree-1 ciphertext in place, with its Galois key. */
export function applyGalois(params: Parameters, key: SwitchingKey, ct: CiphertextState, element: number): void {
  const digits = decompose(params, ct.polys[1]!, ct.level);
  let rotated: RnsPoly[];
  try {
    rotated = rotatedFromDigits(params, ct, digits, key, element);
  } finally {
    for (const digit of digits) digit.dispose();
  }
  for (const poly of ct.polys) poly.dispose();
  ct.polys = rotated;
  ct.seed = undefined;
}
