// The planner of encrypted training: how many iterations a parameter set's depth holds, the
// level of every iterate, the rotation keys and the key switches, computed without encrypting.
//
// Levels: the first iteration starts from v_0 = 0, where every inner product is 0, so its
// gradient is p(0) sum_i z_i: sums, rotations and one scalar product (1 level). Every later
// iteration costs 4: z ⊙ v (1), the degree-3 sigmoid with the block mask and the step folded
// into its plaintext coefficients (2), the product with z (1). The momentum update multiplies
// operands that sit at least one level above the gradient by scalars, so it costs none.
//
// With a refresh (refresh.ts: a bootstrapping of output level L), the data is encrypted at L
// and the iterates are bootstrapped back to L after every iteration whose gradient lands below
// level 4 (the next one could not run): at L = 12, after t = 2, 5, 8, .. (gradients at 11, 7, 3,
// then 8, 4, 0 in every cycle), one bootstrapping per feature group each time.

import type { Parameters, ParametersLiteral } from "../../engine/parameters.js";
import { presets, type PresetName } from "../../engine/presets.js";
import { describe, FheError } from "../../engine/ring/errors.js";
import { sumSlotsSteps } from "../../engine/circuits/slots.js";
import { sumRadix } from "./gradient.js";
import { realBlockSumsCost, trainingLayout, type TrainingLayout } from "./layout.js";
import { checkTrainingOptions, type TrainingOptions } from "./schedule.js";

/** Levels of the first iteration and of each later one. */
export const firstIterationLevels = 1;
export const levelsPerIteration = 4;

/** Levels that K iterations need: 1 + 4 (K - 1). */
export function levelsForIterations(iterations: number): number {
  return firstIterationLevels + levelsPerIteration * (iterations - 1);
}

/** Iterations that `depth` levels hold (0 when depth is 0). */
export function iterationsForDepth(depth: number): number {
  return depth < firstIterationLevels ? 0 : 1 + Math.floor((depth - firstIterationLevels) / levelsPerIteration);
}

export interface TrainingShape {
  readonly samples: number;
  readonly features: number;
}

export interface TrainingPlan {
  readonly layout: TrainingLayout;
  readonly iterations: number;
  /** Iterations the parameters' depth would hold. */
  readonly maxIterations: number;
  readonly levelsPerIteration: number;
  /** Level the data is encrypted at (the lowest that holds the iterations). */
  readonly inputLevel: number;
  /** vLevels[t]: level of v_t for t = 1..K-1 (index 0 unused: v_0 = 0 is never encrypted). */
  readonly vLevels: readonly number[];
  /** Level of the returned weights w_K. */
  readonly outputLevel: number;
  /** Iterations t after which the iterates are refreshed (bootstrapped back to refreshLevel), ascending; empty without a refresh. */
  readonly refreshAfter: readonly number[];
  /** The refresh's output level L, undefined when the iterations fit the depth (or no refresh was given). */
  readonly refreshLevel: number | undefined;
  /** Bootstrappings: one per feature group and refresh. */
  readonly bootstrappings: number;
  /** Rotation steps of the Galois keys needed, with the conjugation key: createGaloisKeys({ steps, conjugate: true }). */
  readonly galoisSteps: readonly number[];
  /**
   * Key switches of one iteration after the first, per sample set used and per shard (worker)
   * once, and of the first iteration per shard. Rotations of a hoisted stage count one each
   * (they share a decomposition).
   */
  readonly keySwitches: { readonly perSet: number; readonly perShard: number; readonly firstIterationPerShard: number };
}

/** The rotation steps of the sums inside a block (hoisted radix-4 stages of 1, 2, 3, 4, 8, 12, ..). */
function blockSteps(layout: TrainingLayout, radix = sumRadix): number[] {
  return sumSlotsSteps(layout.slots, { count: layout.blockSize, radix });
}

/** The rotation steps of the sum over the blocks (f, 2f, 3f, 4f, 8f, ..). */
function acrossBlockSteps(layout: TrainingLayout, radix = sumRadix): number[] {
  return layout.blocksPerCiphertext > 1 ? sumSlotsSteps(layout.slots, { stride: layout.blockSize, count: layout.blocksPerCiphertext, radix }) : [];
}

/**
 * The rotation steps: the sums inside a block (inner products and replication), -f (the shift)
 * and the sum over the blocks, for sums of that radix (the softmax head's are radix 2).
 */
export function trainingRotationSteps(layout: TrainingLayout, radix = sumRadix): number[] {
  return [...blockSteps(layout, radix), ...(layout.blocksPerCiphertext > 1 ? [-layout.blockSize] : []), ...acrossBlockSteps(layout, radix)];
}

/**
 * A literal at N = 2^16 (scale 2^29, 128-bit) with exactly the depth `iterations` need: with
 * fewer levels than the presets, the special primes take the rest of the 1747-bit budget, so
 * key switching has 2 digits and a Galois key is ~59 MiB instead of ~276 MiB at `inference16`.
 */
export function trainingLiteral(iterations: number): ParametersLiteral {
  return literalWithDepth(levelsForIterations(iterations));
}

/** The N = 2^16, scale 2^29, 128-bit literal of `depth` levels (the special primes take the rest of the budget). */
export function literalWithDepth(depth: number): ParametersLiteral {
  return { logN: 16, logScale: 29, depth };
}

