// The server's iteration loop of logistic regression: adds the shards' partial gradients and
// applies Nesterov's update (nesterov.ts), all on ciphertexts. It needs no key.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import type { GradientShard } from "./gradient.js";
import { nesterov, type IterationProgress } from "./nesterov.js";
import type { TrainingPlan } from "./plan.js";
import { checkTrainingOptions, iterationSteps, sigmoidChoice, type IterationStep, type SigmoidChoice, type TrainingOptions } from "./schedule.js";

export type { IterationProgress } from "./nesterov.js";

/** Where partial gradients come from: a shard in this thread or one in a worker. */
export interface GradientSource {
  /** h_t over the source's ciphertexts, as a ciphertext of the coordinator's parameters (undefined if it holds none of step.ciphertexts). */
  gradient(v: Ciphertext | undefined, step: IterationStep, sigmoid: SigmoidChoice): Promise<Ciphertext | undefined>;
}

/** A {@link GradientSource} for a shard in this thread (sharing the coordinator's heap). */
export function localSource(shard: GradientShard): GradientSource {
  return { gradient: async (v, step, sigmoid) => shard.gradient(v, step, sigmoid) };
}

const operation = "train logistic regression";

/**
 * Runs plan.iterations iterations over the sources (which together hold every data ciphertext)
 * and returns the encrypted weights w_K at plan.outputLevel. `evaluator` needs no keys.
 */
export async function trainEncrypted(
  evaluator: Evaluator, plan: TrainingPlan, options: TrainingOptions, sources: readonly GradientSource[],
  onIteration?: (progress: IterationProgress) => void,
): Promise<Ciphertext> {
  const checked = checkTrainingOptions(options, operation);
  if (checked.iterations !== plan.iterations) throw new FheError("INVALID_ARGUMENT", operation, `the plan is for ${plan.iterations} iterations and the options ask for ${checked.iterations}`);
  const sigmoid = sigmoidChoice(checked.interval);
  const steps = iterationSteps(checked, plan.layout.samples, plan.layout.samplesPerCiphertext);
  const [w] = await nesterov(evaluator, plan, steps, async (v, step) => [
    sumOf(evaluator, await Promise.all(sources.map((s) => s.gradient(v?.[0], step, sigmoid))), step),
  ], operation, onIteration);
  return w!;
}

function sumOf(evaluator: Evaluator, parts: readonly (Ciphertext | undefined)[], step: IterationStep): Ciphertext {
  const present = parts.filter((p): p is Ciphertext => p !== undefined);
  if (present.length === 0) throw new FheError("INVALID_ARGUMENT", operation, `no gradient source holds the ciphertexts of iteration ${step.t} (${step.ciphertexts.join(", ")})`);
  const [first, ...rest] = present;
  for (const part of rest) {
    evaluator.addInPlace(first!, part);
    part.dispose();
  }
  return first!;
}
