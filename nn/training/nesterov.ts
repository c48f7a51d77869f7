// Nesterov's update on encrypted weights, shared by the logistic-regression and softmax
// trainers: it needs no key (scalar products and additions) and acts on one ciphertext per
// weight vector (one for logistic regression, one per class for softmax).
//
// With h_t = kappa_t sum_i g_i (schedule.ts: kappa_t = (1 - eta_t) alpha_t / n_t):
//   v_{t+1} = (1 - eta_t) v_t + eta_t w_t + h_t,    w_{t+1} = v_t + h_t / (1 - eta_t),
// and w_K = v_{K-1} + h_{K-1} (kappa without the 1 - eta factor). The scalar products act on
// v_t (level l), w_t (l - 1) and h_t (only for w_{t+1}, which is used one iteration later at a
// scalar product again), so v_{t+1} lands at the level of h_t as long as h_t sits at least two
// levels below v_t. After the iterations of levels.refreshAfter, refresh.ts packs v_{t+1} and
// (1 - eta_t) w_{t+1} into one ciphertext per weight vector and bootstraps it: w_t is then
// stored times r_t = 1 - eta_{t-1} (r = 1 otherwise), which the momentum divides out.

import type { Ciphertext } from "../../engine/ciphertext.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import type { Complex } from "../../engine/evaluator/checks.js";
import type { PackedBootstrap } from "./refresh.js";
import type { IterationStep } from "./schedule.js";

/** Levels of the iterates: vLevels[t] for v_t (t = 1..K-1, index 0 unused) and the output w_K. */
export interface IterateLevels {
  readonly iterations: number;
  readonly vLevels: readonly number[];
  readonly outputLevel: number;
  /** Iterations after which the iterates are refreshed by bootstrapping (ascending; absent: none). */
  readonly refreshAfter?: readonly number[];
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
 * Checks every iterate's level against `levels` (`operation` names the caller in errors);
 * `refresh` is required when levels.refreshAfter is not empty, and its output level must be
 * the one planned.
 */
export async function nesterov(
  evaluator: Evaluator, levels: IterateLevels, steps: readonly IterationStep[],
  gradient: (v: readonly Ciphertext[] | undefined, step: IterationStep) => Promise<Ciphertext[]>,
  operation: string, onIteration?: (progress: IterationProgress) => void, refresh?: PackedBootstrap,
): Promise<Ciphertext[]> {
  const refreshAfter = new Set(levels.refreshAfter ?? []);
  if (refreshAfter.size > 0 && refresh === undefined) {
    throw new FheError("MISSING_KEY", operation, `the plan refreshes the weights ${refreshAfter.size} times by bootstrapping: pass a refresh (LocalRefresh with a Bootstrapper)`);
  }
  let v: Ciphertext[] | undefined;
  let w: Ciphertext[] | undefined;
  /** r: w_t is stored times r. */
  let wScale = 1;
  const dispose = (list: readonly Ciphertext[] | undefined) => list?.forEach((ct) => ct.dispose());
  try {
    for (const step of steps) {
      if (refresh !== undefined && refreshAfter.has(step.t)) {
        const refreshed = await refreshIterates(evaluator, refresh, v, w, wScale, await gradient(v, { ...step, kappa: step.kappa / refresh.scaleDown }), step);
        dispose(v);
        dispose(w);
        [v, w, wScale] = refreshed;
        for (const vc of v) settle(vc, levels.vLevels[step.t + 1]!, `v_${step.t + 1} (refreshed)`, operation);
        onIteration?.({ t: step.t, iterations: levels.iterations, level: v[0]!.level });
        continue;
      }
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
        next = h.map((hc, c) => (v === undefined ? evaluator.copy(hc) : momentum(evaluator, v[c]!, w![c]!, hc, step.eta, step.eta / wScale)));
        nextW = step.t + 1 === levels.iterations - 1 ? undefined : v === undefined ? h : h.map((hc, c) => weightsAfter(evaluator, v![c]!, hc, step.eta));
      } finally {
        if (nextW !== h) dispose(h);
      }
      dispose(v);
      dispose(w);
      v = next;
      w = nextW;
      wScale = 1;
      for (const vc of v) settle(vc, levels.vLevels[step.t + 1]!, `v_${step.t + 1}`, operation);
      onIteration?.({ t: step.t, iterations: levels.iterations, level: v[0]!.level });
    }
    throw new FheError("INVALID_ARGUMENT", operation, "internal error: no iteration ran");
  } finally {
    dispose(v);
    dispose(w);
  }
}

