// The server's work on its share of the encrypted data for softmax training: the partial
// gradients h_{t,c} = kappa_t sum_i (y_ic - p_ic) x~_i of one iteration, one ciphertext per class,
// over the data ciphertexts it holds. Shards add up: h_t is the sum of their results.
//
// Iteration 0 (W = 0, so p = 1/C): per class c and data ciphertext, the labels masked to offset c
// (the step kappa_0 folded into the mask), rotated left by c + 1 (composed of the power-of-two
// keys) and replicated over their sample's block (softmax-layout.ts), times X, summed over the
// ciphertexts and blocks: Y'_c = kappa_0 sum_i y_ic x~_i (2 levels), kept for every later
// iteration; h_0,c = Y'_c - (kappa_0 / C) sum_i x~_i.
// Iteration t >= 1 on v_t (softmax-plan.ts has the levels): per data ciphertext X and class c,
//   l_c = rotate-and-sum_{1..f/2}(X ⊙ v_c): the last slot of block s holds sample s + 1's logit;
//   l_c ⊙ (block-end mask): every other slot 0, so e(0) and S = C e(0) ~ 1 there;
//   e_c = exp(l_c) / C (polynomial), S = sum_c e_c, r = 1/S (Goldschmidt), both of the layer;
//   p_c = (-kappa_t mask ⊙ e_c) r: the mask and step multiply e_c while r is computed;
//   replicated over the block (rotate-and-sum), rotated by -f onto its sample, times X;
// summed over the ciphertexts (one relinearization per class and shard) and blocks, plus
// (kappa_t / kappa_0) Y'_c. Every rotation acts on a product before its rescale (gradient.ts).
// Scales: the masks' plaintext scales are solved for so that the masked logits and e_c land where
// the polynomials fold their change of interval, and h_t exactly at the parameters' scale.

import "../../engine/ring/dispose-symbols.js";
import type { Ciphertext } from "../../engine/ciphertext.js";
import { IterationEvaluator } from "../../engine/circuits/iteration-eval.js";
import type { LevelScale } from "../../engine/circuits/plan.js";
import { settleToPlan } from "../../engine/circuits/plan-execution.js";
import { PolynomialEvaluator } from "../../engine/circuits/poly-eval.js";
import { sumSlots } from "../../engine/circuits/slots.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { droppedModulus } from "../../engine/evaluator/alignment.js";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";
import type { Plaintext } from "../../engine/plaintext.js";
import { FheError } from "../../engine/ring/errors.js";
import type { SoftArgmax } from "../layers/soft-argmax.js";
import { scaledBlockSum, sumBlocks } from "./gradient.js";
import { blockEndMask, blockOffsetMask } from "./layout.js";
import type { IterationStep } from "./schedule.js";
import type { SoftmaxStepPlan, SoftmaxTrainingPlan } from "./softmax-plan.js";
import { checkSoftmaxOptions, softmaxLayer, type SoftmaxTrainingOptions } from "./softmax-schedule.js";

const operation = "compute softmax gradient";

/** One data ciphertext (features) with its label ciphertext and its index in the packing. */
export interface SoftmaxDataCiphertext {
  readonly index: number;
  readonly features: Ciphertext;
  readonly labels: Ciphertext;
}

/**
 * Computes partial softmax gradients over a set of data ciphertexts, for the plan it was made
 * with. Needs an evaluator with the relinearization key and the Galois keys of
 * plan.galoisSteps. Owns neither the data nor the keys; owns Y'_c after iteration 0 (dispose()).
 */
export class SoftmaxShard implements Disposable {
  readonly #encoder: Encoder;
  readonly #polynomials: PolynomialEvaluator;
  readonly #inverse: IterationEvaluator;
  readonly #layer: SoftArgmax;
  #labelTerms: { readonly kappa: number; readonly terms: Ciphertext[] } | undefined;

