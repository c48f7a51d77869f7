import { Polynomial } from "../../engine/circuits/polynomial.js";
import { describe } from "../../engine/ring/errors.js";
import { finiteArray, requireModel } from "../errors.js";
import type { PolyActivationSpec, SquareSpec } from "../model-spec.js";
import type { ActivationLayer, Shape } from "./layer.js";

/** x ↦ x² element-wise (CryptoNets): one ciphertext product, one level. */
export class Square implements ActivationLayer {
  readonly kind = "activation";
  readonly isSquare = true;
  readonly name: string;
  readonly outputShape: Shape;
  readonly polynomial = Polynomial.monomial([0, 0, 1]);

  constructor(readonly inputShape: Shape, spec: SquareSpec) {
    this.name = spec.name ?? "square";
    this.outputShape = inputShape;
  }

  forwardPlain(x: Float64Array): Float64Array {
    return x.map((v) => v * v);
  }

  toSpec(): SquareSpec {
    return { type: "square", name: this.name };
  }
}

/**
 * A polynomial activation (CryptoDL: an approximation of ReLU, sigmoid, … trained in place),
 * given in the Chebyshev basis on an interval or in the monomial basis. The encrypted layer
 * evaluates the same polynomial (baby-step giant-step, ⌈log2(degree + 1)⌉ levels), so encrypted
 * and plain outputs agree whatever the inputs; the interval only says where it approximates well.
 */
export class PolyActivation implements ActivationLayer {
  readonly kind = "activation";
  readonly isSquare = false;
  readonly name: string;
  readonly outputShape: Shape;
  readonly polynomial: Polynomial;
  readonly #spec: PolyActivationSpec;

  constructor(readonly inputShape: Shape, spec: PolyActivationSpec, operation: string) {
    this.name = spec.name ?? "polyActivation";
    requireModel(spec.basis === "chebyshev" || spec.basis === "monomial", operation,
      `basis of polyActivation layer '${this.name}' must be "chebyshev" or "monomial", got ${describe(spec.basis)}`);
    const coefficients = Array.isArray(spec.coefficients) ? spec.coefficients.length : 0;
    requireModel(coefficients >= 2 && coefficients <= 1024, operation, `polyActivation layer '${this.name}' needs 2 to 1024 coefficients`);
    const c = Array.from(finiteArray(spec.coefficients, coefficients, operation, `coefficients of polyActivation layer '${this.name}'`));
    const interval = finiteArray(spec.interval, 2, operation, `interval of polyActivation layer '${this.name}'`);
    requireModel(interval[0]! < interval[1]!, operation, `interval of polyActivation layer '${this.name}' must be [a, b] with a < b`);
    const range = [interval[0]!, interval[1]!] as const;
    this.polynomial = spec.basis === "chebyshev" ? Polynomial.chebyshev(c, range) : Polynomial.monomial(c, range);
    requireModel(this.polynomial.degree >= 1, operation, `polyActivation layer '${this.name}' is a constant: its degree must be at least 1`);
    this.outputShape = inputShape;
    this.#spec = spec;
  }

  forwardPlain(x: Float64Array): Float64Array {
    return x.map((v) => this.polynomial.evaluate(v));
  }

  toSpec(): PolyActivationSpec {
    return { ...this.#spec, name: this.name };
  }
}
