// The server's iteration loop: adds the shards' partial gradients and applies Nesterov's
// update, all on ciphertexts. It needs no key: the update is scalar products and additions.
//
// With h_t = kappa_t sum_i q(z_i . v_t) z_i (schedule.ts: kappa_t = (1 - eta_t) alpha_t / n_t):
//   v_{t+1} = (1 - eta_t) v_t + eta_t w_t + h_t,    w_{t+1} = v_t + h_t / (1 - eta_t),
// and w_K = v_{K-1} + h_{K-1} (kappa without the 1 - eta factor). The scalar products act on
// v_t (level l), w_t (l - 1) and h_t (l - 4, only for w_{t+1}, which is used one iteration
// later at a scalar product again), so v_{t+1} lands at l - 4, the level of h_t.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import type { GradientShard } from "./gradient.js";
import type { TrainingPlan } from "./plan.js";
import { checkTrainingOptions, iterationSteps, sigmoidChoice, type IterationStep, type SigmoidChoice, type TrainingOptions } from "./schedule.js";

/** Where partial gradients come from: a shard in this thread or one in a worker. */
export interface GradientSource {
  /** h_t over the source's ciphertexts, as a ciphertext of the coordinator's parameters (undefined if it holds none of step.ciphertexts). */
  gradient(v: Ciphertext | undefined, step: IterationStep, sigmoid: SigmoidChoice): Promise<Ciphertext | undefined>;
}

/** A {@link GradientSource} for a shard in this thread (sharing the coordinator's heap). */
export function localSource(shard: GradientShard): GradientSource {
  return { gradient: async (v, step, sigmoid) => shard.gradient(v, step, sigmoid) };
}

/** Progress of one finished iteration. */
export interface IterationProgress {
  readonly t: number;
  readonly iterations: number;
  readonly level: number;
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
  let v: Ciphertext | undefined;
  let w: Ciphertext | undefined;
  try {
    for (const step of steps) {
      const h = sumOf(evaluator, await Promise.all(sources.map((s) => s.gradient(v, step, sigmoid))), step);
      const last = step.t === plan.iterations - 1;
      if (last) {
        if (v !== undefined) evaluator.addInPlace(h, v);
        settle(h, plan.outputLevel, "the weights w_K");
        onIteration?.({ t: step.t, iterations: plan.iterations, level: h.level });
        return h;
      }
      const next = v === undefined ? evaluator.copy(h) : momentum(evaluator, v, w!, h, step.eta);
      const nextW = step.t + 1 === plan.iterations - 1 ? undefined : v === undefined ? h : weightsAfter(evaluator, v, h, step.eta);
      if (nextW !== h) h.dispose();
      v?.dispose();
      w?.dispose();
      v = next;
      w = nextW;
      settle(v, plan.vLevels[step.t + 1]!, `v_${step.t + 1}`);
      onIteration?.({ t: step.t, iterations: plan.iterations, level: v.level });
    }
    throw new FheError("INVALID_ARGUMENT", operation, "internal error: no iteration ran");
  } finally {
    v?.dispose();
    w?.dispose();
  }
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

/** (1 - eta) v + eta w + h, at the level of h. */
function momentum(evaluator: Evaluator, v: Ciphertext, w: Ciphertext, h: Ciphertext, eta: number): Ciphertext {
  const result = evaluator.copy(h);
  try {
    addScaled(evaluator, result, v, 1 - eta);
    addScaled(evaluator, result, w, eta);
  } catch (error) {
    result.dispose();
    throw error;
  }
  return result;
}

/** v + h / (1 - eta): one level below h. */
function weightsAfter(evaluator: Evaluator, v: Ciphertext, h: Ciphertext, eta: number): Ciphertext {
  const result = evaluator.multiplyConstant(h, 1 / (1 - eta));
  try {
    evaluator.rescaleInPlace(result);
    evaluator.addInPlace(result, v);
  } catch (error) {
    result.dispose();
    throw error;
  }
  return result;
}

/** target += factor * source (source above target's level: the product costs source one level). */
function addScaled(evaluator: Evaluator, target: Ciphertext, source: Ciphertext, factor: number): void {
  using scaled = evaluator.multiplyConstant(source, factor);
  evaluator.rescaleInPlace(scaled);
  evaluator.addInPlace(target, scaled);
}

function settle(ct: Ciphertext, level: number, what: string): void {
  if (ct.level !== level) throw new FheError("INVALID_ARGUMENT", operation, `internal error: ${what} came out at level ${ct.level} instead of the planned ${level}`);
}
