import { affineFromRows, type Affine } from "../affine.js";
import { samePadding, windowOutputs } from "../geometry.js";
import { finiteArray, positiveInteger, requireModel } from "../errors.js";
import type { Conv2DSpec, Padding4 } from "../model-spec.js";
import { formatShape, type LinearLayer, type Shape } from "./layer.js";

/** Explicit [top, bottom, left, right] padding of "valid", "same" (TensorFlow's rule) or a 4-tuple. */
export function resolvePadding(
  padding: unknown, input: readonly [number, number], kernel: readonly [number, number], strides: readonly [number, number], operation: string, name: string,
): Padding4 {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") return [...samePadding(input[0], kernel[0], strides[0]), ...samePadding(input[1], kernel[1], strides[1])];
  const ok = Array.isArray(padding) && padding.length === 4 && padding.every((p) => Number.isSafeInteger(p) && p >= 0);
  requireModel(ok, operation, `padding of layer '${name}' must be "valid", "same" or [top, bottom, left, right] of non-negative integers`);
  return padding as unknown as Padding4;
}

export function pair(value: unknown, operation: string, what: string): [number, number] {
  requireModel(Array.isArray(value) && value.length === 2, operation, `${what} must be a pair [height, width]`);
  return [positiveInteger(value[0], operation, what), positiveInteger(value[1], operation, what)];
}

/**
 * 2-D convolution on a (height, width, channels) input, channels last, kernel [kh][kw][in][filters],
 * any stride, explicit or TensorFlow-style padding (zeros).
 */
export class Conv2D implements LinearLayer {
  readonly kind = "linear";
  readonly name: string;
  readonly outputShape: Shape;
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding4;
  readonly kernel: Float64Array;
  readonly bias: Float64Array;

  constructor(readonly inputShape: Shape, spec: Conv2DSpec, operation: string) {
    this.name = spec.name ?? "conv2d";
    requireModel(inputShape.length === 3, operation, `conv2d layer '${this.name}' needs a (height, width, channels) input, got ${formatShape(inputShape)}`);
    const [h, w, c] = inputShape as [number, number, number];
    this.filters = positiveInteger(spec.filters, operation, `filters of conv2d layer '${this.name}'`);
    this.kernelSize = pair(spec.kernelSize, operation, `kernelSize of conv2d layer '${this.name}'`);
    this.strides = pair(spec.strides, operation, `strides of conv2d layer '${this.name}'`);
    this.padding = resolvePadding(spec.padding, [h, w], this.kernelSize, this.strides, operation, this.name);
    const [kh, kw] = this.kernelSize;
    const [top, bottom, left, right] = this.padding;
    const oh = windowOutputs(h, top, bottom, kh, this.strides[0]);
    const ow = windowOutputs(w, left, right, kw, this.strides[1]);
    requireModel(oh >= 1 && ow >= 1, operation, `conv2d layer '${this.name}': kernel ${kh}×${kw} is larger than the padded input ${formatShape(inputShape)}`);
    this.kernel = finiteArray(spec.kernel, kh * kw * c * this.filters, operation, `kernel of conv2d layer '${this.name}' ([${kh}, ${kw}, ${c}, ${this.filters}])`);
    this.bias = spec.bias === undefined ? new Float64Array(this.filters) : finiteArray(spec.bias, this.filters, operation, `bias of conv2d layer '${this.name}'`);
    this.outputShape = [oh, ow, this.filters];
  }

  /** Calls `visit(outputIndex, inputIndex, weight)` for every term of the convolution. */
  #terms(visit: (output: number, input: number, weight: number) => void): void {
    const [h, w, c] = this.inputShape as [number, number, number];
    const [oh, ow, f] = this.outputShape as [number, number, number];
    const [kh, kw] = this.kernelSize;
    const [top, , left] = this.padding;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let o = 0; o < f; o++) {
          const output = (y * ow + x) * f + o;
          for (let dy = 0; dy < kh; dy++) {
            const iy = y * this.strides[0] + dy - top;
            if (iy < 0 || iy >= h) continue;
            for (let dx = 0; dx < kw; dx++) {
              const ix = x * this.strides[1] + dx - left;
              if (ix < 0 || ix >= w) continue;
              for (let ch = 0; ch < c; ch++) {
                visit(output, (iy * w + ix) * c + ch, this.kernel[((dy * kw + dx) * c + ch) * f + o]!);
              }
            }
          }
        }
      }
    }
  }

  forwardPlain(x: Float64Array): Float64Array {
    const f = this.filters;
    const y = new Float64Array((this.outputShape[0]! * this.outputShape[1]!) * f);
    for (let i = 0; i < y.length; i++) y[i] = this.bias[i % f]!;
    this.#terms((output, input, weight) => { y[output] = y[output]! + weight * x[input]!; });
    return y;
  }

  toAffine(): Affine {
    const rows: [number, number][][] = Array.from({ length: this.outputShape[0]! * this.outputShape[1]! * this.filters }, () => []);
    this.#terms((output, input, weight) => rows[output]!.push([input, weight]));
    const bias = Float64Array.from(rows, (_, j) => this.bias[j % this.filters]!);
    const [h, w, c] = this.inputShape as [number, number, number];
    return affineFromRows(rows.length, h * w * c, bias, (j, push) => {
      for (const [input, weight] of rows[j]!) push(input, weight);
    });
  }

  toSpec(): Conv2DSpec {
    return {
      type: "conv2d", name: this.name, filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, kernel: Array.from(this.kernel), bias: Array.from(this.bias),
    };
  }
}
