// The plan of a model in single-image packing: the levels and scales of planStages (they do not
// depend on the packing), the lowering of every linear stage, the layouts between stages, the
// key switches of one image and the Galois keys the client must provide.

import { galoisKeyBytes, planBsgs, signedStep, transformSteps, type BsgsPlan } from "../../engine/circuits/bsgs.js";
import { checkRotationBase, decomposeRotation, planComposed, type ComposedPlan } from "../../engine/circuits/composed-rotations.js";
import { keySwitchCount } from "../../engine/circuits/lintrans.js";
import type { Parameters } from "../../engine/parameters.js";
import { presets, type PresetName } from "../../engine/presets.js";
import { FheError } from "../../engine/ring/errors.js";
import { formatShape, shapeSize, type AnyLayer } from "../layers/layer.js";
import { singleLayout, type SingleLayout } from "../layout.js";
import { autoPresets, modelDepth, planStages, type ModelPlan, type StagePlan } from "../plan.js";
import type { Stage } from "../stages.js";
import { toleratesDirtySlots } from "./dirty-slots.js";
import { lowerStages, type Lowering } from "./lowering.js";

/**
 * One stage on one ciphertext. `relinearizations`, `products` and `terms` count for the one
 * ciphertext (terms: plaintext products of a linear stage, one per non-zero diagonal).
 */
export interface SingleStagePlan extends StagePlan {
  /** Layout of the stage's output. */
  readonly layout: SingleLayout;
  /** How a linear stage runs. */
  readonly lowering?: Lowering;
  /** Baby-step giant-step split of a linear stage's diagonals. */
  readonly bsgs?: BsgsPlan;
  /** With a rotation base: how the stage's transform composes its rotations from the key steps. */
  readonly composed?: ComposedPlan;
  /** The key steps of each replication rotation (lowering.replication), in order. */
  readonly replicationSteps: readonly (readonly number[])[];
  /** Rotation steps the stage uses (each needs its exact Galois key). */
  readonly rotationSteps: readonly number[];
  /** Key switches (rotations and relinearizations) one image costs. */
  readonly keySwitches: number;
}

export interface SinglePlan extends ModelPlan {
  readonly packing: "single";
  readonly stages: readonly SingleStagePlan[];
  /** The layout the client encrypts the image in (encryptSingle). */
  readonly inputLayout: SingleLayout;
  /** The layout of the outputs (decryptSingle). */
  readonly outputLayout: SingleLayout;
  readonly keySwitches: number;
  /** The base whose powers are the only Galois keys (compile option rotationBase), if any. */
  readonly rotationBase?: number;
  /** Serialized size of the Galois keys of `rotationSteps` in seeded form (what the client uploads with the relinearization key). */
  readonly galoisKeyBytes: number;
}

/** The largest tensor (elements) of a model of these stages, its input included. */
export function largestTensor(stages: readonly Stage[], inputShape: readonly number[]): number {
  return Math.max(shapeSize(inputShape), ...stages.map((s) => shapeSize(s.outputShape)));
}

/** The cheapest automatic preset deep enough for the stages whose slots hold every tensor. */
export function singlePresetFor(stages: readonly Stage[], inputShape: readonly number[]): PresetName | undefined {
  const depth = modelDepth(stages);
  const size = largestTensor(stages, inputShape);
  return autoPresets.find((name) => presets[name].depth >= depth && 2 ** (presets[name].logN - 1) >= size);
}

/**
 * Plans `stages` (of a model with these layers and input shape) for one image per ciphertext of
 * params.maxSlots slots. With `rotationBase` b, every rotation is composed from Galois keys for
 * the powers of b only (fewer keys, more key switches: see engine/circuits/composed-rotations.ts).
 * Throws FheError: INVALID_PARAMETERS when the parameters are too shallow (see planStages) or a
 * tensor does not fit the slots; INVALID_ARGUMENT for a rotation base outside [2, slots].
 */