/** The preset with the fewest levels that holds `iterations` with blocks of `blockSize`, if any. */
function presetHolding(iterations: number, blockSize: number): PresetName | undefined {
  const fitting = (Object.keys(presets) as PresetName[])
    .filter((name) => 2 ** (presets[name].logN - 1) >= blockSize && iterationsForDepth(presets[name].depth) >= iterations)
    .sort((a, b) => presets[a].depth - presets[b].depth);
  return fitting[0];
}

/** What the planner needs to know of a refresh (a PackedBootstrap or a BootstrappingPlan fits). */
export interface RefreshLevels {
  /** L: the level bootstrapped iterates come out at, an integer in [4, params.maxLevel]. */
  readonly outputLevel: number;
}

/** The iterates' levels for data at `inputLevel`, refreshed back to `refreshLevel` (if given) whenever a gradient lands below 4. */
function iterateLevels(iterations: number, inputLevel: number, refreshLevel: number | undefined): { vLevels: number[]; refreshAfter: number[]; outputLevel: number } {
  const vLevels = [Number.NaN];
  const refreshAfter: number[] = [];
  for (let t = 0; ; t++) {
    const gradientLevel = t === 0 ? inputLevel - firstIterationLevels : vLevels[t]! - levelsPerIteration;
    if (t === iterations - 1) return { vLevels, refreshAfter, outputLevel: gradientLevel };
    const refresh = refreshLevel !== undefined && gradientLevel < levelsPerIteration;
    if (refresh) refreshAfter.push(t);
    vLevels.push(refresh ? refreshLevel : gradientLevel);
  }
}

/**
 * Plans training of `shape` on `params`, with `refresh` if the iterations do not fit the depth.
 * Throws INVALID_ARGUMENT when the features do not fit the slots or the iterations do not fit
 * the depth without a refresh (naming how many fit and a preset that holds more).
 */
export function planLogisticRegression(params: Parameters, shape: TrainingShape, options: TrainingOptions, refresh?: RefreshLevels): TrainingPlan {
  const operation = "plan logistic regression";
  const checked = checkTrainingOptions(options, operation);
  if (shape === null || typeof shape !== "object" || !Number.isSafeInteger(shape.samples) || shape.samples < 1 || !Number.isSafeInteger(shape.features) || shape.features < 1) {
    throw new FheError("INVALID_ARGUMENT", operation, `the shape must be { samples, features } with positive integers, got ${describe(shape)}`);
  }
  const layout = trainingLayout(params.maxSlots, shape.samples, shape.features, checked.featureGroups, checked.shards);
  const { iterations } = checked;
  const maxIterations = iterationsForDepth(params.maxLevel);
  const needed = levelsForIterations(iterations);
  const refreshLevel: unknown = refresh === undefined || iterations <= maxIterations ? undefined : refresh?.outputLevel;
  if (refreshLevel !== undefined && (!Number.isSafeInteger(refreshLevel) || (refreshLevel as number) < levelsPerIteration || (refreshLevel as number) > params.maxLevel)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the refresh's output level must be an integer in [${levelsPerIteration}, ${params.maxLevel}] (one iteration after it), got ${describe(refreshLevel)}`);
  }
  if (iterations > maxIterations && refreshLevel === undefined) {
    const preset = presetHolding(iterations, layout.blockSize);
    throw new FheError("INVALID_ARGUMENT", operation,
      `${iterations} iterations need ${needed} levels (1 + ${levelsPerIteration} per iteration after the first) and the parameters have ${params.maxLevel}: ${maxIterations} fit; ` +
      `use trainingLiteral(${iterations}) (N = 2^16, depth ${needed})${preset === undefined ? "" : ` or the preset ${preset} (depth ${presets[preset].depth}, ${iterationsForDepth(presets[preset].depth)} iterations)`}, or refresh the iterates by bootstrapping (a LocalRefresh as the refresh)`);
  }
  const inputLevel = refreshLevel === undefined ? needed : (refreshLevel as number);
  const { vLevels, refreshAfter, outputLevel } = iterateLevels(iterations, inputLevel, refreshLevel as number | undefined);
  const inside = blockSteps(layout).length;
  const across = acrossBlockSteps(layout).length;
  const blockSums = realBlockSumsCost(layout.groups, across);
  return Object.freeze({
    layout, iterations, maxIterations, levelsPerIteration, inputLevel, vLevels: Object.freeze(vLevels), outputLevel,
    refreshAfter: Object.freeze(refreshAfter), refreshLevel: refreshLevel as number | undefined, bootstrappings: refreshAfter.length * layout.groups,
    galoisSteps: Object.freeze(trainingRotationSteps(layout)),
    // per set: relinearize sum_j P_j ⊙ v_j, the two squares and the sigmoid, conjugate T, the sums inside the blocks, the shift;
    // per shard: relinearize every group; per pair of groups 3 conjugations and a sum over the blocks, an odd one 1 and its sum.
    keySwitches: Object.freeze({
      perSet: 5 + 2 * inside + (layout.blocksPerCiphertext > 1 ? 1 : 0), perShard: layout.groups + blockSums, firstIterationPerShard: blockSums,
    }),
  });
}
