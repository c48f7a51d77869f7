// The Differentiable Soft-Argmax of the HNN paper (Florencio et al., arXiv 2502.16176):
// Σ_i softmax(x / T)_i · i, the expected class index, as the last layer of a model, so that
// whoever decrypts sees one number instead of the scores.
//
// Encrypted form (what forwardPlain computes in float64, operation for operation):
// - two classes: s = sigmoid((x1 − x0) / T), a minimax polynomial on `interval` (the range of
//   (x1 − x0) / T); s is the expected index and P(class 1);
// - n classes: y_i = (x_i − mean(x)) / T (an affine map folded into the previous linear stage),
//   ê_i = e(y_i) with e a minimax polynomial of exp(y) / n on `interval` (the range of y), the sum
//   S = Σ ê_i (at least about 1 since mean(y) = 0), r = 1/S by a Goldschmidt iteration plan on
//   `sumInterval`, and E = (Σ i·ê_i)·r; the index weights are formed by additions only (suffix
//   sums), so E costs one product after r.

import { evaluatePlan, inversePlan, type IterationPlan } from "../../engine/circuits/approx/inverse.js";
import { minimax } from "../../engine/circuits/approx/remez.js";
import { sigmoidFunction } from "../../engine/circuits/approx/functions.js";
import type { Polynomial } from "../../engine/circuits/polynomial.js";
import { describe } from "../../engine/ring/errors.js";
import { affineFromRows, applyAffine, type Affine } from "../affine.js";
import { finiteArray, requireModel } from "../errors.js";
import type { SoftArgmaxSpec } from "../model-spec.js";
import { formatShape, type Shape, type SoftArgmaxLayer } from "./layer.js";

/** Most classes a Soft-Argmax layer takes (one ciphertext per class in batch packing). */
export const maxSoftArgmaxClasses = 256;
/** Default relative precision of 1/S. */
export const defaultInversePrecision = 1e-3;

/** The expected index Σ i·p_i of probabilities p (any non-negative weights summing to 1). */
export function expectedIndex(p: ArrayLike<number>): number {
  let e = 0;
  for (let i = 1; i < p.length; i++) e += i * p[i]!;
  return e;
}

/** The exact softmax(x / T) in float64 (max-shifted, no overflow). */
export function softmax(x: ArrayLike<number>, temperature: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]!);
  const p = Float64Array.from({ length: x.length }, (_, i) => Math.exp((x[i]! - max) / temperature));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

export class SoftArgmax implements SoftArgmaxLayer {
  readonly kind = "softArgmax";
  readonly name: string;
  readonly classes: number;
  readonly temperature: number;
  /** "index": one output, the expected index; "probabilities": the n class probabilities. */
  readonly output: "index" | "probabilities";
  readonly outputShape: Shape;
  /** Two classes: the sigmoid polynomial of (x1 − x0) / T; n classes: the polynomial of exp(y) / n. */
  readonly polynomial: Polynomial;
  /** Its measured max error on the interval (absolute). */
  readonly polynomialError: number;
  /** n classes: the plan for 1/S on sumInterval; undefined for two classes. */
  readonly inverse?: IterationPlan;
  readonly #spec: SoftArgmaxSpec;
  readonly #preMap: Affine;

