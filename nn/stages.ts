// Compile-time fusion: adjacent linear layers (dense, convolution, pooling, batch normalisation,
// flatten) become one affine map, so a model runs as alternating linear and activation stages
// and every linear stage costs one level however many layers it folds.

import { Polynomial } from "../engine/circuits/polynomial.js";
import { affineFromRows, composeAffine, type Affine } from "./affine.js";
import type { ActivationLayer, AnyLayer, Shape } from "./layers/layer.js";

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

export type Stage = LinearStage | ActivationStage;

/** Fuses `layers` into stages. Flatten is a relabelling and folds for free. */
export function fuseStages(layers: readonly AnyLayer[]): Stage[] {
  const stages: Stage[] = [];
  let pending: { names: string[]; map: Affine | undefined; shape: Shape } | undefined;
  const flush = () => {
    if (pending?.map !== undefined) stages.push({ kind: "linear", layers: pending.names, map: pending.map, outputShape: pending.shape });
    else if (pending !== undefined && stages.length > 0) stages[stages.length - 1] = { ...stages[stages.length - 1]!, outputShape: pending.shape };
    pending = undefined;
  };
  for (const layer of layers) {
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
  return stages.map((stage, i) => foldIntervalInto(stages[i - 1], stage)).map((stage, i, all) =>
    (stage.kind === "linear" && all[i + 1]?.kind === "activation" ? withChange(stage, all[i + 1] as ActivationStage, stages[i + 1]!) : stage));
}

/** The polynomial of an activation that follows a linear stage, rewritten on [-1, 1] (its interval map moves into that stage). */
function foldIntervalInto(previous: Stage | undefined, stage: Stage): Stage {
  if (stage.kind !== "activation" || previous?.kind !== "linear" || stage.layer.isSquare) return stage;
  const polynomial = stage.layer.polynomial.toChebyshev();
  const [a, b] = polynomial.interval;
  if (a === -1 && b === 1) return stage;
  return { ...stage, polynomial: Polynomial.chebyshev(polynomial.coefficients, [-1, 1]) };
}

/** `stage` followed by the change of variable t = scale·x + shift of the original activation's interval. */
function withChange(stage: LinearStage, folded: ActivationStage, original: Stage): LinearStage {
  if (original.kind !== "activation" || folded.polynomial === original.polynomial) return stage;
  const { scale, shift } = original.polynomial.toChebyshev().change;
  const size = stage.map.rows;
  const change = affineFromRows(size, size, new Float64Array(size).fill(shift), (j, push) => push(j, scale));
  return { ...stage, map: composeAffine(stage.map, change) };
}
