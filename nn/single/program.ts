// What a compiled model keeps to run single-image inference: every linear stage's transform,
// encoded at the level its input arrives at, and its bias as a plaintext at the level and scale
// of its output, replicated like the output. Owns their memory.

import "../../engine/ring/dispose-symbols.js";
import { LinearTransform } from "../../engine/circuits/lintrans.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import type { Plaintext } from "../../engine/plaintext.js";
import { FheError } from "../../engine/ring/errors.js";
import type { SingleLayout } from "../layout.js";
import type { LinearStage } from "../stages.js";
import type { SinglePlan, SingleStagePlan } from "./plan.js";

/** A linear stage ready to run. */
export interface EncodedStage {
  readonly transform: LinearTransform;
  readonly bias: Plaintext;
}

function biasVector(layout: SingleLayout, bias: Float64Array): Float64Array {
  const vector = new Float64Array(layout.slots);
  layout.positions.forEach((p, i) => {
    for (const r of layout.replicas) vector[(p + r) % layout.slots] = bias[i]!;
  });
  return vector;
}

/** Precondition: `stage` is a linear stage (it has a lowering). */
function encodeStage(plan: SinglePlan, stage: SingleStagePlan, encoder: Encoder): EncodedStage {
  const { diagonals } = stage.lowering!;
  const transform = new LinearTransform(plan.params, diagonals, { babyStep: stage.bsgs!.babyStep });
  try {
    const steps = [...transform.rotationSteps(), ...stage.lowering!.replication];
    const planned = stage.composed === undefined
      ? steps.length === stage.rotationSteps.length && steps.every((s, i) => s === stage.rotationSteps[i])
      : transform.bsgs.giants.size <= 1;
    if (!planned) {
      throw new FheError("INVALID_ARGUMENT", "compile model", `the transform of stage ${stage.stage.layers.join("+")} uses other rotations than planned (internal error: please report)`);
    }
    transform.encode(stage.input.level);
    const { level, scale } = stage.output;
    const { bias: values } = (stage.stage as LinearStage).map;
    const bias = encoder.encode(biasVector(stage.lowering!.output, values), { level, scale, slots: plan.params.maxSlots });
    return { transform, bias };
  } catch (error) {
    transform.dispose();
    throw error;
  }
}

/** The encoded linear stages of a single-image plan (undefined for activations). */
export class SingleProgram implements Disposable {
  readonly stages: readonly (EncodedStage | undefined)[];

  constructor(readonly plan: SinglePlan) {
    const encoder = new Encoder(plan.params);
    const stages: (EncodedStage | undefined)[] = [];
    try {
      for (const stage of plan.stages) stages.push(stage.lowering === undefined ? undefined : encodeStage(plan, stage, encoder));
    } catch (error) {
      disposeStages(stages);
      throw error;
    }
    this.stages = Object.freeze(stages);
    Object.freeze(this);
  }

  dispose(): void {
    disposeStages(this.stages);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function disposeStages(stages: readonly (EncodedStage | undefined)[]): void {
  for (const stage of stages) {
    stage?.transform.dispose();
    stage?.bias.dispose();
  }
}
