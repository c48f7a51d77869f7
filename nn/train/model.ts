// A sequence of trainable layers: forward pass, variables, batch statistics, export to ModelSpec.

import * as tf from "@tensorflow/tfjs";
import { MODEL_FORMAT, MODEL_VERSION, type ModelSpec } from "../model-spec.js";
import { buildLayers, type LayerConfig, type Mode, type TrainableLayer } from "./layers.js";
import type { SeededRandom } from "../random.js";

export class TrainableModel {
  readonly layers: readonly TrainableLayer[];

  /** Builds `configs` on items of `inputShape`, initial weights from `random`. */
  constructor(readonly name: string, readonly inputShape: readonly number[], configs: readonly LayerConfig[], random: SeededRandom) {
    this.layers = buildLayers(inputShape, configs, random);
  }

  /** Every trainable variable, layer by layer. */
  get variables(): tf.Variable[] {
    return this.layers.flatMap((layer) => layer.variables);
  }

  /** Logits of a batch [batch, ...inputShape]. `observe` sees every layer's output. */
  forward(x: tf.Tensor, mode: Mode, observe?: (layer: TrainableLayer, output: tf.Tensor) => void): tf.Tensor {
    let y = x;
    for (const layer of this.layers) {
      y = layer.apply(y, mode);
      observe?.(layer, y);
    }
    return y;
  }

  /** Folds the last training batch's statistics into the batch-normalisation layers. */
  commit(): void {
    for (const layer of this.layers) layer.commit?.();
  }

  /** The weights as read now, in the model file format. */
  toSpec(metadata: Record<string, unknown>): ModelSpec {
    return {
      format: MODEL_FORMAT, version: MODEL_VERSION, name: this.name, inputShape: [...this.inputShape],
      layers: this.layers.map((layer) => layer.toSpec()), metadata,
    };
  }
}