  constructor(readonly evaluator: Evaluator, readonly plan: SoftmaxTrainingPlan, options: SoftmaxTrainingOptions, readonly data: readonly SoftmaxDataCiphertext[]) {
    this.#encoder = new Encoder(evaluator.params);
    this.#polynomials = new PolynomialEvaluator(evaluator);
    this.#inverse = new IterationEvaluator(evaluator);
    this.#layer = softmaxLayer(plan.layout.classes, checkSoftmaxOptions(options, operation), operation);
    if (data.length === 0) throw new FheError("INVALID_ARGUMENT", operation, "a shard needs at least one data ciphertext");
  }

  /** h_t (one new ciphertext per class) over this shard's data; v_t undefined at t = 0, which must come first. */
  gradient(v: readonly Ciphertext[] | undefined, step: IterationStep): Ciphertext[] {
    if (v === undefined) {
      if (step.t !== 0) throw new FheError("INVALID_ARGUMENT", operation, `iteration ${step.t} needs the weights v_t`);
      return this.firstGradient(step.kappa);
    }
    const planned = this.plan.steps[step.t];
    if (planned === undefined || this.#labelTerms === undefined) {
      throw new FheError("INVALID_ARGUMENT", operation, `iteration ${step.t} is not a later iteration of the plan, or iteration 0 has not run`);
    }
    if (v.length !== this.plan.layout.classes || v.some((vc) => vc.level !== planned.vLevel)) {
      throw new FheError("INVALID_ARGUMENT", operation, `expected ${this.plan.layout.classes} weight ciphertexts at level ${planned.vLevel}`);
    }
    return this.laterGradient(v, step.kappa, planned);
  }

  /** Disposes Y'_c. */
  dispose(): void {
    this.#labelTerms?.terms.forEach((ct) => ct.dispose());
    this.#labelTerms = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private get classes(): number {
    return this.plan.layout.classes;
  }

  private encodeMask(values: Float64Array, level: number, scale: number): Plaintext {
    return this.#encoder.encode(values, { level, scale, slots: this.evaluator.params.maxSlots });
  }

  private q(level: number): number {
    return Number(droppedModulus(this.evaluator.params, level));
  }

  /** Y'_c, kept, and h_0,c = Y'_c - (kappa_0 / C) sum x~, two levels below the data. */
  private firstGradient(kappa: number): Ciphertext[] {
    const ev = this.evaluator;
    const { layout, inputLevel: level, dataScale } = this.plan;
    const outputScale = ev.params.scale;
    // Labels and data at dataScale: the product lands at Δ after the two rescales.
    const maskScale = (outputScale * this.q(level) * this.q(level - 1)) / (dataScale * dataScale);
    const masks = Array.from({ length: this.classes }, (_, c) => this.encodeMask(blockOffsetMask(layout, c, kappa), level, maskScale));
    this.dispose();
    try {
      const terms = this.perClassSums((d) => masks.map((mask, c) => {
        using picked = ev.multiplyPlain(d.labels, mask);
        ev.rotateInPlace(picked, c + 1);
        const spread = sumSlots(ev, picked, { count: layout.blockSize });
        ev.rescaleInPlace(spread);
        return spread;
      }), { level: level - 2, scale: outputScale }, "Y'_c");
      this.#labelTerms = { kappa, terms };
    } finally {
      masks.forEach((m) => m.dispose());
    }
    using mean = scaledBlockSum(ev, layout, this.data.map((d) => d.features), kappa / this.classes);
    return this.#labelTerms.terms.map((term) => ev.sub(term, mean));
  }

  private laterGradient(v: readonly Ciphertext[], kappa: number, planned: SoftmaxStepPlan): Ciphertext[] {
    const ev = this.evaluator;
    const { layout } = this.plan;
    const masks: Plaintext[] = [];
    try {
      const sums = this.perClassSums((d) => this.residuals(d.features, v, kappa, planned, masks).map((p) => {
        try {
          const spread = sumSlots(ev, p, { count: layout.blockSize });
          if (layout.samplesPerSet > 1) ev.rotateInPlace(spread, -layout.blockSize);
          ev.rescaleInPlace(spread);
          return spread;
        } finally {
          p.dispose();
        }
      }), planned.output, `the residual sum of iteration ${planned.t}`);
      const { kappa: kappa0, terms } = this.#labelTerms!;
      sums.forEach((sum, c) => {
        using label = ev.multiplyConstant(terms[c]!, kappa / kappa0);
        ev.rescaleInPlace(label);
        ev.addInPlace(sum, label);
        settleToPlan(sum, planned.output, operation, `h_${planned.t} of class ${c}`);
      });
      return sums;
    } finally {
      masks.forEach((m) => m.dispose());
    }
  }

