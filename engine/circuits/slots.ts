// Slot building blocks: sums of slots by log-steps, inner products, replication of a slot
// range and masking. Each takes the Evaluator whose keys it uses, returns a new ciphertext and
// leaves its inputs untouched; the *Steps functions list the rotation keys each needs.

import { Ciphertext, ciphertextState } from "../ciphertext.js";
import { Encoder } from "../encoding/encoder.js";
import { droppedModulus } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { signedStep } from "./bsgs.js";
import { nextPowerOfTwo } from "./diagonal-layout.js";
import { readVector } from "./diagonals.js";
import { hoistedSum, hoistedSumStages } from "./hoisted-sum.js";
import { requireRotations, RotationKeys } from "./rotation-keys.js";

/** Which slots {@link sumSlots} adds: slot j receives sum_{i < count} v[j + i stride]. */
export interface SumOptions {
  /** Number of terms, a power of two with count * |stride| <= slots (default slots / |stride|). */
  readonly count?: number;
  /** Distance between the terms (default 1); negative strides sum v[j - i |stride|]. */
  readonly stride?: number;
  /**
   * 2 (default): log2(count) sequential rotations, by keys or compositions of power-of-two keys.
   * A larger power of two r: hoisted stages of r - 1 rotations sharing one decomposition, over
   * Q P throughout (hoisted-sum.ts); needs the exact key of every step of sumSlotsSteps.
   */
  readonly radix?: number;
}

function checkEvaluator(evaluator: unknown, operation: string): asserts evaluator is Evaluator {
  if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", operation, `expected an Evaluator, got ${describe(evaluator)}`);
}

function sumPlan(slots: number, options: SumOptions, operation: string): { count: number; stride: number; radix: number } {
  checkOptions(options, operation);
  const stride = options?.stride ?? 1;
  if (!isInteger(stride) || stride === 0 || Math.abs(stride) > slots) {
    throw new FheError("INVALID_ARGUMENT", operation, `stride must be a non-zero integer in [-${slots}, ${slots}], got ${describe(stride)}`);
  }
  const count = options?.count ?? Math.max(1, 2 ** Math.floor(Math.log2(slots / Math.abs(stride))));
  if (!isInteger(count) || count < 1 || (count & (count - 1)) !== 0 || count * Math.abs(stride) > slots) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `count must be a power of two with count * |stride| <= ${slots} (stride ${stride}), got ${describe(count)}`);
  }
  const radix = options?.radix ?? 2;
  if (!isInteger(radix) || radix < 2 || (radix & (radix - 1)) !== 0 || radix > Math.max(2, slots)) {
    throw new FheError("INVALID_ARGUMENT", operation, `radix must be a power of two in [2, ${Math.max(2, slots)}], got ${describe(radix)}`);
  }
  return { count, stride, radix };
}

/** The rotation steps {@link sumSlots} uses: stride 2^t for 2^t < count at radix 2, else every hoisted stage's m span stride. */
export function sumSlotsSteps(slots: number, options: SumOptions = {}): number[] {
  const { count, stride, radix } = sumPlan(slots, options, "compute rotation steps");
  return hoistedSumStages(count, stride, radix).flat().map((step) => signedStep(step, slots));
}

/**
 * Every slot j receives sum_{i < count} v[(j + i stride) mod slots], in log2(count)
 * rotations. Defaults: all slots (every slot then holds the total); count = n, stride 1 sums
 * groups of n slots (group k's sum in slot k n); stride = n, count = slots / n sums the blocks
 * of a vector of period n (every slot j holds the sum over the slots = j mod n).
 */
export function sumSlots(evaluator: Evaluator, ct: Ciphertext, options: SumOptions = {}): Ciphertext {
  const operation = "sum slots";
  checkEvaluator(evaluator, operation);
  const state = checkCiphertext(evaluator.params, ct, operation, 1);
  const { count, stride, radix } = sumPlan(state.slots, options, operation);
  const stages = hoistedSumStages(count, stride, radix).map((steps) => steps.map((step) => signedStep(step, state.slots)));
  if (radix === 2) {
    // One rotation per stage: sequential rotations, which may compose power-of-two keys.
    const steps = stages.flat();
    requireRotations(evaluator, steps, state.slots, operation);
    return addRotations(evaluator, evaluator.copy(ct), steps);
  }
  const keys = RotationKeys.require(evaluator, stages.flat(), state.slots, operation);
  return hoistedSum(evaluator.params, state, stages, keys);
}

/**
 * ct times the plaintext `values` (one per slot) encoded at the scale of the primes ct's level
 * drops, rescaled: the result is at ct's level - 1 and exactly ct's scale.
 */
export function multiplyPlainRescaled(evaluator: Evaluator, ct: Ciphertext, values: ArrayLike<number>, operation: string): Ciphertext {
  const state = checkCiphertext(evaluator.params, ct, operation, 1);
  if (state.level < 1) throw new FheError("INVALID_ARGUMENT", operation, "the ciphertext is at level 0; this multiplies by a plaintext and rescales, which needs one level");
  const encoder = new Encoder(evaluator.params);
  using plaintext = encoder.encode(values, { level: state.level, scale: Number(droppedModulus(evaluator.params, state.level)), slots: state.slots });
  const result = evaluator.multiplyPlain(ct, plaintext);
  evaluator.rescaleInPlace(result);
  ciphertextState(result).scale = state.scale;
  return result;
}

