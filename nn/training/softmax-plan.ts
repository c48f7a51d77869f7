// The planner of encrypted softmax training: levels and scales of every step of every
// iteration, the rotation keys and the key switches, computed without encrypting anything.
// The shard (softmax-gradient.ts) runs the same steps and checks each against this plan.
//
// Levels of iteration 0 (W = 0, p = 1/C exactly): 2, the label mask and the product with the
// data. Of every later one, 4 + E + I: the logits X ⊙ W_c (1), their block-end mask (1; the
// other slots are then 0, so every slot stays inside the intervals below), exp on [-B, B] (E =
// ceil(log2(degree + 1))), 1/S (I = the inverse plan's depth), p_c = (mask ⊙ e_c) r (1: the
// residual's mask and step multiply e_c while r is computed, so they cost no level), and the
// product with the data (1). The change of interval of both polynomials is folded in: the masked
// logits are brought to scale alpha q and the exp values to alpha' q (alpha, alpha' the maps of
// [-B, B] and of the sum interval onto [-1, 1]). Nesterov's update costs none (nesterov.ts).

import type { LevelScale } from "../../engine/circuits/plan.js";
import { planIteration, type IterationEvaluationPlan } from "../../engine/circuits/iteration-plan.js";
import { foldableInputScale, planPolynomial, type PolynomialPlan } from "../../engine/circuits/poly-plan.js";
import { droppedModulus } from "../../engine/evaluator/alignment.js";
import type { Parameters, ParametersLiteral } from "../../engine/parameters.js";
import { describe, FheError } from "../../engine/ring/errors.js";
import type { SoftArgmax } from "../layers/soft-argmax.js";
import { dataScaleBits } from "./gradient.js";
import { trainingRotationSteps, literalWithDepth } from "./plan.js";
import { softmaxLayout, type SoftmaxLayout } from "./softmax-layout.js";
import { checkSoftmaxOptions, softmaxLayer, type SoftmaxTrainingOptions } from "./softmax-schedule.js";

/** Levels of iteration 0. */
export const softmaxFirstIterationLevels = 2;

/** What iteration t >= 1 does, on v_t at `vLevel` (the parameters' scale). */
export interface SoftmaxStepPlan {
  readonly t: number;
  readonly vLevel: number;
  /** The masked logits, the exp polynomial's input (level vLevel - 2, scale alpha q: folded). */
  readonly logits: LevelScale;
  /** exp(l) / C, ending at the scale at which the inverse folds its change of interval. */
  readonly exp: PolynomialPlan;
  /** 1/S, at the parameters' scale. */
  readonly inverse: IterationEvaluationPlan;
  /** h_t, two levels below the inverse, at the parameters' scale. */
  readonly output: LevelScale;
}

export interface SoftmaxShape {
  readonly samples: number;
  readonly features: number;
  readonly classes: number;
}

export interface SoftmaxTrainingPlan {
  readonly layout: SoftmaxLayout;
  readonly iterations: number;
  /** Iterations the parameters' depth would hold. */
  readonly maxIterations: number;
  /** Levels of every iteration after the first: 4 + E + I. */
  readonly levelsPerIteration: number;
  /** Level the data and labels are encrypted at (the lowest that holds the iterations). */
  readonly inputLevel: number;
  /** Scale of the data and labels: Δ / 2^dataScaleBits. */
  readonly dataScale: number;
  /** steps[t] for t = 1..K-1 (index 0 undefined: iteration 0 is fixed, two levels). */
  readonly steps: readonly (SoftmaxStepPlan | undefined)[];
  /** vLevels[t]: level of v_t for t = 1..K-1 (index 0 unused). */
  readonly vLevels: readonly number[];
  /** Level of the returned weights W_K. */
  readonly outputLevel: number;
  /** Rotation steps of the Galois keys needed (createGaloisKeys({ steps, conjugate: false })). */
  readonly galoisSteps: readonly number[];
  /** Key switches per data ciphertext and per shard (worker): of iteration 0 and of each later one. */
  readonly keySwitches: {
    readonly firstPerCiphertext: number; readonly firstPerShard: number;
    readonly perCiphertext: number; readonly perShard: number;
  };
}

/** The levels of iteration 0 and of each later one, for a softmax layer (folded polynomials). */
function levelCounts(layer: SoftArgmax): { first: number; perIteration: number } {
  const expLevels = Math.ceil(Math.log2(layer.polynomial.degree + 1));
  return { first: softmaxFirstIterationLevels, perIteration: 4 + expLevels + layer.inverse!.depth };
}

/** Levels K iterations need: 2 + (4 + E + I)(K - 1). */
export function softmaxLevelsForIterations(classes: number, options: SoftmaxTrainingOptions): number {
  const operation = "plan softmax training";
  const checked = checkSoftmaxOptions(options, operation);
  const { first, perIteration } = levelCounts(softmaxLayer(classes, checked, operation));
  return first + perIteration * (checked.iterations - 1);
}

