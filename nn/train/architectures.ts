// The two reproduced architectures and how each is trained.

import type { LayerConfig } from "./layers.js";
import { reluPolynomial } from "./poly-activation.js";

export type ArchitectureName = "cryptonets" | "cryptodl";

export interface Architecture {
  readonly name: ArchitectureName;
  readonly description: string;
  readonly inputShape: readonly [number, number, number];
  readonly layers: readonly LayerConfig[];
  readonly batchSize: number;
  /** Training images are moved by up to this many pixels each way (0: no augmentation). */
  readonly maxShift: number;
  readonly defaultEpochs: number;
  /** Adam's learning rate for epoch e (0-based) of `epochs`. */
  readonly learningRate: (epoch: number, epochs: number) => number;
}

/** Exponential decay from `first` (epoch 0) to `last` (final epoch). */
function decay(first: number, last: number): (epoch: number, epochs: number) => number {
  return (epoch, epochs) => (epochs <= 1 ? first : first * (last / first) ** (epoch / (epochs - 1)));
}

/**
 * CryptoNets (Gilad-Bachrach et al. 2016): the 28 x 28 image padded to 29 x 29 by one zero row
 * at the top and one zero column at the left (padding [1, 0, 1, 0], as the paper pads "the upper
 * side and left side"), conv 5 x 5 stride 2 with 5 maps (13 x 13 x 5 = 845), square, dense
 * 845 -> 100, square, dense 100 -> 10 logits. Depth 5. Small initial weights keep the squares
 * from blowing up.
 */
export const cryptonets: Architecture = {
  name: "cryptonets",
  description: "pad [1,0,1,0] -> conv 5x5/2 x5 -> square -> flatten -> dense 845->100 -> square -> dense 100->10",
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv2d", name: "conv1", filters: 5, kernelSize: [5, 5], strides: [2, 2], padding: [1, 0, 1, 0], useBias: true, initScale: 0.5 },
    { type: "square", name: "square1" },
    { type: "flatten", name: "flatten" },
    { type: "dense", name: "dense1", units: 100, useBias: true, initScale: 0.5 },
    { type: "square", name: "square2" },
    { type: "dense", name: "dense2", units: 10, useBias: true, initScale: 0.5 },
  ],
  batchSize: 64,
  maxShift: 2,
  defaultEpochs: 25,
  learningRate: decay(1e-3, 3e-5),
};

/** ReLU's degree-2 minimax polynomial on [-4, 4]: 2 levels, the activation of the CryptoDL-style model. */
const relu2 = reluPolynomial([-4, 4], 2);
const momentum = 0.99;
const epsilon = 1e-3;

/**
 * CryptoDL-style (Hesamifard et al. 2017): conv 5 x 5 x 8 -> BN -> poly -> avgpool 2 -> conv
 * 5 x 5 x 16 -> BN -> poly -> avgpool 2 -> flatten (256) -> dense 100 -> BN -> poly -> dense 10,
 * poly the degree-2 minimax approximation of ReLU on [-4, 4], trained in place. Depth
 * 1 + 2 + 1 + 2 + 1 + 2 + 1 = 10 of inference14's 12 levels.
 */
export const cryptodl: Architecture = {
  name: "cryptodl",
  description: "conv 5x5 x8 -> BN -> relu~poly2 -> avgpool 2 -> conv 5x5 x16 -> BN -> relu~poly2 -> avgpool 2 -> flatten 256 -> dense 100 -> BN -> relu~poly2 -> dense 10",
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv2d", name: "conv1", filters: 8, kernelSize: [5, 5], strides: [1, 1], padding: [0, 0, 0, 0], useBias: false },
    { type: "batchNorm", name: "bn1", momentum, epsilon },
    { type: "polyActivation", name: "poly1", poly: relu2, approximates: "relu" },
    { type: "avgPool2d", name: "pool1", poolSize: [2, 2] },
    { type: "conv2d", name: "conv2", filters: 16, kernelSize: [5, 5], strides: [1, 1], padding: [0, 0, 0, 0], useBias: false },
    { type: "batchNorm", name: "bn2", momentum, epsilon },
    { type: "polyActivation", name: "poly2", poly: relu2, approximates: "relu" },
    { type: "avgPool2d", name: "pool2", poolSize: [2, 2] },
    { type: "flatten", name: "flatten" },
    { type: "dense", name: "dense1", units: 100, useBias: false },
    { type: "batchNorm", name: "bn3", momentum, epsilon },
    { type: "polyActivation", name: "poly3", poly: relu2, approximates: "relu" },
    { type: "dense", name: "dense2", units: 10, useBias: true },
  ],
  batchSize: 64,
  maxShift: 2,
  defaultEpochs: 15,
  learningRate: decay(2e-3, 5e-5),
};

export const architectures: Readonly<Record<ArchitectureName, Architecture>> = { cryptonets, cryptodl };
