// Compile-time fusion: adjacent linear layers (dense, convolution, pooling, batch normalisation,
// flatten) become one affine map, so a model runs as alternating linear and activation stages
// and every linear stage costs one level however many layers it folds.

import { Polynomial } from "../engine/circuits/polynomial.js";
import { affineFromRows, composeAffine, uniformElementwise, type Affine } from "./affine.js";
import { completeSquares } from "./completed-square.js";
import type { ActivationLayer, AnyLayer, Shape, SoftArgmaxLayer } from "./layers/layer.js";

export interface LinearStage {
  readonly kind: "linear";
  /** Names of the layers folded into this stage, in order. */
  readonly layers: readonly string[];
  readonly map: Affine;
  readonly outputShape: Shape;
}

export interface ActivationStage {
  readonly kind: "activation";
  readonly layers: readonly string[];
  readonly layer: ActivationLayer;
  /**
   * The polynomial evaluated: the layer's own, or, after a linear stage, the same polynomial on
   * [-1, 1] with its interval map folded into that stage (so the map costs no level).
   */
  readonly polynomial: Polynomial;
  readonly outputShape: Shape;
}

/**
 * An n-class Soft-Argmax (or a two-class one returning probabilities): the polynomial on every
 * input, then the normalisation (layers/soft-argmax.ts). Its pre-map is folded into the linear
 * stage before it. A two-class Soft-Argmax returning the index is an ordinary activation stage.
 */
export interface SoftArgmaxStage {
  readonly kind: "softArgmax";
  readonly layers: readonly string[];
  readonly layer: SoftArgmaxLayer;
  /** layer.polynomial, on [-1, 1] once its interval map is folded into the previous stage. */
  readonly polynomial: Polynomial;
  readonly outputShape: Shape;
}

export type Stage = LinearStage | ActivationStage | SoftArgmaxStage;

/** A two-class Soft-Argmax returning the index: sigmoid((x1 − x0) / T), element-wise on one value. */
function sigmoidActivation(layer: SoftArgmaxLayer): ActivationLayer {
  const polynomial = layer.polynomial;
  return {
    kind: "activation", isSquare: false, name: layer.name, inputShape: [1], outputShape: [1], polynomial,
    forwardPlain: (x) => x.map((v) => polynomial.evaluate(v)),
    toSpec: () => layer.toSpec(),
  };
}

/**
 * Fuses `layers` into stages. Flatten is a relabelling and folds for free; a degree-2 polynomial
 * between linear stages becomes a square (nn/completed-square.ts).
 */
export function fuseStages(layers: readonly AnyLayer[]): Stage[] {
  const stages: Stage[] = [];
  let pending: { names: string[]; map: Affine | undefined; shape: Shape } | undefined;
  const flush = () => {
    if (pending?.map !== undefined) stages.push({ kind: "linear", layers: pending.names, map: pending.map, outputShape: pending.shape });
    else if (pending !== undefined && stages.length > 0) stages[stages.length - 1] = { ...stages[stages.length - 1]!, outputShape: pending.shape };
    pending = undefined;
  };
  for (const layer of layers) {
    if (layer.kind === "softArgmax") {
      const map = layer.toAffine();
      pending ??= { names: [], map: undefined, shape: layer.inputShape };
      pending.map = pending.map === undefined ? map : composeAffine(pending.map, map);
      pending.shape = [map.rows];
      flush();
      const names = [layer.name];
      if (layer.classes === 2 && layer.output === "index") {
        stages.push({ kind: "activation", layers: names, layer: sigmoidActivation(layer), polynomial: layer.polynomial, outputShape: layer.outputShape });
      } else {
        stages.push({ kind: "softArgmax", layers: names, layer, polynomial: layer.polynomial, outputShape: layer.outputShape });
      }
      continue;
    }
    if (layer.kind === "activation") {
      flush();
      stages.push({ kind: "activation", layers: [layer.name], layer, polynomial: layer.polynomial, outputShape: layer.outputShape });
      continue;
    }
    pending ??= { names: [], map: undefined, shape: layer.inputShape };
    pending.names.push(layer.name);
    pending.shape = layer.outputShape;
    if (layer.toSpec().type === "flatten") continue;
    const map = layer.toAffine();
    pending.map = pending.map === undefined ? map : composeAffine(pending.map, map);
  }
  flush();
  return completeSquares(foldIntervals(stages));
}

/**
 * For every polynomial activation that follows a linear stage: the polynomial rewritten on
 * [-1, 1] and its interval map t = scale·x + shift composed into that stage (so it costs no level).
 */
function foldIntervals(stages: readonly Stage[]): Stage[] {
  const out = [...stages];
  for (let i = 1; i < out.length; i++) {
    const previous = out[i - 1]!;
    const stage = out[i]!;
    if (stage.kind === "linear" || previous.kind !== "linear" || (stage.kind === "activation" && stage.layer.isSquare)) continue;
    const polynomial = stage.polynomial.toChebyshev();
    const [a, b] = polynomial.interval;
    if (a === -1 && b === 1) continue;
    const { scale, shift } = polynomial.change;
    const size = previous.map.rows;
    out[i - 1] = { ...previous, map: composeAffine(previous.map, uniformElementwise(size, scale, shift)) };
    out[i] = { ...stage, polynomial: Polynomial.chebyshev(polynomial.coefficients, [-1, 1]) };
  }
  return out;
}