export function planSingle(
  params: Parameters, stages: readonly Stage[], layers: readonly AnyLayer[], inputShape: readonly number[], operation: string, rotationBase?: number,
): SinglePlan {
  const softArgmax = stages.find((s) => s.kind === "softArgmax");
  if (softArgmax !== undefined) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `single-image packing runs a Soft-Argmax only with two classes and output "index" (layer '${softArgmax.layers.join("+")}' has ` +
      `${softArgmax.layer.classes} classes, output "${softArgmax.layer.output}"): compile with { packing: "batch" }`);
  }
  const base = planStages(params, stages, operation);
  const slots = params.maxSlots;
  if (rotationBase !== undefined) checkRotationBase(rotationBase, slots, operation);
  const size = largestTensor(stages, inputShape);
  if (size > slots) {
    const preset = singlePresetFor(stages, inputShape);
    throw new FheError("INVALID_PARAMETERS", operation,
      `single-image packing holds a tensor in one ciphertext of ${slots} slots and the model has a tensor of ${size} elements; ` +
      (preset === undefined ? "use batch packing" : `use presets.${preset} (${2 ** (presets[preset].logN - 1)} slots) or batch packing`));
  }
  // A polynomial activation (lowerStages asks only about those) may take a windowed (dirty)
  // input when it has room for it at its output level.
  const tolerates = (k: number): boolean => {
    const stage = stages[k]!;
    const { output } = base.stages[k]!;
    return stage.kind === "activation" && toleratesDirtySlots(params, stage.polynomial, output.level, output.scale);
  };
  const lowerings = lowerStages(stages, layers, inputShape, slots, tolerates);
  const firstLinear = lowerings.find((l) => l !== undefined);
  const inputLayout = firstLinear?.input ?? singleLayout({ shape: inputShape, slots, positions: Array.from({ length: shapeSize(inputShape) }, (_, e) => e) });
  let layout = inputLayout;
  const plans = base.stages.map((stagePlan, k): SingleStagePlan => {
    const lowering = lowerings[k];
    const { stage } = stagePlan;
    layout = singleLayout({ ...(lowering?.output ?? layout), shape: stage.outputShape });
    if (lowering !== undefined) {
      const { diagonals } = lowering;
      const common = { ...stagePlan, layout, lowering, outputDegree: 1 as const, relinearizations: 0, products: 0, terms: diagonals.indices.length };
      if (rotationBase !== undefined) {
        const bsgs = planBsgs(diagonals.indices, slots, slots);
        const composed = planComposed(diagonals.indices, diagonals.windows, diagonals.stride, slots, rotationBase);
        const replicationSteps = lowering.replication.map((s) => decomposeRotation(s, rotationBase, slots));
        const steps = [...new Set([...composed.keySteps, ...replicationSteps.flat()])].sort((a, b) => a - b);
        const keySwitches = composed.keySwitches + replicationSteps.flat().length;
        return { ...common, bsgs, composed, replicationSteps, rotationSteps: steps, keySwitches };
      }
      const bsgs = planBsgs(diagonals.indices, slots, diagonals.babyStep);
      const steps = [...transformSteps(bsgs, diagonals.windows, diagonals.stride), ...lowering.replication];
      const keySwitches = keySwitchCount([bsgs.babies], [[...bsgs.giants.keys()]], diagonals.windows) + lowering.replication.length;
      return { ...common, bsgs, replicationSteps: lowering.replication.map((s) => [s]), rotationSteps: steps, keySwitches };
    }
    const polynomial = stagePlan.polynomial;
    const relinearizations = polynomial === undefined ? 1 : polynomial.keySwitches - polynomial.rotations;
    const products = polynomial === undefined ? 1 : polynomial.nonScalarProducts;
    return { ...stagePlan, layout, replicationSteps: [], rotationSteps: [], keySwitches: relinearizations, outputDegree: 1, relinearizations, products, terms: 0 };
  });
  const rotationSteps = [...new Set(plans.flatMap((p) => p.rotationSteps.map((s) => signedStep(s, slots))))].sort((a, b) => a - b);
  return {
    ...base, packing: "single", stages: plans, inputLayout, outputLayout: layout, rotationSteps, ...(rotationBase === undefined ? {} : { rotationBase }),
    relinearizations: plans.reduce((sum, p) => sum + p.relinearizations, 0),
    keySwitches: plans.reduce((sum, p) => sum + p.keySwitches, 0),
    galoisKeyBytes: galoisKeyBytes(params, rotationSteps.length),
  };
}

/** "[28, 28, 1] in 3920 of 4096 slots (5 copies)" and the like. */
export function describeLayout(layout: SingleLayout): string {
  const copies = layout.replicas.length;
  return `${formatShape(layout.shape)} in ${layout.positions.length * copies} of ${layout.slots} slots${copies > 1 ? ` (${copies} copies)` : ""}`;
}
