// The model planner: levels, scales and key material of every stage, predicted from the
// parameters alone before anything is encrypted. The batch executor follows the same plan and
// checks after each stage that the real level and scale equal the prediction.

import { planPolynomial, type PolynomialPlan } from "../engine/circuits/poly-plan.js";
import type { LevelScale } from "../engine/circuits/plan.js";
import { droppedModulus } from "../engine/evaluator/alignment.js";
import type { Parameters } from "../engine/parameters.js";
import { presets, type PresetName } from "../engine/presets.js";
import { FheError } from "../engine/ring/errors.js";
import { argumentHalved } from "./complex-activation.js";
import { planSoftArgmax, type SoftArgmaxPlan } from "./soft-argmax-plan.js";
import type { Stage } from "./stages.js";
import { scaledAffine } from "./affine.js";

/** What one stage does, predicted. */
export interface StagePlan {
  readonly stage: Stage;
  readonly input: LevelScale;
  readonly output: LevelScale;
  /** Degree of the stage's output ciphertexts (2: a square left unrelinearized for the next linear stage). */
  readonly outputDegree: 1 | 2;
  /** Relinearizations the stage performs (each a key switch). */
  readonly relinearizations: number;
  /** Ciphertext-by-ciphertext products. */
  readonly products: number;
  /** Conjugations (key switches) that separate the real and imaginary samples of complex packing before an activation. */
  readonly conjugations: number;
  /**
   * Complex packing, an activation after a linear stage: that stage computed half its map (its
   * `stage.map` is halved), so the activation separates the parts as they are (no factor 2).
   */
  readonly halvedInput?: boolean;
  /** Scalar multiply-accumulate terms (linear stages). */
  readonly terms: number;
  /** The polynomial plan of a non-square activation (the same for every element). */
  readonly polynomial?: PolynomialPlan;
  /** The plan of a Soft-Argmax stage. */
  readonly softArgmax?: SoftArgmaxPlan;
}

/** The whole model's plan on given parameters. */
export interface ModelPlan {
  readonly params: Parameters;
  readonly stages: readonly StagePlan[];
  readonly input: LevelScale;
  readonly output: LevelScale;
  /** Levels the model consumes. */
  readonly depth: number;
  readonly relinearizations: number;
  /** Galois keys the plan needs (batch packing: none). */
  readonly rotationSteps: readonly number[];
  readonly needsRelinearizationKey: boolean;
  /** Complex batch packing: two samples per slot. */
  readonly complex: boolean;
  /** Conjugations of all stages (complex packing: one per activated element). */
  readonly conjugations: number;
  /** True when the evaluator needs the conjugation key (complex packing with an activation). */
  readonly needsConjugationKey: boolean;
}

/**
 * Levels each stage consumes, independent of the parameters (a polynomial: ⌈log2(degree + 1)⌉;
 * an n-class Soft-Argmax adds its inverse's depth and one product; the planner adds a level
 * where an input map cannot fold).
 */
export function stageDepth(stage: Stage): number {
  if (stage.kind === "linear") return 1;
  if (stage.kind === "softArgmax") return stage.polynomial.depth + (stage.layer.inverse === undefined ? 0 : stage.layer.inverse.depth + 1);
  return stage.layer.isSquare ? 1 : stage.polynomial.depth;
}

/** Levels a model of these stages needs. */
export function modelDepth(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stageDepth(stage), 0);
}

/** Presets tried by `compile("auto")`, cheapest per sample first. */
export const autoPresets: readonly PresetName[] = ["inference13", "inference13Deep", "inference14Fast", "inference14", "inference15"];

/** The cheapest preset whose depth holds `depth` levels, or undefined. */
export function presetFor(depth: number): PresetName | undefined {
  return autoPresets.find((name) => presets[name].depth >= depth);
}

/**
 * Plans `stages` for inputs encrypted at the parameters' scale and the lowest level that holds
 * the model (its depth, one more if a polynomial cannot fold its input map), in batch packing
 * (two samples per slot when `complex`). Throws FheError (INVALID_PARAMETERS) naming the levels
 * needed and a preset that holds them when the parameters are too shallow, and refuses a
 * Soft-Argmax in complex packing.
 */
