// Encrypted evaluation of linear transforms: one decomposition and one set of hoisted baby
// steps per input ciphertext, shared by every transform of that input (applyMany, blocked
// matrices); giant steps and the output windows' log-step sum kept over Q P and divided by P
// once (double hoisting); one rescale per output.

import { Ciphertext, ciphertextState } from "../ciphertext.js";
import { rescaleOperand, sameScale } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { checkOptions, describe, FheError } from "../ring/errors.js";
import { BlockedTransform } from "./blocked.js";
import { GiantSums, HoistedInput } from "./hoisting.js";
import { checkRescale, LinearTransform, productScale } from "./lintrans.js";
import { OffHeapGaloisKeys } from "../off-heap-keys.js";
import { RotationKeys } from "./rotation-keys.js";

/** Options of the apply methods. */
export interface ApplyOptions {
  /** Rescale the result once (default true): it then lands at the input's level - 1 and scale. */
  readonly rescale?: boolean;
}

/** One transform of one input, summed into one output. */
export interface TransformTerm {
  readonly input: number;
  readonly output: number;
  readonly transform: LinearTransform;
}

/**
 * Evaluates {@link LinearTransform}s and {@link BlockedTransform}s with the rotation keys of an
 * {@link Evaluator} (exactly the steps rotationSteps() lists; a missing one is named with the
 * call that creates it). Results are new ciphertexts; inputs are not modified.
 */
export class LinearTransformEvaluator {
  readonly #offHeapKeys: OffHeapGaloisKeys | undefined;

  /**
   * With `options.keys` (OffHeapGaloisKeys of the evaluator's parameters) the Galois keys come
   * from outside the heap, one key in the heap at a time, instead of from the evaluator.
   */
  constructor(readonly evaluator: Evaluator, options: { readonly keys?: OffHeapGaloisKeys } = {}) {
    const operation = "create linear transform evaluator";
    if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", operation, `expected an Evaluator, got ${describe(evaluator)}`);
    checkOptions(options, operation);
    const keys: unknown = options?.keys;
    if (keys !== undefined && !(keys instanceof OffHeapGaloisKeys)) throw new FheError("INVALID_ARGUMENT", operation, `options.keys must be OffHeapGaloisKeys, got ${describe(keys)}`);
    if (keys !== undefined && keys.params !== evaluator.params) throw new FheError("MISMATCHED_OPERANDS", operation, "the off-heap keys use different parameters");
    this.#offHeapKeys = keys;
  }

  /** M x for the ciphertext of x (packed as transform.diagonals.packInput says). */
  apply(ct: Ciphertext, transform: LinearTransform, options: ApplyOptions = {}): Ciphertext {
    return this.run("apply linear transform", [ct], [{ input: 0, output: 0, transform }], 1, options)[0]!;
  }

  /** Several transforms of one ciphertext, sharing its decomposition and baby steps. */
  applyMany(ct: Ciphertext, transforms: readonly LinearTransform[], options: ApplyOptions = {}): Ciphertext[] {
    const operation = "apply linear transforms";
    if (!Array.isArray(transforms) || transforms.length === 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `expected a non-empty array of linear transforms, got ${describe(transforms)}`);
    }
    return this.run(operation, [ct], transforms.map((transform, output) => ({ input: 0, output, transform })), transforms.length, options);
  }

  /**
   * A matrix larger than the slots: inputs[j] holds input block j (blocked.packInputs), the
   * result's ciphertext i output block i (slots 0 .. blocked.outputRows(i) - 1).
   */
  applyBlocked(inputs: readonly Ciphertext[], blocked: BlockedTransform, options: ApplyOptions = {}): Ciphertext[] {
    const operation = "apply blocked transform";
    if (!(blocked instanceof BlockedTransform)) throw new FheError("INVALID_ARGUMENT", operation, `expected a BlockedTransform, got ${describe(blocked)}`);
    if (!Array.isArray(inputs) || inputs.length !== blocked.inputBlocks) {
      throw new FheError("INVALID_ARGUMENT", operation,
        `expected an array of ${blocked.inputBlocks} ciphertexts (one per input block of ${blocked.blockCols} columns), got ${describe(inputs)}`);
    }
    return this.run(operation, inputs, blocked.terms(operation), blocked.outputBlocks, options);
  }

  private run(operation: string, inputs: readonly Ciphertext[], terms: readonly TransformTerm[], outputs: number, options: ApplyOptions): Ciphertext[] {
    checkOptions(options, operation);
    const rescale = checkRescale(options?.rescale, operation);
    const { params } = this.evaluator;
    const states = inputs.map((ct) => checkCiphertext(params, ct, operation, 1));
    const first = states[0]!;
    for (const state of states) {
      if (state.level !== first.level || !sameScale(state.scale, first.scale) || state.slots !== first.slots) {
        throw new FheError("MISMATCHED_OPERANDS", operation, "the input ciphertexts must share their level, scale and slot count");
      }
    }
    for (const { transform } of terms) {
      if (!(transform instanceof LinearTransform)) throw new FheError("INVALID_ARGUMENT", operation, `expected a LinearTransform, got ${describe(transform)}`);
      if (transform.params !== params) throw new FheError("MISMATCHED_OPERANDS", operation, "the linear transform uses different parameters");
      if (transform.slots !== first.slots) {
        throw new FheError("MISMATCHED_OPERANDS", operation,
          `the transform is for inputs of ${transform.slots} slots, the ciphertext packs ${first.slots}; encode the input with slots: ${transform.slots}`);
      }
    }
    const product = productScale(params, first.level, first.scale, operation);
    const encoded = terms.map(({ transform }) => transform.encodedAt(first.level, operation));
    const steps = new Set(terms.flatMap(({ transform }) => transform.rotationSteps()));
    const sortedSteps = [...steps].sort((a, b) => a - b);
    const keys = this.#offHeapKeys === undefined
      ? RotationKeys.require(this.evaluator, sortedSteps, first.slots, operation)
      : this.#offHeapKeys.streamed(sortedSteps, first.slots, operation);

    const sums = Array.from({ length: outputs }, () => new GiantSums(params, first.level));
    const results: Ciphertext[] = [];
    try {
      states.forEach((state, j) => {
        const mine = terms.map((term, t) => ({ term, encoded: encoded[t]! })).filter(({ term }) => term.input === j);
        const babies = [...new Set(mine.flatMap(({ term }) => term.transform.bsgs.babies))];
        using hoisted = HoistedInput.create(params, state, babies, keys);
        for (const { term, encoded: level } of mine) sums[term.output]!.add(level, hoisted);
      });
      sums.forEach((sum, i) => {
        const transform = terms.find((term) => term.output === i)!.transform;
        const { windows, stride } = transform.diagonals;
        const ct = new Ciphertext(params, sum.combine(keys, windows, stride), first.level, product, first.slots);
        results.push(ct);
        if (rescale) {
          const state = ciphertextState(ct);
          rescaleOperand(params, state, operation);
          state.scale = first.scale; // exactly: the diagonals carry the primes the rescale drops
        }
      });
    } catch (error) {
      for (const ct of results) ct.dispose();
      throw error;
    } finally {
      for (const sum of sums) sum.dispose();
      keys.release();
    }
    return results;
  }
}