  /**
   * -kappa mask ⊙ p_c of one data ciphertext, relinearized and not rescaled, one per class (new).
   * `masks` caches the iteration's two mask plaintexts: [logit mask, residual mask].
   */
  private residuals(x: Ciphertext, v: readonly Ciphertext[], kappa: number, planned: SoftmaxStepPlan, masks: Plaintext[]): Ciphertext[] {
    const ev = this.evaluator;
    const { layout, dataScale } = this.plan;
    const { exp, inverse, logits } = planned;
    const values: Ciphertext[] = [];
    const results: Ciphertext[] = [];
    try {
      for (let c = 0; c < this.classes; c++) {
        using product = ev.mulRelin(x, v[c]!);
        using sums = sumSlots(ev, product, { count: layout.blockSize });
        ev.rescaleInPlace(sums);
        masks[0] ??= this.encodeMask(blockEndMask(layout, 1), sums.level, (logits.scale * this.q(sums.level)) / sums.scale);
        using masked = ev.multiplyPlain(sums, masks[0]);
        ev.rescaleInPlace(masked);
        settleToPlan(masked, logits, operation, `the masked logits of class ${c}`);
        const e = this.#polynomials.evaluate(masked, this.#layer.polynomial, { targetScale: exp.output.scale });
        values.push(e);
        settleToPlan(e, exp.output, operation, `exp of class ${c}`);
      }
      using sum = ev.copy(values[0]!);
      for (const e of values.slice(1)) ev.addInPlace(sum, e);
      using r = this.#inverse.evaluate(sum, this.#layer.inverse!);
      settleToPlan(r, inverse.output, operation, "1/S");
      // h = (s_e sigma / q_e) (s_r / q_r) (s_x / q_{r-1}) must be the parameters' scale.
      const rLevel = r.level;
      const sigma = (ev.params.scale * this.q(rLevel - 1) * this.q(rLevel) * this.q(exp.output.level)) / (dataScale * r.scale * exp.output.scale);
      masks[1] ??= this.encodeMask(blockEndMask(layout, -kappa), exp.output.level, sigma);
      for (const e of values) {
        using weighted = ev.multiplyPlain(e, masks[1]);
        ev.rescaleInPlace(weighted);
        ev.dropLevelInPlace(weighted, rLevel);
        results.push(ev.mulRelin(weighted, r));
      }
      return results;
    } catch (error) {
      results.forEach((ct) => ct.dispose());
      throw error;
    } finally {
      values.forEach((ct) => ct.dispose());
    }
  }

  /**
   * For every class c: sum over the data ciphertexts d of spreads(d)[c] ⊙ X_d (the spreads one
   * level below their inputs, new, disposed here), relinearized once, summed over the blocks and
   * rescaled to `at` (new ciphertexts).
   */
  private perClassSums(spreads: (d: SoftmaxDataCiphertext) => Ciphertext[], at: LevelScale, what: string): Ciphertext[] {
    const ev = this.evaluator;
    const sums: Ciphertext[] = [];
    const results: Ciphertext[] = [];
    try {
      for (const d of this.data) {
        const parts = spreads(d);
        try {
          parts.forEach((part, c) => {
            if (sums[c] === undefined) sums[c] = ev.multiply(part, d.features);
            else {
              using product = ev.multiply(part, d.features);
              ev.addInPlace(sums[c]!, product);
            }
          });
        } finally {
          parts.forEach((part) => part.dispose());
        }
      }
      for (const sum of sums) {
        ev.relinearizeInPlace(sum);
        const total = sumBlocks(ev, this.plan.layout, sum);
        results.push(total);
        ev.rescaleInPlace(total);
        settleToPlan(total, at, operation, what);
      }
      return results;
    } catch (error) {
      results.forEach((ct) => ct.dispose());
      throw error;
    } finally {
      sums.forEach((ct) => ct.dispose());
    }
  }
}