/** Keeps slots [start, start + count) and zeroes the others (one level: multiply by 0/1, rescale). */
export function mask(evaluator: Evaluator, ct: Ciphertext, range: { readonly start: number; readonly count: number }): Ciphertext {
  const operation = "mask slots";
  checkEvaluator(evaluator, operation);
  const state = checkCiphertext(evaluator.params, ct, operation, 1);
  const { start, count } = range ?? {};
  if (!isInteger(start) || !isInteger(count) || start < 0 || count < 0 || start + count > state.slots) {
    throw new FheError("INVALID_ARGUMENT", operation, `the range needs integers start, count >= 0 with start + count <= ${state.slots}, got ${describe(start)}, ${describe(count)}`);
  }
  const values = new Float64Array(state.slots);
  values.fill(1, start, start + count);
  return multiplyPlainRescaled(evaluator, ct, values, operation);
}

/** The rotation steps {@link replicate} uses for `length` values: -P 2^t for 2^t < slots / P, P = nextPow2(length). */
export function replicateSteps(slots: number, length: number): number[] {
  const period = checkLength(slots, length, "compute rotation steps");
  return sumSlotsSteps(slots, { stride: period, count: slots / period }).map((s) => signedStep(-s, slots));
}

function checkLength(slots: number, length: unknown, operation: string): number {
  if (!isInteger(length) || length < 1 || length > slots) {
    throw new FheError("INVALID_ARGUMENT", operation, `length must be an integer in [1, ${slots}], got ${describe(length)}`);
  }
  return nextPowerOfTwo(length);
}

/**
 * Fills the slots with copies of the first `length`: slot t receives v[t mod P], P =
 * nextPow2(length) (the packing of Diagonals' "replicated" input), in log2(slots / P)
 * rotations. Slots [length, slots) must be zero, or pass `mask: true` to zero them first
 * (one level).
 */
export function replicate(evaluator: Evaluator, ct: Ciphertext, length: number, options: { readonly mask?: boolean } = {}): Ciphertext {
  const operation = "replicate slots";
  checkEvaluator(evaluator, operation);
  checkOptions(options, operation);
  const state = checkCiphertext(evaluator.params, ct, operation, 1);
  const steps = replicateSteps(state.slots, checkLength(state.slots, length, operation));
  requireRotations(evaluator, steps, state.slots, operation);
  const start = options?.mask === true ? mask(evaluator, ct, { start: 0, count: length }) : evaluator.copy(ct);
  return addRotations(evaluator, start, steps);
}

/** result += rot_s(result) for each step in turn (in place; result is disposed on error). */
function addRotations(evaluator: Evaluator, result: Ciphertext, steps: readonly number[]): Ciphertext {
  try {
    for (const step of steps) {
      using rotated = evaluator.rotate(result, step);
      evaluator.addInPlace(result, rotated);
    }
  } catch (error) {
    result.dispose();
    throw error;
  }
  return result;
}

/** The rotation steps {@link innerProduct} uses to sum `count` slots. */
export function innerProductSteps(slots: number, count: number): number[] {
  return sumSlotsSteps(slots, { count });
}

/**
 * sum_{i < count} a_i b_i in slot 0 (and, with count = slots, in every slot), for a
 * ciphertext b (mulRelin: needs the relinearization key) or a plain vector b (zero-padded to
 * the slots; count defaults to nextPow2(b.length)). Consumes one level (one rescale); with a
 * plain b the result keeps a's scale exactly.
 */
export function innerProduct(evaluator: Evaluator, a: Ciphertext, b: Ciphertext | ArrayLike<number>, options: { readonly count?: number } = {}): Ciphertext {
  const operation = "compute inner product";
  checkEvaluator(evaluator, operation);
  checkOptions(options, operation);
  const state = checkCiphertext(evaluator.params, a, operation, 1);
  let count = options?.count;
  let product: Ciphertext;
  if (b instanceof Ciphertext) {
    count ??= state.slots;
    requireRotations(evaluator, innerProductSteps(state.slots, count), state.slots, operation);
    product = evaluator.mulRelin(a, b);
    try {
      evaluator.rescaleInPlace(product);
    } catch (error) {
      product.dispose();
      throw error;
    }
  } else {
    const length = Array.isArray(b) || b instanceof Float64Array ? b.length : 0;
    if (length > state.slots) throw new FheError("INVALID_ARGUMENT", operation, `the plain vector has ${length} values, more than the ${state.slots} slots`);
    const values = readVector(b, length, operation, "the plain vector");
    count ??= nextPowerOfTwo(Math.max(1, values.length));
    requireRotations(evaluator, innerProductSteps(state.slots, count), state.slots, operation);
    const padded = new Float64Array(state.slots);
    padded.set(values);
    product = multiplyPlainRescaled(evaluator, a, padded, operation);
  }
  try {
    return sumSlots(evaluator, product, { count });
  } finally {
    product.dispose();
  }
}
