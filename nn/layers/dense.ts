import { affineFromRows, type Affine } from "../affine.js";
import { finiteArray, positiveInteger, requireModel } from "../errors.js";
import type { DenseSpec } from "../model-spec.js";
import { formatShape, shapeSize, type LinearLayer, type Shape } from "./layer.js";

/** Fully connected layer y = x·K + b on a vector input, K of shape [inputs, units]. */
export class Dense implements LinearLayer {
  readonly kind = "linear";
  readonly name: string;
  readonly outputShape: Shape;
  readonly units: number;
  readonly kernel: Float64Array;
  readonly bias: Float64Array;

  constructor(readonly inputShape: Shape, spec: DenseSpec, operation: string) {
    this.name = spec.name ?? "dense";
    requireModel(inputShape.length === 1, operation, `dense layer '${this.name}' needs a vector input, got shape ${formatShape(inputShape)}: add a flatten layer before it`);
    this.units = positiveInteger(spec.units, operation, `units of dense layer '${this.name}'`);
    const inputs = shapeSize(inputShape);
    this.kernel = finiteArray(spec.kernel, inputs * this.units, operation, `kernel of dense layer '${this.name}' ([${inputs}, ${this.units}])`);
    this.bias = spec.bias === undefined ? new Float64Array(this.units) : finiteArray(spec.bias, this.units, operation, `bias of dense layer '${this.name}'`);
    this.outputShape = [this.units];
  }

  forwardPlain(x: Float64Array): Float64Array {
    const y = Float64Array.from(this.bias);
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      for (let u = 0; u < this.units; u++) y[u] = y[u]! + xi * this.kernel[i * this.units + u]!;
    }
    return y;
  }

  toAffine(): Affine {
    const inputs = this.inputShape[0]!;
    return affineFromRows(this.units, inputs, Float64Array.from(this.bias), (u, push) => {
      for (let i = 0; i < inputs; i++) push(i, this.kernel[i * this.units + u]!);
    });
  }

  toSpec(): DenseSpec {
    return { type: "dense", name: this.name, units: this.units, kernel: Array.from(this.kernel), bias: Array.from(this.bias) };
  }
}
