// Encrypted evaluation of a linear transform with composed rotations (composed-rotations.ts):
// every diagonal's rotation of the input is an ordinary rotation (one key switch per key step,
// no hoisting), reached from an earlier one; the products are summed over Q, rescaled once, and
// the output windows summed by log-steps one level lower. Needs only the Galois keys of the
// plan's key steps.

import { Ciphertext, ciphertextState } from "../ciphertext.js";
import { rescaleOperand } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import type { Evaluator } from "../evaluator/evaluator.js";
import { FheError } from "../ring/errors.js";
import { mulCoeffsAdd } from "../ring/arithmetic.js";
import { RnsPoly } from "../ring/poly.js";
import type { ComposedPlan } from "./composed-rotations.js";
import { productScale, type LinearTransform } from "./lintrans.js";

/** Rotates `ct` by the key steps in turn (each an exact Galois key): a new ciphertext. */
export function rotateBySteps(evaluator: Evaluator, ct: Ciphertext, steps: readonly number[]): Ciphertext {
  const out = evaluator.copy(ct);
  try {
    for (const step of steps) evaluator.rotateInPlace(out, step);
  } catch (error) {
    out.dispose();
    throw error;
  }
  return out;
}

/**
 * M x, rescaled once (the result lands at the input's level - 1 and scale), for the ciphertext of
 * x. Preconditions (INVALID_ARGUMENT otherwise): `transform` has one giant step (baby step >= the
 * largest index: every diagonal a baby step) and `plan` was made for its diagonals. Throws
 * MISSING_KEY when the evaluator lacks a key step's Galois key.
 */
export function applyComposed(evaluator: Evaluator, ct: Ciphertext, transform: LinearTransform, plan: ComposedPlan): Ciphertext {
  const operation = "apply linear transform";
  const { params } = evaluator;
  const state = checkCiphertext(params, ct, operation, 1);
  const terms = transform.bsgs.giants.get(0);
  if (transform.bsgs.giants.size !== 1 || terms === undefined || terms.filter((b) => b !== 0).length !== plan.reach.length) {
    throw new FheError("INVALID_ARGUMENT", operation, "composed rotations need a transform with one giant step (babyStep >= slots) and the plan of its diagonals");
  }
  const product = productScale(params, state.level, state.scale, operation);
  const encoded = transform.encodedAt(state.level, operation).giants.get(0)!;
  const qBasis = params.basisQ(state.level);
  const { ring } = params;
  const acc = [ring.zero(qBasis, { ntt: true }), ring.zero(qBasis, { ntt: true })];
  const rotated = new Map<number, Ciphertext>();
  const addProduct = (baby: number, x: Ciphertext): void => {
    const poly = encoded.find((term) => term.baby === baby)!.poly;
    using diagonal = RnsPoly.prefixView(poly, qBasis);
    const polys = ciphertextState(x).polys;
    for (let i = 0; i < 2; i++) mulCoeffsAdd(acc[i]!, diagonal, polys[i]!);
  };
  try {
    if (encoded[0]?.baby === 0) addProduct(0, ct);
    for (const { target, from, steps } of plan.reach) {
      const x = rotateBySteps(evaluator, from === 0 ? ct : rotated.get(from)!, steps);
      rotated.set(target, x);
      addProduct(target, x);
    }
  } catch (error) {
    for (const poly of acc) poly.dispose();
    throw error;
  } finally {
    for (const x of rotated.values()) x.dispose();
  }
  const y = new Ciphertext(params, acc, state.level, product, state.slots);
  try {
    const out = ciphertextState(y);
    rescaleOperand(params, out, operation);
    out.scale = state.scale; // exactly: the diagonals carry the primes the rescale drops
    for (const steps of plan.windows) {
      using shifted = rotateBySteps(evaluator, y, steps);
      evaluator.addInPlace(y, shifted);
    }
  } catch (error) {
    y.dispose();
    throw error;
  }
  return y;
}