/** An N = 2^16, scale 2^29, 128-bit literal with exactly the depth of `options.iterations` (see trainingLiteral). */
export function softmaxTrainingLiteral(classes: number, options: SoftmaxTrainingOptions): ParametersLiteral {
  return literalWithDepth(softmaxLevelsForIterations(classes, options));
}

/** Plans iteration t >= 1 on v_t at `vLevel` (throws the circuits' FheError when levels run out). */
function planStep(params: Parameters, layer: SoftArgmax, t: number, vLevel: number): SoftmaxStepPlan {
  const q = (level: number) => Number(droppedModulus(params, level));
  const logitLevel = vLevel - 2;
  const logits = { level: logitLevel, scale: layer.polynomial.change.scale * q(logitLevel) };
  const expLevel = logitLevel - planPolynomial(params, logits, layer.polynomial).levelsUsed;
  const sumScale = foldableInputScale(params, expLevel, layer.inverse!.initial) / Math.SQRT2;
  const exp = planPolynomial(params, logits, layer.polynomial, { targetScale: sumScale });
  const inverse = planIteration(params, exp.output, layer.inverse!);
  if (inverse.output.level < 2 || inverse.levelsUsed < 1) {
    throw new FheError("INVALID_ARGUMENT", "plan softmax training", `internal error: iteration ${t} leaves 1/S at level ${inverse.output.level} after ${inverse.levelsUsed} levels`);
  }
  return { t, vLevel, logits, exp, inverse, output: { level: inverse.output.level - 2, scale: params.scale } };
}

/**
 * Plans softmax training of `shape` on `params`. Throws INVALID_ARGUMENT when the features or
 * classes do not fit a block, or the iterations do not fit the depth (naming how many fit).
 */
export function planSoftmaxTraining(params: Parameters, shape: SoftmaxShape, options: SoftmaxTrainingOptions): SoftmaxTrainingPlan {
  const operation = "plan softmax training";
  const checked = checkSoftmaxOptions(options, operation);
  if (shape === null || typeof shape !== "object" || ![shape.samples, shape.features].every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw new FheError("INVALID_ARGUMENT", operation, `the shape must be { samples, features, classes } with positive integers, got ${describe(shape)}`);
  }
  const layer = softmaxLayer(shape.classes, checked, operation);
  const layout = softmaxLayout(params.maxSlots, shape.samples, shape.features, shape.classes);
  const { iterations } = checked;
  const { first, perIteration } = levelCounts(layer);
  const needed = first + perIteration * (iterations - 1);
  const maxIterations = params.maxLevel < first ? 0 : 1 + Math.floor((params.maxLevel - first) / perIteration);
  if (iterations > maxIterations) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `${iterations} iterations need ${needed} levels (${first} + ${perIteration} per iteration after the first: exp of degree ${layer.polynomial.degree}, ` +
      `1/S of depth ${layer.inverse!.depth}) and the parameters have ${params.maxLevel}: ${maxIterations} fit; ` +
      `use softmaxTrainingLiteral(${shape.classes}, { iterations: ${iterations} }) (N = 2^16, depth ${needed}), or fewer iterations (the softmax head is not refreshed by bootstrapping; logistic regression is)`);
  }
  const steps: (SoftmaxStepPlan | undefined)[] = [undefined];
  const vLevels = [Number.NaN];
  let level = needed - first;
  for (let t = 1; t < iterations; t++) {
    vLevels.push(level);
    const step = planStep(params, layer, t, level);
    steps.push(step);
    level = step.output.level;
  }
  if (level !== 0) throw new FheError("INVALID_ARGUMENT", operation, `internal error: the weights come out at level ${level} instead of 0`);
  const logBlock = Math.log2(layout.blockSize);
  const logSamples = Math.log2(layout.samplesPerSet);
  const shift = layout.samplesPerSet > 1 ? 1 : 0;
  const C = shape.classes;
  let labelRotations = 0;
  for (let c = 1; c <= C; c++) labelRotations += c.toString(2).replaceAll("0", "").length;
  const step = steps[1];
  return Object.freeze({
    layout, iterations, maxIterations, levelsPerIteration: perIteration, inputLevel: needed, dataScale: params.scale / 2 ** dataScaleBits,
    steps: Object.freeze(steps), vLevels: Object.freeze(vLevels), outputLevel: 0,
    galoisSteps: Object.freeze(trainingRotationSteps(layout, 2)),
    keySwitches: Object.freeze({
      // per class: the label's rotation (its binary digits) and replication; per shard: relinearization, block sums (and those of the data).
      firstPerCiphertext: labelRotations + C * logBlock, firstPerShard: C * (1 + logSamples) + logSamples,
      // per class: relinearize X ⊙ W, sum, exp, relinearize p, replicate, shift; 1/S once.
      perCiphertext: step === undefined ? 0 : C * (1 + logBlock + step.exp.keySwitches + 1 + logBlock + shift) + step.inverse.keySwitches,
      perShard: C * (1 + logSamples),
    }),
  });
}
