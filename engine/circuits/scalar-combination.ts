// Linear combinations of ciphertexts with real plaintext scalars: y_j = Σ_i w_{j,i} · x_i + b_j,
// every slot at once. One scalar product per term (no rotations, no key switching) and one
// rescale per output: the weights are scaled by the primes the rescale drops, so the output
// keeps the inputs' scale. Batch-packed neural networks (one sample per slot) run their dense
// and convolutional layers this way.

import "../ring/dispose-symbols.js";
import { Ciphertext } from "../ciphertext.js";
import { droppedModulus } from "../evaluator/alignment.js";
import { checkCiphertext } from "../evaluator/checks.js";
import { checkConstantFits } from "../evaluator/checks.js";
import { Evaluator } from "../evaluator/evaluator.js";
import type { Parameters } from "../parameters.js";
import { addScalar, mulScalarAdd } from "../ring/arithmetic.js";
import { imaginaryUnit } from "../evaluator/constants.js";
import { describe, FheError, requireArgument } from "../ring/errors.js";
import { applySparse, checkSparseMatrix, EncodedMatrix, linearCombine, type SparseMatrix } from "../ring/linear-combination.js";
import type { RnsPoly } from "../ring/poly.js";
import type { LevelScale } from "./plan.js";

/** Options of {@link combineCiphertexts}. */
export interface CombineOptions {
  /** Rescale each output once (default true): the output then has the inputs' scale, one level lower. */
  readonly rescale?: boolean;
  /**
   * Add each bias b_j to the imaginary parts too, as b_j (1 + i) (default false): for complex
   * batch packing, whose slots carry a second sample in their imaginary parts.
   */
  readonly imaginaryBias?: boolean;
}

/**
 * A real matrix (sparse rows) plus an optional bias, applied to a list of ciphertexts. The
 * integer encodings of the weights are cached per level, so a model encodes each layer once.
 */
export class ScalarLinearMap implements Disposable {
  readonly #encoded = new Map<number, EncodedMatrix>();
  #gain: number | undefined;

  /** Preconditions (checked): a well-formed matrix of finite weights; bias of `rows` finite numbers. */
  constructor(readonly params: Parameters, readonly matrix: SparseMatrix, readonly bias?: Float64Array) {
    checkSparseMatrix(matrix, "create scalar linear map");
    if (bias !== undefined) {
      requireArgument(bias instanceof Float64Array && bias.length === matrix.rows, "create scalar linear map",
        `the bias must be a Float64Array of ${matrix.rows} numbers, got ${describe(bias)}`);
      bias.forEach((b, j) => requireArgument(Number.isFinite(b), "create scalar linear map", `bias ${j} is ${b}: it must be finite`));
    }
  }

  get inputs(): number {
    return this.matrix.cols;
  }

  get outputs(): number {
    return this.matrix.rows;
  }

  /** Largest Σ_i |w_{j,i}| + |b_j| over the rows: how much the map can amplify inputs bounded by 1 (computed once). */
  get gain(): number {
    this.#gain ??= rowGain(this.matrix, this.bias);
    return this.#gain;
  }

  /** The weights encoded for ciphertexts at `level` (≥ 1), cached. */
  encodedAt(level: number): EncodedMatrix {
    let encoded = this.#encoded.get(level);
    if (encoded === undefined) {
      encoded = new EncodedMatrix(this.params.basisQ(level), this.matrix, droppedModulus(this.params, level));
      this.#encoded.set(level, encoded);
    }
    return encoded;
  }

