// A classifier head from named weight tensors (a safetensors file, or any name → tensor map):
// a chain of linear layers with optional ReLU between them, the shape of a Hugging Face
// sequence-classification head (DistilBERT: pre_classifier 768×768, ReLU, classifier 768×2).
// ReLU has no encrypted form: it becomes a polynomial activation the caller chooses.

import type { Polynomial } from "../../engine/circuits/polynomial.js";
import { describe, FheError } from "../../engine/ring/errors.js";
import type { DenseSpec, LayerSpec, PolyActivationSpec } from "../model-spec.js";
import type { SafetensorsTensor } from "./safetensors.js";

/** One linear layer of the head: the names of its weight and (optional) bias tensors. */
export interface HeadLinear {
  readonly weight: string;
  readonly bias?: string;
  /** The layer's name in the model (default: the weight's name without ".weight"). */
  readonly name?: string;
  /** Apply ReLU after this layer (replaced by `relu`, see {@link HeadOptions}). */
  readonly relu?: boolean;
}

export interface HeadOptions {
  readonly layers: readonly HeadLinear[];
  /**
   * How weight matrices are stored: "out-in" (PyTorch nn.Linear, Hugging Face checkpoints:
   * shape [outputs, inputs]; the default) or "in-out" (TensorFlow / our Dense: [inputs, outputs]).
   */
  readonly layout?: "out-in" | "in-out";
  /** The polynomial that replaces every ReLU (required when a layer has relu: true). */
  readonly relu?: Polynomial;
  /** Input width the head must accept (checked when given). */
  readonly inputs?: number;
}

const operation = "import classifier head";

function fail(reason: string): never {
  throw new FheError("INVALID_ARGUMENT", operation, reason);
}

/**
 * The head's layers as model specs (Dense, and a polyActivation for each ReLU). Every tensor
 * must exist, be 2-D (weights) or 1-D (biases) with sizes that chain; values must be finite.
 * Throws FheError (INVALID_ARGUMENT) naming the tensor at fault.
 */
export function importHead(tensors: ReadonlyMap<string, SafetensorsTensor>, options: HeadOptions): LayerSpec[] {
  if (!(tensors instanceof Map)) fail(`expected a Map of tensors (readSafetensors(bytes).tensors), got ${describe(tensors)}`);
  if (options === null || typeof options !== "object" || !Array.isArray(options.layers) || options.layers.length === 0) {
    fail("options.layers must list the head's linear layers, e.g. [{ weight: \"pre_classifier.weight\", bias: \"pre_classifier.bias\", relu: true }, { weight: \"classifier.weight\", bias: \"classifier.bias\" }]");
  }
  const layout = options.layout ?? "out-in";
  if (layout !== "out-in" && layout !== "in-out") fail(`layout must be "out-in" or "in-out", got ${describe(layout)}`);
  const tensor = (name: unknown, dims: number): SafetensorsTensor => {
    if (typeof name !== "string") fail(`tensor names must be strings, got ${describe(name)}`);
    const t = tensors.get(name);
    if (t === undefined) fail(`the file has no tensor '${name}' (it has ${[...tensors.keys()].slice(0, 8).join(", ")}${tensors.size > 8 ? ", …" : ""})`);
    if (t.shape.length !== dims) fail(`tensor '${name}' must be ${dims}-D, got shape [${t.shape.join(", ")}]`);
    for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) fail(`tensor '${name}' has a non-finite value at ${i}`);
    return t;
  };
  let width = options.inputs;
  const specs: LayerSpec[] = [];
  for (const layer of options.layers) {
    const w = tensor(layer?.weight, 2);
    const [rows, columns] = [w.shape[0]!, w.shape[1]!];
    const [inputs, outputs] = layout === "out-in" ? [columns, rows] : [rows, columns];
    if (width !== undefined && inputs !== width) fail(`tensor '${layer.weight}' takes ${inputs} inputs and the previous layer gives ${width}`);
    // Our Dense kernel is [inputs][outputs].
    const kernel = new Array<number>(inputs * outputs);
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) kernel[i * outputs + o] = layout === "out-in" ? w.data[o * inputs + i]! : w.data[i * outputs + o]!;
    let bias: number[] | undefined;
    if (layer.bias !== undefined) {
      const b = tensor(layer.bias, 1);
      if (b.shape[0] !== outputs) fail(`bias '${layer.bias}' has ${b.shape[0]} values and '${layer.weight}' has ${outputs} outputs`);
      bias = Array.from(b.data);
    }
    const dense: DenseSpec = { type: "dense", name: layer.name ?? layer.weight.replace(/\.weight$/, ""), units: outputs, kernel, ...(bias === undefined ? {} : { bias }) };
    specs.push(dense);
    if (layer.relu === true) {
      if (options.relu === undefined) fail(`layer '${dense.name}' is followed by ReLU: pass options.relu, a polynomial (e.g. approx.relu({ interval, degree }).poly)`);
      const p = options.relu.toChebyshev();
      const activation: PolyActivationSpec = {
        type: "polyActivation", name: `${dense.name}.relu`, basis: "chebyshev", interval: [p.interval[0], p.interval[1]], coefficients: [...p.coefficients], approximates: "relu",
      };
      specs.push(activation);
    }
    width = outputs;
  }
  return specs;
}
