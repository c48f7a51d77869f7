// Nesterov's update on encrypted weights, shared by the logistic-regression and softmax
// trainers: it needs no key (scalar products and additions) and acts on one ciphertext per
// weight vector (one for logistic regression, one per class for softmax).
//
// With h_t = kappa_t sum_i g_i (schedule.ts: kappa_t = (1 - eta_t) alpha_t / n_t):
//   v_{t+1} = (1 - eta_t) v_t + eta_t w_t + h_t,    w_{t+1} = v_t + h_t / (1 - eta_t),
// and w_K = v_{K-1} + h_{K-1} (kappa without the 1 - eta factor). The scalar products act on
// v_t (level l), w_t (l - 1) and h_t (only for w_{t+1}, which is used one iteration later at a
// scalar product again), so v_{t+1} lands at the level of h_t as long as h_t sits at least two
// levels below v_t.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import type { IterationStep } from "./schedule.js";

/** Levels of the iterates: vLevels[t] for v_t (t = 1..K-1, index 0 unused) and the output w_K. */
export interface IterateLevels {
  readonly iterations: number;
  readonly vLevels: readonly number[];
  readonly outputLevel: number;
}

/** Progress of one finished iteration. */
export interface IterationProgress {
  readonly t: number;
  readonly iterations: number;
  readonly level: number;
}

/**
 * Runs the iterations `steps` with `gradient` giving h_t (one ciphertext per weight vector, new,
 * owned by the loop) for v_t (undefined at t = 0), and returns w_K at levels.outputLevel.
 * Checks every iterate's level against `levels` (`operation` names the caller in errors).
 */
export async function nesterov(
  evaluator: Evaluator, levels: IterateLevels, steps: readonly IterationStep[],
  gradient: (v: readonly Ciphertext[] | undefined, step: IterationStep) => Promise<Ciphertext[]>,
  operation: string, onIteration?: (progress: IterationProgress) => void,
): Promise<Ciphertext[]> {
  let v: Ciphertext[] | undefined;
  let w: Ciphertext[] | undefined;
  const dispose = (list: readonly Ciphertext[] | undefined) => list?.forEach((ct) => ct.dispose());
  try {
    for (const step of steps) {
      const h = await gradient(v, step);
      if (step.t === levels.iterations - 1) {
        try {
          h.forEach((hc, c) => {
            if (v !== undefined) evaluator.addInPlace(hc, v[c]!);
            settle(hc, levels.outputLevel, "the weights w_K", operation);
          });
        } catch (error) {
          dispose(h);
          throw error;
        }
        onIteration?.({ t: step.t, iterations: levels.iterations, level: h[0]!.level });
        return h;
      }
      let next: Ciphertext[];
      let nextW: Ciphertext[] | undefined;
      try {
        next = h.map((hc, c) => (v === undefined ? evaluator.copy(hc) : momentum(evaluator, v[c]!, w![c]!, hc, step.eta)));
        nextW = step.t + 1 === levels.iterations - 1 ? undefined : v === undefined ? h : h.map((hc, c) => weightsAfter(evaluator, v![c]!, hc, step.eta));
      } finally {
        if (nextW !== h) dispose(h);
      }
      dispose(v);
      dispose(w);
      v = next;
      w = nextW;
      for (const vc of v) settle(vc, levels.vLevels[step.t + 1]!, `v_${step.t + 1}`, operation);
      onIteration?.({ t: step.t, iterations: levels.iterations, level: v[0]!.level });
    }
    throw new FheError("INVALID_ARGUMENT", operation, "internal error: no iteration ran");
  } finally {
    dispose(v);
    dispose(w);
  }
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

function settle(ct: Ciphertext, level: number, what: string, operation: string): void {
  if (ct.level !== level) throw new FheError("INVALID_ARGUMENT", operation, `internal error: ${what} came out at level ${ct.level} instead of the planned ${level}`);
}
