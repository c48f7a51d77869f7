// The multiplicative depth of a model, by the accounting the encrypted planner budgets with.

import { inversePlan } from "../../engine/circuits/approx/inverse.js";
import { defaultInversePrecision } from "../layers/soft-argmax.js";
import type { LayerSpec } from "../model-spec.js";

const polynomialDepth = (degree: number): number => Math.ceil(Math.log2(degree + 1));

/**
 * Levels a layer consumes: conv2d and dense 1 (a plaintext product and a rescale), square 1, a
 * polynomial of degree d ceil(log2(d + 1)); batchNorm, avgPool2d and flatten 0 (folded into the
 * neighbouring linear layer or free); softArgmax its polynomial's levels, plus for n classes
 * (a sumInterval) the inverse's levels and one product.
 */
export function layerDepth(layer: LayerSpec): number {
  switch (layer.type) {
    case "conv2d":
    case "dense":
    case "square":
      return 1;
    case "polyActivation": {
      let degree = layer.coefficients.length - 1;
      while (degree > 0 && layer.coefficients[degree] === 0) degree--;
      return polynomialDepth(degree);
    }
    case "softArgmax": {
      if (layer.sumInterval === undefined) return polynomialDepth(layer.degree);
      const [a, b] = layer.sumInterval;
      const inverse = inversePlan({ interval: [a, b], precision: (layer.precision ?? defaultInversePrecision) / a });
      return polynomialDepth(layer.degree) + inverse.depth + 1;
    }
    case "batchNorm":
    case "avgPool2d":
    case "flatten":
      return 0;
  }
}

/** Sum of {@link layerDepth} over the layers. */
export function modelDepth(layers: readonly LayerSpec[]): number {
  return layers.reduce((sum, layer) => sum + layerDepth(layer), 0);
}
