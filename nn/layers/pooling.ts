import { affineFromRows, type Affine } from "../affine.js";
import { requireModel } from "../errors.js";
import { windowOutputs } from "../geometry.js";
import type { AvgPool2DSpec, FlattenSpec } from "../model-spec.js";
import { pair } from "./conv2d.js";
import { formatShape, shapeSize, type LinearLayer, type Shape } from "./layer.js";

/** Average pooling over pool windows with "valid" padding, per channel. */
export class AvgPool2D implements LinearLayer {
  readonly kind = "linear";
  readonly name: string;
  readonly outputShape: Shape;
  readonly poolSize: [number, number];
  readonly strides: [number, number];

  constructor(readonly inputShape: Shape, spec: AvgPool2DSpec, operation: string) {
    this.name = spec.name ?? "avgPool2d";
    requireModel(inputShape.length === 3, operation, `avgPool2d layer '${this.name}' needs a (height, width, channels) input, got ${formatShape(inputShape)}`);
    this.poolSize = pair(spec.poolSize, operation, `poolSize of avgPool2d layer '${this.name}'`);
    this.strides = spec.strides === undefined ? this.poolSize : pair(spec.strides, operation, `strides of avgPool2d layer '${this.name}'`);
    const [h, w, c] = inputShape as [number, number, number];
    const oh = windowOutputs(h, 0, 0, this.poolSize[0], this.strides[0]);
    const ow = windowOutputs(w, 0, 0, this.poolSize[1], this.strides[1]);
    requireModel(oh >= 1 && ow >= 1, operation, `avgPool2d layer '${this.name}': pool ${this.poolSize.join("×")} is larger than the input ${formatShape(inputShape)}`);
    this.outputShape = [oh, ow, c];
  }

  forwardPlain(x: Float64Array): Float64Array {
    const [, w, c] = this.inputShape as [number, number, number];
    const [oh, ow] = this.outputShape as [number, number, number];
    const [ph, pw] = this.poolSize;
    const y = new Float64Array(oh * ow * c);
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = 0; dy < ph; dy++) {
            for (let dx = 0; dx < pw; dx++) sum += x[((i * this.strides[0] + dy) * w + j * this.strides[1] + dx) * c + ch]!;
          }
          y[(i * ow + j) * c + ch] = sum / (ph * pw);
        }
      }
    }
    return y;
  }

  toAffine(): Affine {
    const [, w, c] = this.inputShape as [number, number, number];
    const [oh, ow] = this.outputShape as [number, number, number];
    const [ph, pw] = this.poolSize;
    return affineFromRows(oh * ow * c, shapeSize(this.inputShape), new Float64Array(oh * ow * c), (row, push) => {
      const ch = row % c;
      const j = Math.floor(row / c) % ow;
      const i = Math.floor(row / c / ow);
      for (let dy = 0; dy < ph; dy++) {
        for (let dx = 0; dx < pw; dx++) push(((i * this.strides[0] + dy) * w + j * this.strides[1] + dx) * c + ch, 1 / (ph * pw));
      }
    });
  }

  toSpec(): AvgPool2DSpec {
    return { type: "avgPool2d", name: this.name, poolSize: this.poolSize, strides: this.strides };
  }
}

/** Relabels any input as a vector (channels-last order is already the flat order). */
export class Flatten implements LinearLayer {
  readonly kind = "linear";
  readonly name: string;
  readonly outputShape: Shape;

  constructor(readonly inputShape: Shape, spec: FlattenSpec) {
    this.name = spec.name ?? "flatten";
    this.outputShape = [shapeSize(inputShape)];
  }

  forwardPlain(x: Float64Array): Float64Array {
    return Float64Array.from(x);
  }

  toAffine(): Affine {
    const size = shapeSize(this.inputShape);
    return affineFromRows(size, size, new Float64Array(size), (j, push) => push(j, 1));
  }

  toSpec(): FlattenSpec {
    return { type: "flatten", name: this.name };
  }
}
