// A float64 forward pass of a ModelSpec, written for obviousness, not speed: the oracle the
// import tests compare with TensorFlow.js's own predictions. Tensors are channels-last
// (row, column, channel), flattened row-major, as in model-spec.ts.

import type { LayerSpec, ModelSpec, Padding4 } from "../../nn/model-spec.js";

interface Tensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** The model's output for one input (flattened channels-last, length = product of inputShape). */
export function forwardSpec(spec: ModelSpec, input: readonly number[]): number[] {
  let x: Tensor = { shape: spec.inputShape, data: input };
  if (input.length !== spec.inputShape.reduce((a, b) => a * b, 1)) throw new Error("input length does not match inputShape");
  for (const layer of spec.layers) x = forwardLayer(layer, x);
  return [...x.data];
}

function forwardLayer(layer: LayerSpec, x: Tensor): Tensor {
  switch (layer.type) {
    case "dense": return dense(layer.units, layer.kernel, layer.bias, x);
    case "conv2d": return conv2d(layer.filters, layer.kernelSize, layer.strides, layer.padding, layer.kernel, layer.bias, x);
    case "avgPool2d": return avgPool(layer.poolSize, layer.strides ?? layer.poolSize, x);
    case "flatten": return { shape: [x.data.length], data: x.data };
    case "square": return { shape: x.shape, data: x.data.map((v) => v * v) };
    case "softArgmax": throw new Error("forwardSpec: softArgmax has no TensorFlow.js counterpart");
    case "polyActivation": return { shape: x.shape, data: x.data.map((v) => polynomial(layer.basis, layer.interval, layer.coefficients, v)) };
    case "batchNorm": {
      const c = x.shape[x.shape.length - 1]!;
      return {
        shape: x.shape,
        data: x.data.map((v, i) => {
          const k = i % c;
          const normalised = (v - layer.movingMean[k]!) / Math.sqrt(layer.movingVariance[k]! + layer.epsilon);
          return (layer.gamma?.[k] ?? 1) * normalised + (layer.beta?.[k] ?? 0);
        }),
      };
    }
  }
}

/** y[u] = bias[u] + Σ_i x[i]·kernel[i][u]. */
function dense(units: number, kernel: readonly number[], bias: readonly number[] | undefined, x: Tensor): Tensor {
  const out: number[] = [];
  for (let u = 0; u < units; u++) {
    let sum = bias?.[u] ?? 0;
    for (let i = 0; i < x.data.length; i++) sum += x.data[i]! * kernel[i * units + u]!;
    out.push(sum);
  }
  return { shape: [units], data: out };
}

/** The padding [top, bottom, left, right] TensorFlow applies, written out for each mode. */
function explicitPadding(padding: "valid" | "same" | Padding4, h: number, w: number, k: readonly number[], s: readonly number[]): Padding4 {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") return padding;
  // TensorFlow: the output is ceil(in / stride); the total padding makes that fit, the odd one at the end.
  const total = (size: number, kernel: number, stride: number): number => Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  const th = total(h, k[0]!, s[0]!);
  const tw = total(w, k[1]!, s[1]!);
  return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
}

function conv2d(
  filters: number, k: readonly number[], s: readonly number[], padding: "valid" | "same" | Padding4,
  kernel: readonly number[], bias: readonly number[] | undefined, x: Tensor,
): Tensor {
  const [h, w, c] = x.shape as [number, number, number];
  const [top, bottom, left, right] = explicitPadding(padding, h, w, k, s);
  const outH = Math.floor((h + top + bottom - k[0]!) / s[0]!) + 1;
  const outW = Math.floor((w + left + right - k[1]!) / s[1]!) + 1;
  const at = (row: number, col: number, ch: number): number =>
    row < 0 || row >= h || col < 0 || col >= w ? 0 : x.data[(row * w + col) * c + ch]!;
  const out: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let f = 0; f < filters; f++) {
        let sum = bias?.[f] ?? 0;
        for (let ky = 0; ky < k[0]!; ky++) {
          for (let kx = 0; kx < k[1]!; kx++) {
            for (let ch = 0; ch < c; ch++) {
              sum += at(oy * s[0]! + ky - top, ox * s[1]! + kx - left, ch) * kernel[((ky * k[1]! + kx) * c + ch) * filters + f]!;
            }
          }
        }
        out.push(sum);
      }
    }
  }
  return { shape: [outH, outW, filters], data: out };
}

function avgPool(p: readonly number[], s: readonly number[], x: Tensor): Tensor {
  const [h, w, c] = x.shape as [number, number, number];
  const outH = Math.floor((h - p[0]!) / s[0]!) + 1;
  const outW = Math.floor((w - p[1]!) / s[1]!) + 1;
  const out: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let py = 0; py < p[0]!; py++) {
          for (let px = 0; px < p[1]!; px++) sum += x.data[((oy * s[0]! + py) * w + ox * s[1]! + px) * c + ch]!;
        }
        out.push(sum / (p[0]! * p[1]!));
      }
    }
  }
  return { shape: [outH, outW, c], data: out };
}

/** Σ c_i·T_i(t), t the affine map of [a, b] onto [-1, 1] (chebyshev), or Σ c_i·x^i (monomial). */
function polynomial(basis: "chebyshev" | "monomial", [a, b]: readonly [number, number], coefficients: readonly number[], x: number): number {
  if (basis === "monomial") return coefficients.reduce((sum, ci, i) => sum + ci * x ** i, 0);
  const t = (2 * x - a - b) / (b - a);
  let previous = 1;
  let current = t;
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) {
    sum += coefficients[i]! * current;
    [previous, current] = [current, 2 * t * current - previous];
  }
  return sum;
}