  /** Frees the encoded weights (heap tables); the map re-encodes on its next use. */
  dispose(): void {
    for (const encoded of this.#encoded.values()) encoded.dispose();
    this.#encoded.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Level and scale of the outputs for inputs at `input`, without encrypting anything. */
  plan(input: LevelScale, options: CombineOptions = {}): LevelScale {
    requireArgument(input.level >= 1, "plan scalar combination", "the inputs are at level 0: no prime is left to scale the weights by");
    const factor = Number(droppedModulus(this.params, input.level));
    return options.rescale === false
      ? { level: input.level, scale: input.scale * factor }
      : { level: input.level - 1, scale: input.scale };
  }

  /** The plain twin: y = W x + b on float64 vectors (x has `inputs` entries). */
  apply(x: ArrayLike<number>): Float64Array {
    requireArgument(x.length === this.matrix.cols, "apply scalar linear map", `expected ${this.matrix.cols} inputs, got ${x.length}`);
    return applySparse(this.matrix, this.bias, x);
  }
}

function rowGain(matrix: SparseMatrix, bias: Float64Array | undefined): number {
  const { rows, rowStart, values } = matrix;
  let max = 0;
  for (let j = 0; j < rows; j++) {
    let sum = Math.abs(bias?.[j] ?? 0);
    for (let k = rowStart[j]!; k < rowStart[j + 1]!; k++) sum += Math.abs(values[k]!);
    max = Math.max(max, sum);
  }
  return max;
}

/**
 * y_j = Σ_i w_{j,i} · x_i + b_j for every output row j of `map`, as new ciphertexts (the inputs
 * are untouched). Preconditions (checked): `inputs.length` = map.inputs, all at one level ≥ 1,
 * scale, slot count and degree (1 or 2: the outputs keep the degree, so products can be
 * combined before relinearizing). The weights are scaled by the primes of that level; with
 * `rescale` (default) every output is rescaled once and keeps the inputs' scale.
 */
export function combineCiphertexts(
  evaluator: Evaluator, inputs: readonly Ciphertext[], map: ScalarLinearMap, options: CombineOptions = {},
): Ciphertext[] {
  const operation = "combine ciphertexts";
  if (!(evaluator instanceof Evaluator)) throw new FheError("INVALID_ARGUMENT", operation, `expected an Evaluator, got ${describe(evaluator)}`);
  if (!(map instanceof ScalarLinearMap)) throw new FheError("INVALID_ARGUMENT", operation, `expected a ScalarLinearMap, got ${describe(map)}`);
  if (options === null || typeof options !== "object") throw new FheError("INVALID_ARGUMENT", operation, `options must be an object, got ${describe(options)}`);
  const imaginaryBias = options.imaginaryBias ?? false;
  if (typeof imaginaryBias !== "boolean") throw new FheError("INVALID_ARGUMENT", operation, `options.imaginaryBias must be a boolean, got ${describe(imaginaryBias)}`);
  const params = evaluator.params;
  if (map.params !== params) throw new FheError("MISMATCHED_OPERANDS", operation, "the map was built for other parameters");
  if (!Array.isArray(inputs) || inputs.length !== map.inputs) {
    throw new FheError("INVALID_ARGUMENT", operation, `expected an array of ${map.inputs} ciphertexts, got ${describe(inputs)}`);
  }
  const states = inputs.map((ct) => checkCiphertext(params, ct, operation));
  const first = states[0];
  if (first === undefined) throw new FheError("INVALID_ARGUMENT", operation, "the map has no inputs");
  for (const s of states) {
    if (s.level !== first.level || s.scale !== first.scale || s.slots !== first.slots || s.degree !== first.degree) {
      throw new FheError("MISMATCHED_OPERANDS", operation,
        "every input must have the same level, scale, slot count and degree (align them first)");
    }
  }
  const out = map.plan(first, { rescale: false });
  const encoded = map.encodedAt(first.level);
  checkConstantFits(params, map.gain * out.scale * (imaginaryBias ? Math.SQRT2 : 1), first.level, operation);
  const basis = params.basisQ(first.level);
  const outputs: Ciphertext[] = [];
  try {
    const parts: RnsPoly[][] = [];
    for (let j = 0; j < map.outputs; j++) {
      const polys = Array.from({ length: first.degree + 1 }, () => params.ring.allocate(basis, { ntt: true }));
      parts.push(polys);
      outputs.push(new Ciphertext(params, polys, first.level, out.scale, first.slots));
    }
    for (let p = 0; p <= first.degree; p++) {
      linearCombine(parts.map((polys) => polys[p]!), states.map((s) => s.polys[p]!), encoded);
    }
    if (map.bias !== undefined) {
      const unit = imaginaryBias ? imaginaryUnit(params, basis) : undefined;
      map.bias.forEach((b, j) => {
        const c0 = parts[j]![0]!;
        const constant = BigInt(Math.round(b * first.scale)) * droppedModulus(params, first.level);
        addScalar(c0, c0, constant);
        if (unit !== undefined) mulScalarAdd(c0, unit, constant);
      });
    }
    if (options.rescale !== false) for (const ct of outputs) evaluator.rescaleInPlace(ct);
    return outputs;
  } catch (error) {
    for (const ct of outputs) ct.dispose();
    throw error;
  }
}
