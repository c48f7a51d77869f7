// The server's iteration loop of logistic regression: adds the shards' partial gradients and
// applies Nesterov's update (nesterov.ts), all on ciphertexts. It needs no key.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import type { GradientShard } from "./gradient.js";
import { nesterov, type IterationProgress } from "./nesterov.js";
import type { TrainingPlan } from "./plan.js";
import type { PackedBootstrap } from "./refresh.js";
import { checkTrainingOptions, iterationSteps, sigmoidChoice, type IterationStep, type SigmoidChoice, type TrainingOptions } from "./schedule.js";

export type { IterationProgress } from "./nesterov.js";

/** Where partial gradients come from: a shard in this thread or one in a worker. */
export interface GradientSource {
  /**
   * h_t over the source's sample sets, one ciphertext per feature group, as ciphertexts of the
   * coordinator's parameters (undefined if it holds none of step.sets); v_t likewise.
   */
  gradient(v: readonly Ciphertext[] | undefined, step: IterationStep, sigmoid: SigmoidChoice): Promise<Ciphertext[] | undefined>;
}

/** A {@link GradientSource} for a shard in this thread (sharing the coordinator's heap). */
export function localSource(shard: GradientShard): GradientSource {
  return { gradient: async (v, step, sigmoid) => shard.gradient(v, step, sigmoid) };
}

const operation = "train logistic regression";

/**
 * Runs plan.iterations iterations over the sources (which together hold every data ciphertext)
 * and returns the encrypted weights w_K at plan.outputLevel, one ciphertext per feature group.
 * `evaluator` needs no keys. `refresh` bootstraps the iterates when the plan says so (a plan made
 * with it: planLogisticRegression(params, shape, options, refresh)); it must take blocks of the
 * layout's size and come out at plan.refreshLevel.
 */
export async function trainEncrypted(
  evaluator: Evaluator, plan: TrainingPlan, options: TrainingOptions, sources: readonly GradientSource[],
  onIteration?: (progress: IterationProgress) => void, refresh?: PackedBootstrap,
): Promise<Ciphertext[]> {
  const checked = checkTrainingOptions(options, operation);
  if (checked.iterations !== plan.iterations) throw new FheError("INVALID_ARGUMENT", operation, `the plan is for ${plan.iterations} iterations and the options ask for ${checked.iterations}`);
  if (checked.featureGroups !== undefined && checked.featureGroups !== plan.layout.groups) {
    throw new FheError("INVALID_ARGUMENT", operation, `the plan has ${plan.layout.groups} feature groups and the options ask for ${checked.featureGroups}`);
  }
  if (plan.refreshAfter.length > 0 && refresh !== undefined && (refresh.outputLevel !== plan.refreshLevel || refresh.slots !== plan.layout.blockSize)) {
    throw new FheError("INVALID_ARGUMENT", operation,
      `the refresh bootstraps ${refresh.slots} slots up to level ${refresh.outputLevel} and the plan needs blocks of ${plan.layout.blockSize} slots refreshed to level ${plan.refreshLevel}: plan with this refresh and build its Bootstrapper with slots: layout.blockSize`);
  }
  const sigmoid = sigmoidChoice(checked.interval);
  const steps = iterationSteps(checked, plan.layout.samples, plan.layout.samplesPerSet);
  return nesterov(evaluator, plan, steps, async (v, step) => sumOf(evaluator, await Promise.all(sources.map((s) => s.gradient(v, step, sigmoid))), step), operation, onIteration, refresh);
}

/** The group-wise sum of the sources' gradients (disposing the parts added into the first). */
function sumOf(evaluator: Evaluator, parts: readonly (Ciphertext[] | undefined)[], step: IterationStep): Ciphertext[] {
  const present = parts.filter((p): p is Ciphertext[] => p !== undefined);
  if (present.length === 0) throw new FheError("INVALID_ARGUMENT", operation, `no gradient source holds the sample sets of iteration ${step.t} (${step.sets.join(", ")})`);
  const [first, ...rest] = present;
  for (const part of rest) {
    part.forEach((ct, group) => {
      evaluator.addInPlace(first![group]!, ct);
      ct.dispose();
    });
  }
  return first!;
}
