// The server's iteration loop of softmax training: adds the shards' partial gradients class by
// class and applies Nesterov's update (nesterov.ts), all on ciphertexts. It needs no key.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import { nesterov, type IterationProgress } from "./nesterov.js";
import { iterationSteps, type IterationStep } from "./schedule.js";
import type { SoftmaxShard } from "./softmax-gradient.js";
import type { SoftmaxTrainingPlan } from "./softmax-plan.js";
import { checkSoftmaxOptions, type SoftmaxTrainingOptions } from "./softmax-schedule.js";

/** Where partial softmax gradients come from: a shard in this thread or one in a worker. */
export interface SoftmaxGradientSource {
  /** h_t over the source's ciphertexts, one per class, as ciphertexts of the coordinator's parameters. */
  gradient(v: readonly Ciphertext[] | undefined, step: IterationStep): Promise<Ciphertext[]>;
}

/** A {@link SoftmaxGradientSource} for a shard in this thread (sharing the coordinator's heap). */
export function localSoftmaxSource(shard: SoftmaxShard): SoftmaxGradientSource {
  return { gradient: async (v, step) => shard.gradient(v, step) };
}

const operation = "train softmax";

/**
 * Runs plan.iterations iterations (full batch) over the sources, which together hold every data
 * ciphertext, and returns the encrypted weights W_K (one ciphertext per class) at
 * plan.outputLevel. `evaluator` needs no keys.
 */
export async function trainSoftmaxEncrypted(
  evaluator: Evaluator, plan: SoftmaxTrainingPlan, options: SoftmaxTrainingOptions, sources: readonly SoftmaxGradientSource[],
  onIteration?: (progress: IterationProgress) => void,
): Promise<Ciphertext[]> {
  const checked = checkSoftmaxOptions(options, operation);
  if (checked.iterations !== plan.iterations) throw new FheError("INVALID_ARGUMENT", operation, `the plan is for ${plan.iterations} iterations and the options ask for ${checked.iterations}`);
  if (sources.length === 0) throw new FheError("INVALID_ARGUMENT", operation, "no gradient source");
  const steps = iterationSteps(checked, plan.layout.samples, plan.layout.samplesPerSet);
  return nesterov(evaluator, plan, steps, async (v, step) => {
    const parts = await Promise.all(sources.map((s) => s.gradient(v, step)));
    const [first, ...rest] = parts;
    for (const part of rest) {
      part.forEach((ct, c) => {
        evaluator.addInPlace(first![c]!, ct);
        ct.dispose();
      });
    }
    return first!;
  }, operation, onIteration);
}