  constructor(readonly inputShape: Shape, spec: SoftArgmaxSpec, operation: string) {
    this.name = spec.name ?? "softArgmax";
    const what = `softArgmax layer '${this.name}'`;
    requireModel(inputShape.length === 1 && inputShape[0]! >= 2 && inputShape[0]! <= maxSoftArgmaxClasses, operation,
      `${what} takes a vector of 2 to ${maxSoftArgmaxClasses} logits, got shape ${formatShape(inputShape)}: put a dense layer before it`);
    this.classes = inputShape[0]!;
    requireModel(typeof spec.temperature === "number" && Number.isFinite(spec.temperature) && spec.temperature > 0, operation,
      `temperature of ${what} must be a positive finite number, got ${describe(spec.temperature)}`);
    this.temperature = spec.temperature;
    const output = spec.output ?? "index";
    requireModel(output === "index" || output === "probabilities", operation, `output of ${what} must be "index" or "probabilities", got ${describe(output)}`);
    this.output = output;
    this.outputShape = [output === "index" ? 1 : this.classes];
    const interval = finiteArray(spec.interval, 2, operation, `interval of ${what}`);
    requireModel(interval[0]! < interval[1]!, operation, `interval of ${what} must be [a, b] with a < b`);
    const degree = spec.degree;
    requireModel(Number.isSafeInteger(degree) && degree >= 1 && degree <= 63, operation, `degree of ${what} must be an integer from 1 to 63, got ${describe(degree)}`);
    const range = [interval[0]!, interval[1]!] as const;
    if (this.classes === 2) {
      const fit = minimax(sigmoidFunction, { interval: range, degree });
      this.polynomial = fit.poly;
      this.polynomialError = fit.maxError;
    } else {
      requireModel(range[1] > 0 && range[0] < 0, operation,
        `interval of ${what} bounds the centred logits (x − mean x) / T, so it must contain 0, got [${range.join(", ")}]`);
      const n = this.classes;
      const fit = minimax((y) => Math.exp(y) / n, { interval: range, degree });
      this.polynomial = fit.poly;
      this.polynomialError = fit.maxError;
      const sum = finiteArray(spec.sumInterval, 2, operation, `sumInterval of ${what}`);
      requireModel(sum[0]! > 0 && sum[0]! < 1 && sum[1]! > 1, operation,
        `sumInterval of ${what} bounds Σ exp(y_i) / n, which is at least 1: it must be [a, b] with 0 < a < 1 < b, got [${Array.from(sum).join(", ")}]`);
      const precision = spec.precision ?? defaultInversePrecision;
      requireModel(typeof precision === "number" && precision > 0 && precision < 0.5, operation,
        `precision of ${what} (relative error of 1/S) must be in (0, 0.5), got ${describe(precision)}`);
      this.inverse = inversePlan({ interval: [sum[0]!, sum[1]!], precision: precision / sum[0]! });
    }
    this.#spec = spec;
    this.#preMap = preMap(this.classes, this.temperature);
  }

  /**
   * The affine map from the logits to the polynomial's input: (x1 − x0) / T for two classes,
   * (x − mean x) / T for n classes. Folded into the previous linear stage.
   */
  toAffine(): Affine {
    return this.#preMap;
  }

  /** The float64 twin: the same polynomials and iterations as the encrypted layer. */
  forwardPlain(x: Float64Array): Float64Array {
    const z = applyAffine(this.#preMap, x);
    if (this.classes === 2) {
      const s = this.polynomial.evaluate(z[0]!);
      return this.output === "index" ? Float64Array.of(s) : Float64Array.of(1 - s, s);
    }
    const { values: e, inverse: r } = this.normalize(z);
    return this.output === "index" ? Float64Array.of(expectedIndex(e) * r) : e.map((v) => v * r);
  }

  /**
   * n classes: ê_i = e(y_i) for inputs y already mapped (no centring here), their sum S and
   * r = 1/S by the inverse plan, in float64, as the encrypted layer computes them; ê_i r are
   * the probabilities. S must lie in sumInterval for r to be within the plan's precision.
   */
  normalize(y: ArrayLike<number>): { values: Float64Array; sum: number; inverse: number } {
    if (this.inverse === undefined) throw new TypeError("normalize needs a Soft-Argmax layer of more than 2 classes");
    const values = Float64Array.from({ length: y.length }, (_, i) => this.polynomial.evaluate(y[i]!));
    const sum = values.reduce((a, b) => a + b, 0);
    return { values, sum, inverse: evaluatePlan(this.inverse, sum) };
  }

  /** The exact layer (float64 softmax, no approximation): the reference the approximations are measured against. */
  forwardExact(x: Float64Array): Float64Array {
    const p = softmax(x, this.temperature);
    return this.output === "index" ? Float64Array.of(expectedIndex(p)) : p;
  }

  toSpec(): SoftArgmaxSpec {
    return { ...this.#spec, name: this.name };
  }
}

/** (x1 − x0) / T for two classes, (x − mean x) / T for n. */
function preMap(n: number, t: number): Affine {
  if (n === 2) return affineFromRows(1, 2, new Float64Array(1), (_, push) => { push(0, -1 / t); push(1, 1 / t); });
  return affineFromRows(n, n, new Float64Array(n), (j, push) => {
    for (let i = 0; i < n; i++) push(i, ((i === j ? 1 : 0) - 1 / n) / t);
  });
}
