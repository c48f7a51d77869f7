// The multiplicative depth of a model, by the accounting the encrypted planner budgets with.

import type { LayerSpec } from "../model-spec.js";

/**
 * Levels a layer consumes: conv2d and dense 1 (a plaintext product and a rescale), square 1, a
 * polynomial of degree d ceil(log2(d + 1)); batchNorm, avgPool2d and flatten 0 (folded into the
 * neighbouring linear layer or free).
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
      return Math.ceil(Math.log2(degree + 1));
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
