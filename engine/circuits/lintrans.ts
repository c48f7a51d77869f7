// A linear transform ready for encrypted evaluation: its diagonals, their baby-step giant-step
// split, the rotation keys it needs, and the diagonals encoded once per level (cached).

import "../ring/dispose-symbols.js";
import { Encoder, type ComplexVector } from "../encoding/encoder.js";
import { droppedModulus } from "../evaluator/alignment.js";
import { scaleFits } from "../evaluator/scale-adjustment.js";
import { checkParameters, type Parameters } from "../parameters.js";
import { checkOptions, describe, FheError, isInteger } from "../ring/errors.js";
import { OffHeapPoly } from "../ring/off-heap.js";
import type { RnsPoly } from "../ring/poly.js";
import { galoisKeyBytes, planBsgs, transformSteps, type BsgsPlan, type KeyBytesOptions } from "./bsgs.js";
import type { MatrixShape } from "./diagonal-layout.js";
import { denseRotations, Diagonals } from "./diagonals.js";
import { liftToQP } from "./qp-plaintext.js";

/** Options of a {@link LinearTransform}. */
export interface LinearTransformOptions {
  /** Baby step of the BSGS split (default: the diagonals' shape's, else the cheapest power of two). */
  readonly babyStep?: number;
}

/** A matrix shape for the static key queries; `slots` defaults to the parameters' N/2. */
export type TransformShape = Omit<MatrixShape, "slots"> & { readonly slots?: number };

/** One product of a giant step: baby step b and the diagonal g + b rotated by -g. */
export interface EncodedTerm {
  readonly baby: number;
  /** Over Q at the level for b = 0 (it multiplies the input itself), over Q P otherwise. */
  readonly poly: RnsPoly;
}

/** @internal The diagonals encoded at one level, by giant step. */
export interface EncodedLevel {
  readonly level: number;
  /** The scale of every diagonal: the primes the level's rescale drops. */
  readonly scale: number;
  readonly giants: ReadonlyMap<number, readonly EncodedTerm[]>;
}

/**
 * The encrypted form of {@link Diagonals}: y = sum_g rot_g(sum_b diag'_{g+b} * rot_b(x)) with
 * diag'_d = rot_{-g}(diag_d) (pre-rotated, so each giant's partial sum is rotated once), then
 * the diagonals' output windows summed by log-steps. Diagonals are encoded at the level of the
 * input (on first use, or with {@link encode}) at scale q_level, the primes that level's
 * rescale drops, so the product rescaled once lands exactly on the input's scale. Owns the
 * encoded diagonals: dispose() frees them (otherwise reclaimed after garbage collection).
 */
export class LinearTransform implements Disposable {
  readonly bsgs: BsgsPlan;
  readonly #encoded = new Map<number, EncodedLevel>();
  /** Encoded levels moved out of the heap by {@link moveOutOfHeap}, restored on next use. */
  readonly #offHeap = new Map<number, OffHeapLevel>();
  readonly #encoder: Encoder;
  #disposed = false;

  constructor(readonly params: Parameters, readonly diagonals: Diagonals, options: LinearTransformOptions = {}) {
    const operation = "create linear transform";
    checkParameters(params, operation);
    checkOptions(options, operation);
    if (!(diagonals instanceof Diagonals)) throw new FheError("INVALID_ARGUMENT", operation, `expected Diagonals, got ${describe(diagonals)}`);
    if (diagonals.slots > params.maxSlots) {
      throw new FheError("INVALID_ARGUMENT", operation, `the diagonals pack ${diagonals.slots} slots, more than the ${params.maxSlots} these parameters have`);
    }
    this.bsgs = planBsgs(diagonals.indices, diagonals.slots, options?.babyStep ?? diagonals.babyStep, operation);
    this.#encoder = new Encoder(params);
  }

  get slots(): number {
    return this.diagonals.slots;
  }

  /**
   * Exactly the rotation steps the evaluation uses (non-zero baby and giant steps, then the
   * log-steps of the output windows), each once, increasing: pass them to
   * keyGenerator.createGaloisKeys({ steps }).
   */
  rotationSteps(): number[] {
    return transformSteps(this.bsgs, this.diagonals.windows, this.diagonals.stride);
  }

  /** Key switches one evaluation performs: its non-zero baby and giant steps and the window sums. */
  keySwitches(): number {
    return keySwitchCount([this.bsgs.babies], [[...this.bsgs.giants.keys()]], this.diagonals.windows);
  }

  /** Serialized bytes of the Galois keys of {@link rotationSteps} (seeded form unless `seeded: false`). */
  keyBytes(options: KeyBytesOptions = {}): number {
    checkOptions(options, "compute key size");
    return galoisKeyBytes(this.params, this.rotationSteps().length, options);
  }