/**
 * [v_{t+1}, W_{t+1} = (1 - eta_t) w_{t+1}, 1 - eta_t] from h_t / s (`hScaled`, disposed here) by
 * packing and bootstrapping (refresh.ts), the feature groups' bootstrappings concurrently.
 */
async function refreshIterates(
  evaluator: Evaluator, refresh: PackedBootstrap, v: Ciphertext[] | undefined, w: Ciphertext[] | undefined, wScale: number,
  hScaled: Ciphertext[], step: IterationStep,
): Promise<[Ciphertext[], Ciphertext[], number]> {
  const packed: Ciphertext[] = [];
  try {
    hScaled.forEach((hc, c) => packed.push(packIterates(evaluator, v?.[c], w?.[c], wScale, hc, step.eta, refresh.scaleDown)));
    const parts = await Promise.allSettled(packed.map((p) => refresh.split(p)));
    const failed = parts.find((p) => p.status === "rejected");
    if (failed !== undefined) {
      parts.forEach((p) => p.status === "fulfilled" && p.value.forEach((ct) => ct.dispose()));
      throw failed.reason;
    }
    const split = parts.map((p) => (p as PromiseFulfilledResult<[Ciphertext, Ciphertext]>).value);
    return [split.map((p) => p[0]), split.map((p) => p[1]), 1 - step.eta];
  } finally {
    hScaled.forEach((ct) => ct.dispose());
    packed.forEach((ct) => ct.dispose());
  }
}

/**
 * The packed c = (1 + i) ((1 - eta) v / s + h / s) + (eta / (s r)) W of one weight vector at
 * level 0 (refresh.ts): Re c = v_{t+1} / s, Im c = (1 - eta) w_{t+1} / s. v and W are undefined
 * before the first iteration has produced them (t = 0: v_0 = w_0 = 0); r is `wScale`.
 */
function packIterates(
  evaluator: Evaluator, v: Ciphertext | undefined, w: Ciphertext | undefined, wScale: number, hScaled: Ciphertext, eta: number, scaleDown: number,
): Ciphertext {
  using packed = evaluator.copy(hScaled);
  evaluator.multiplyByIInPlace(packed, 1);
  evaluator.addInPlace(packed, hScaled);
  if (v !== undefined) addScaled(evaluator, packed, v, { re: (1 - eta) / scaleDown, im: (1 - eta) / scaleDown });
  if (w !== undefined) addScaled(evaluator, packed, w, eta / (scaleDown * wScale));
  return evaluator.dropLevel(packed, 0);
}

/** (1 - eta) v + wFactor W + h, at the level of h (wFactor = eta / r for W = r w). */
function momentum(evaluator: Evaluator, v: Ciphertext, w: Ciphertext, h: Ciphertext, eta: number, wFactor: number): Ciphertext {
  const result = evaluator.copy(h);
  try {
    addScaled(evaluator, result, v, 1 - eta);
    addScaled(evaluator, result, w, wFactor);
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
function addScaled(evaluator: Evaluator, target: Ciphertext, source: Ciphertext, factor: number | Complex): void {
  using scaled = evaluator.multiplyConstant(source, factor);
  evaluator.rescaleInPlace(scaled);
  evaluator.addInPlace(target, scaled);
}

function settle(ct: Ciphertext, level: number, what: string, operation: string): void {
  if (ct.level !== level) throw new FheError("INVALID_ARGUMENT", operation, `internal error: ${what} came out at level ${ct.level} instead of the planned ${level}`);
}
