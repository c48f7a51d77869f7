// Random model specs and independent float64 references for the nn tests.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { FASHION_MNIST_DIRECTORY } from "../../nn/data/mnist.js";
import { MODEL_FORMAT, MODEL_VERSION, Sequential, type LayerSpec, type ModelSpec } from "../../nn/index.js";

/** True when Debian's dataset-fashion-mnist is installed (its tests skip otherwise). */
export const fashionMnistInstalled = existsSync(join(FASHION_MNIST_DIRECTORY, "t10k-images-idx3-ubyte.gz"));

/** A seeded xorshift generator of floats in [-1, 1). */
export function seededRandom(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

export function randomArray(length: number, random: () => number, scale = 1): number[] {
  return Array.from({ length }, () => random() * scale);
}

export function spec(inputShape: number[], layers: LayerSpec[]): ModelSpec {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, name: "test", inputShape, layers };
}

/**
 * A direct convolution written from the definition, independent of nn/layers/conv2d.ts: the
 * input is zero-padded into a larger array first, then every output sums its window.
 */
export function referenceConv(
  x: ArrayLike<number>, [h, w, c]: [number, number, number], kernel: readonly number[], bias: readonly number[], filters: number,
  [kh, kw]: [number, number], [sh, sw]: [number, number], [top, bottom, left, right]: [number, number, number, number],
): number[] {
  const ph = h + top + bottom;
  const pw = w + left + right;
  const padded = new Float64Array(ph * pw * c);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) padded[((i + top) * pw + j + left) * c + k] = x[(i * w + j) * c + k]!;
  const oh = Math.floor((ph - kh) / sh) + 1;
  const ow = Math.floor((pw - kw) / sw) + 1;
  const out: number[] = [];
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      for (let f = 0; f < filters; f++) {
        let sum = bias[f]!;
        for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let k = 0; k < c; k++) {
          sum += padded[((i * sh + a) * pw + j * sw + b) * c + k]! * kernel[((a * kw + b) * c + k) * filters + f]!;
        }
        out.push(sum);
      }
    }
  }
  return out;
}

/** Geometry of {@link smallCnn}: a side × side × 1 input, a 3×3 convolution, a dense layer of `units`. */
export interface SmallCnnShape {
  readonly side: number;
  readonly filters: number;
  readonly stride: number;
  readonly padding: [number, number, number, number];
  readonly units: number;
}

/** Conv 3×3 → square → flatten → dense → degree-3 Chebyshev polynomial on [-4, 4] → dense 3, random weights (depth 6). */
export function smallCnn(seed: number, { side, filters, stride, padding, units }: SmallCnnShape): Sequential {
  const random = seededRandom(seed);
  const out = (size: number, before: number, after: number) => Math.floor((size + before + after - 3) / stride) + 1;
  const features = out(side, padding[0], padding[1]) * out(side, padding[2], padding[3]) * filters;
  const layers: LayerSpec[] = [
    { type: "conv2d", filters, kernelSize: [3, 3], strides: [stride, stride], padding, kernel: randomArray(9 * filters, random, 0.5), bias: randomArray(filters, random, 0.1) },
    { type: "square" },
    { type: "flatten" },
    { type: "dense", units, kernel: randomArray(features * units, random, 0.2), bias: randomArray(units, random, 0.1) },
    { type: "polyActivation", basis: "chebyshev", interval: [-4, 4], coefficients: [0.3, 0.5, 0.2, -0.05], approximates: "relu" },
    { type: "dense", units: 3, kernel: randomArray(3 * units, random), bias: randomArray(3, random) },
  ];
  return Sequential.fromSpec(spec([side, side, 1], layers));
}

/**
 * CryptoNets' architecture on size×size images (default 12): conv 5×5 stride 2 (5 maps, one row
 * and column of padding: bottom-right by default, top-left as the shipped model) → square →
 * dense →16 → square → dense 16→10.
 */
export function smallCryptoNets(seed: number, size = 12, padding: readonly [number, number, number, number] = [0, 1, 0, 1]): Sequential {
  const random = seededRandom(seed);
  const side = Math.floor((size + 1 - 5) / 2) + 1;
  const layers: LayerSpec[] = [
    { type: "conv2d", filters: 5, kernelSize: [5, 5], strides: [2, 2], padding, kernel: randomArray(125, random, 0.3), bias: randomArray(5, random, 0.1) },
    { type: "square" },
    { type: "flatten" },
    { type: "dense", units: 16, kernel: randomArray(side * side * 5 * 16, random, 0.1), bias: randomArray(16, random, 0.1) },
    { type: "square" },
    { type: "dense", units: 10, kernel: randomArray(160, random, 0.3), bias: randomArray(10, random, 0.1) },
  ];
  return Sequential.fromSpec(spec([size, size, 1], layers));
}