  /**
   * The rotation steps of a dense matrix of this shape, before any matrix or encoding exists
   * (the same as rotationSteps() of its transform; a matrix with zero diagonals needs a subset
   * of them, or fewer with its own cheaper layout: ask its transform).
   */
  static rotationSteps(params: Parameters, shape: TransformShape): number[] {
    const operation = "compute rotation steps";
    checkParameters(params, operation);
    const full = { ...shape, slots: shape?.slots ?? params.maxSlots };
    const { layout, rotations, babyStep } = denseRotations(full, operation);
    return transformSteps(planBsgs(rotations, full.slots, babyStep, operation), layout.windows, layout.stride);
  }

  /** Serialized bytes of the Galois keys of {@link LinearTransform.rotationSteps}(params, shape). */
  static keyBytes(params: Parameters, shape: TransformShape, options: KeyBytesOptions = {}): number {
    checkOptions(options, "compute key size");
    return galoisKeyBytes(params, LinearTransform.rotationSteps(params, shape).length, options);
  }

  /**
   * The prediction of one evaluation on an input at `input.level` and `input.scale`, without
   * encrypting anything (the shape of engine/circuits/plan.ts's Plan); the evaluation lands
   * exactly there. Throws as apply would for a level or scale it cannot take.
   */
  plan(input: { readonly level: number; readonly scale: number }, options: { readonly rescale?: boolean } = {}): TransformPlan {
    return transformPlan(this.params, input, this.keySwitches(), options, "plan linear transform");
  }

  /** Encodes the diagonals at `level` (>= 1) now, if not done yet (apply does it on demand). */
  encode(level: number): void {
    this.encodedAt(level, "encode linear transform");
  }