export function planStages(params: Parameters, stages: readonly Stage[], operation: string, complex = false): ModelPlan {
  if (complex && stages.some((s) => s.kind === "softArgmax")) {
    throw new FheError("INVALID_ARGUMENT", operation, "complex batch packing does not run a Soft-Argmax (it combines its classes across the slot's two samples): compile with { packing: \"batch\" }");
  }
  const depth = modelDepth(stages);
  if (depth > params.maxLevel) {
    const preset = presetFor(depth);
    throw new FheError("INVALID_PARAMETERS", operation,
      `the model needs ${depth} levels (${stages.map((s) => `${s.layers.join("+")}: ${stageDepth(s)}`).join(", ")}) and the parameters have ${params.maxLevel}; ` +
      (preset === undefined ? "no preset is deep enough: use fewer or lower-degree activations" : `use presets.${preset} (depth ${presets[preset].depth}) or compile with "auto"`));
  }
  // Inputs are encrypted at the lowest level that holds the model: fewer limbs in every stage.
  for (let level = depth; ; level++) {
    try {
      return planFrom(params, stages, { level, scale: params.scale }, complex);
    } catch (error) {
      if (level >= params.maxLevel || !(error instanceof FheError)) throw error;
    }
  }
}

/**
 * The plan from `input`. Complex packing: an activation first conjugates its input x = a + i b
 * and forms u = x + conj(x) = 2a and v = -i (x - conj(x)) = 2b at its scale. After a linear stage
 * that computed half its map (halved), u and v are the parts themselves; otherwise a square
 * returns u^2 + i v^2 = 4 (a^2 + i b^2), read at 4 times the scale of a real square, and a
 * polynomial is evaluated as p(y / 2).
 */
function planFrom(params: Parameters, stages: readonly Stage[], input: LevelScale, complex: boolean): ModelPlan {
  let current = input;
  let degree: 1 | 2 = 1;
  const plans: StagePlan[] = [];
  stages.forEach((original, i) => {
    const next = stages[i + 1];
    const halved = complex && original.kind === "linear" && next?.kind === "activation";
    const stage = halved ? { ...original, map: scaledAffine(original.map, 0.5) } : original;
    const halvedInput = complex && stages[i - 1]?.kind === "linear";
    if (stage.kind === "linear") {
      if (current.level < 1) throw new FheError("INVALID_PARAMETERS", "plan model", `stage ${i} (${stage.layers.join("+")}) has no level left`);
      const output = { level: current.level - 1, scale: current.scale };
      const relinearizations = degree === 2 ? stage.map.rows : 0;
      plans.push({ stage, input: current, output, outputDegree: 1, relinearizations, products: 0, conjugations: 0, terms: stage.map.values.length });
      current = output;
      degree = 1;
      return;
    }
    if (stage.kind === "softArgmax") {
      const softArgmax = planSoftArgmax(params, current, stage);
      plans.push({
        stage, input: current, output: softArgmax.output, outputDegree: 1, relinearizations: softArgmax.relinearizations,
        products: softArgmax.products, conjugations: 0, terms: 0, softArgmax,
      });
      current = softArgmax.output;
      degree = 1;
      return;
    }
    const elements = stage.outputShape.reduce((a, b) => a * b, 1);
    const parts = complex ? 2 : 1;
    const conjugations = complex ? elements : 0;
    if (stage.layer.isSquare) {
      const q = Number(droppedModulus(params, current.level));
      const output = { level: current.level - 1, scale: (complex && !halvedInput ? 4 : 1) * (current.scale * current.scale) / q };
      const lazy = next?.kind === "linear";
      plans.push({
        stage, input: current, output, outputDegree: lazy ? 2 : 1, relinearizations: lazy ? 0 : elements, products: parts * elements, conjugations, terms: 0,
        ...(halvedInput ? { halvedInput } : {}),
      });
      current = output;
      degree = lazy ? 2 : 1;
      return;
    }
    const polynomial = planPolynomial(params, current, complex && !halvedInput ? argumentHalved(stage.polynomial) : stage.polynomial, { targetScale: params.scale });
    plans.push({
      stage, input: current, output: polynomial.output, outputDegree: 1, relinearizations: parts * elements * (polynomial.keySwitches - polynomial.rotations),
      products: parts * elements * polynomial.nonScalarProducts, conjugations, terms: 0, polynomial, ...(halvedInput ? { halvedInput } : {}),
    });
    current = polynomial.output;
    degree = 1;
  });
  const relinearizations = plans.reduce((sum, p) => sum + p.relinearizations, 0);
  const conjugations = plans.reduce((sum, p) => sum + p.conjugations, 0);
  return {
    params, stages: plans, input, output: current, depth: input.level - current.level, relinearizations,
    rotationSteps: [], needsRelinearizationKey: plans.some((p) => p.products > 0), complex, conjugations, needsConjugationKey: conjugations > 0,
  };
}