  /** Levels at which the diagonals are currently encoded, increasing. */
  get encodedLevels(): number[] {
    return [...this.#encoded.keys(), ...this.#offHeap.keys()].sort((a, b) => a - b);
  }

  /** @internal The diagonals encoded at `level`, encoding them on first use. */
  encodedAt(level: number, operation: string): EncodedLevel {
    this.checkLive(operation);
    checkTransformLevel(this.params, level, operation);
    let encoded = this.#encoded.get(level);
    if (encoded === undefined) {
      const stored = this.#offHeap.get(level);
      encoded = stored === undefined ? this.encodeLevel(level, operation) : restoreLevel(stored);
      this.#encoded.set(level, encoded);
      this.#offHeap.delete(level);
    }
    return encoded;
  }

  /**
   * Moves the encoded diagonals out of the WebAssembly heap into JS memory (a copy; the heap
   * blocks are freed); the next evaluation at a level copies them back. For transforms too
   * large to keep resident (bootstrapping at N = 2^16).
   */
  moveOutOfHeap(): void {
    this.checkLive("move linear transform out of the heap");
    for (const [level, encoded] of this.#encoded) {
      this.#offHeap.set(level, storeLevel(encoded));
      disposeLevel(encoded);
    }
    this.#encoded.clear();
  }

  /** Throws DISPOSED after dispose(). */
  checkLive(operation: string): void {
    if (this.#disposed) throw new FheError("DISPOSED", operation, "the linear transform was disposed");
  }

  dispose(): void {
    this.#disposed = true;
    for (const encoded of this.#encoded.values()) disposeLevel(encoded);
    this.#encoded.clear();
    this.#offHeap.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private encodeLevel(level: number, operation: string): EncodedLevel {
    const scale = Number(droppedModulus(this.params, level));
    const { slots } = this;
    const giants = new Map<number, EncodedTerm[]>();
    const encoded: EncodedLevel = { level, scale, giants };
    try {
      for (const [g, babies] of this.bsgs.giants) {
        const terms: EncodedTerm[] = [];
        giants.set(g, terms);
        for (const baby of babies) {
          const rotate = (diagonal: Float64Array): Float64Array => diagonal.map((_, s) => diagonal[(s - g + slots) % slots]!);
          const re = rotate(this.diagonals.values(g + baby)!);
          const imaginary = this.diagonals.imaginary(g + baby);
          const im = imaginary === undefined ? new Float64Array(slots) : rotate(imaginary);
          terms.push({ baby, poly: this.encodeDiagonal({ re, im }, level, scale, baby !== 0, g + baby, operation) });
        }
      }
    } catch (error) {
      disposeLevel(encoded);
      throw error;
    }
    return encoded;
  }

  private encodeDiagonal(values: ComplexVector, level: number, scale: number, overQP: boolean, index: number, operation: string): RnsPoly {
    let plaintext;
    try {
      plaintext = this.#encoder.encodeComplex(values, { level, scale, slots: this.slots });
    } catch (error) {
      if (!(error instanceof FheError)) throw error;
      throw new FheError(error.code, operation, `diagonal ${index} cannot be encoded at level ${level}: ${error.reason}`);
    }
    if (!overQP) return plaintext.poly;
    try {
      return liftToQP(this.params, plaintext.poly, level);
    } finally {
      plaintext.dispose();
    }
  }
}

/** An encoded level outside the heap. */
interface OffHeapLevel {
  readonly level: number;
  readonly scale: number;
  readonly giants: ReadonlyMap<number, readonly { readonly baby: number; readonly poly: OffHeapPoly }[]>;
}

function storeLevel(encoded: EncodedLevel): OffHeapLevel {
  const giants = new Map([...encoded.giants].map(([g, terms]) => [g, terms.map(({ baby, poly }) => ({ baby, poly: OffHeapPoly.of(poly) }))]));
  return { level: encoded.level, scale: encoded.scale, giants };
}

function restoreLevel(stored: OffHeapLevel): EncodedLevel {
  const giants = new Map<number, EncodedTerm[]>();
  const restored: EncodedLevel = { level: stored.level, scale: stored.scale, giants };
  try {
    for (const [g, terms] of stored.giants) {
      const list: EncodedTerm[] = [];
      giants.set(g, list);
      for (const { baby, poly } of terms) list.push({ baby, poly: poly.restore() });
    }
  } catch (error) {
    disposeLevel(restored);
    throw error;
  }
  return restored;
}

function disposeLevel(encoded: EncodedLevel): void {
  for (const terms of encoded.giants.values()) for (const term of terms) term.poly.dispose();
}

/**
 * Key switches of an evaluation: per input ciphertext its non-zero baby steps (`babies[j]`), per
 * output its non-zero giant steps (`giants[i]`) and log2(windows) window sums.
 */
export function keySwitchCount(babies: readonly (readonly number[])[], giants: readonly (readonly number[])[], windows: number): number {
  const nonZero = (steps: readonly number[]): number => new Set(steps.filter((s) => s !== 0)).size;
  return babies.reduce((sum, b) => sum + nonZero(b), 0) + giants.reduce((sum, g) => sum + nonZero(g) + Math.log2(windows), 0);
}

/** Throws unless a transform can take an input at `level`: an integer in [1, maxLevel]. */
function checkTransformLevel(params: Parameters, level: unknown, operation: string): asserts level is number {
  if (!isInteger(level) || level < 1 || level > params.maxLevel) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `a linear transform needs an input at a level in [1, ${params.maxLevel}] (it multiplies by plaintexts at the scale of the level's primes and rescales once), got level ${describe(level)}`);
  }
}

/**
 * @internal The scale of a transform's products for an input at `level` and `scale`: scale
 * times q_level, checked to fit the modulus at that level.
 */
export function productScale(params: Parameters, level: number, scale: number, operation: string): number {
  checkTransformLevel(params, level, operation);
  if (typeof scale !== "number" || !(scale >= 1 && scale < Infinity)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the input scale must be a finite number >= 1, got ${describe(scale)}`);
  }
  const product = scale * Number(droppedModulus(params, level));
  if (!scaleFits(params, product, level)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `the product's scale 2^${Math.log2(product).toFixed(1)} would overflow the ${params.logModulus(level).toFixed(0)}-bit modulus at level ${level}; rescale the input first`);
  }
  return product;
}

/** What one evaluation of a transform does (the shape of engine/circuits/plan.ts's Plan). */
export interface TransformPlan {
  readonly input: { readonly level: number; readonly scale: number };
  readonly output: { readonly level: number; readonly scale: number };
  /** 1, or 0 with rescale: false. */
  readonly levelsUsed: number;
  /** Always 0: only plaintext products. */
  readonly nonScalarProducts: number;
  /** Every key switch is a rotation: baby and giant steps and window sums. */
  readonly keySwitches: number;
  readonly rotations: number;
}

/** @internal The plan of a transform with `keySwitches` key switches (see LinearTransform.plan). */
export function transformPlan(
  params: Parameters, input: { readonly level: number; readonly scale: number }, keySwitches: number, options: { readonly rescale?: boolean }, operation: string,
): TransformPlan {
  if (input === null || typeof input !== "object") throw new FheError("INVALID_ARGUMENT", operation, `expected { level, scale }, got ${describe(input)}`);
  checkOptions(options, operation);
  const rescale = checkRescale(options?.rescale, operation);
  const { level, scale } = input;
  const product = productScale(params, level, scale, operation);
  return Object.freeze({
    input: Object.freeze({ level, scale }),
    output: Object.freeze(rescale ? { level: level - 1, scale } : { level, scale: product }),
    levelsUsed: rescale ? 1 : 0,
    nonScalarProducts: 0,
    keySwitches,
    rotations: keySwitches,
  });
}

/** The rescale option (default true), checked to be a boolean. */
export function checkRescale(rescale: unknown, operation: string): boolean {
  if (rescale !== undefined && typeof rescale !== "boolean") {
    throw new FheError("INVALID_ARGUMENT", operation, `rescale must be a boolean, got ${describe(rescale)}`);
  }
  return rescale !== false;
}
