// What importTfjs refuses, and the `replace` option that substitutes polynomial activations:
// every refusal is an FheError naming the layer (name and class) and what to use instead.

import { beforeAll, describe, expect, it } from "vitest";
import type { LayerSpec, PolyActivationSpec } from "../../nn/model-spec.js";
import { importTfjs, type ImportTfjsOptions, type WeightsSource } from "../../nn/import/tfjs.js";
import { expectFheError } from "../helpers/ckks.js";
import { forwardSpec } from "../helpers/spec-forward.js";
import { randomizeWeights, saveModel, seededRandom, tf, useCpuBackend, type SavedModel } from "../helpers/tfjs-models.js";

const operation = "import TensorFlow.js model";
const prefix = `cannot ${operation}: `;

beforeAll(useCpuBackend);

/** A saved Sequential model of `layers` (random weights). */
async function saveLayers(layers: readonly tf.layers.Layer[]): Promise<SavedModel> {
  const model = tf.sequential({ layers: [...layers] });
  randomizeWeights(model, seededRandom(1));
  return saveModel(model);
}

type Config = Record<string, unknown>;

/** A copy of `saved` whose layer `index` has `change` applied to its config. */
function editLayer(saved: SavedModel, index: number, change: (config: Config) => void): unknown {
  const json = JSON.parse(JSON.stringify(saved.modelJson)) as { modelTopology: { config: { layers: { config: Config }[] } } };
  change(json.modelTopology.config.layers[index]!.config);
  return json;
}

function refusal(modelJson: unknown, weights: WeightsSource, options?: ImportTfjsOptions, code: "INVALID_ARGUMENT" | "CORRUPT_DATA" = "INVALID_ARGUMENT"): string {
  return expectFheError(() => importTfjs(modelJson, weights, options), code, operation).message;
}

const chebyshevRelu: PolyActivationSpec = {
  type: "polyActivation", basis: "chebyshev", interval: [-4, 4], coefficients: [1.2, 2, 0.8], approximates: "relu",
};

describe("refused activations", () => {
  it("refuses relu in a Dense layer, saying to use a polynomial activation", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 3, inputShape: [4], activation: "relu", name: "dense_1" })]);
    expect(refusal(saved.modelJson, saved.weights)).toBe(
      `${prefix}layer 'dense_1' (Dense) uses activation 'relu': replace it by PolyActivation(relu, degree, interval) and fine-tune, ` +
      "or substitute a polynomial at import with options.replace { 'relu': <polyActivation spec> }",
    );
  });

  it("refuses softmax, saying to output logits and take the argmax after decryption", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 3, inputShape: [4], activation: "softmax", name: "out" })]);
    expect(refusal(saved.modelJson, saved.weights)).toBe(
      `${prefix}layer 'out' (Dense) uses activation 'softmax': output logits (activation 'linear') and take the argmax after decryption`,
    );
    const layer = await saveLayers([tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.softmax({ name: "sm" })]);
    expect(refusal(layer.modelJson, layer.weights)).toContain("layer 'sm' (Softmax) uses activation 'softmax': output logits");
  });

  it("refuses activations in Conv2D, Activation and ReLU layers", async () => {
    const conv = await saveLayers([tf.layers.conv2d({ filters: 1, kernelSize: 2, inputShape: [3, 3, 1], activation: "tanh", name: "c" })]);
    expect(refusal(conv.modelJson, conv.weights)).toContain("layer 'c' (Conv2D) uses activation 'tanh': replace it by PolyActivation(tanh, degree, interval)");
    const act = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2] }), tf.layers.activation({ activation: "sigmoid", name: "a" })]);
    expect(refusal(act.modelJson, act.weights)).toContain("layer 'a' (Activation) uses activation 'sigmoid'");
    const relu = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2] }), tf.layers.reLU({ name: "r" })]);
    expect(refusal(relu.modelJson, relu.weights)).toContain("layer 'r' (ReLU) uses activation 'relu'");
  });
});

describe("refused layers and configurations", () => {
  it("refuses MaxPooling2D, saying to use AveragePooling2D", async () => {
    const saved = await saveLayers([tf.layers.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1], name: "pool" })]);
    expect(refusal(saved.modelJson, saved.weights)).toBe(
      `${prefix}layer 'pool' (MaxPooling2D) is not supported: max pooling has no polynomial form: use AveragePooling2D and retrain`,
    );
    const global = await saveLayers([tf.layers.globalAveragePooling2d({ inputShape: [4, 4, 1], name: "g" })]);
    expect(refusal(global.modelJson, global.weights)).toContain("use AveragePooling2D with pool_size equal to the input's height and width, followed by Flatten");
  });

  it("refuses other layer classes, listing what the importer maps", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2] }), tf.layers.layerNormalization({ name: "ln" })]);
    expect(refusal(saved.modelJson, saved.weights)).toBe(
      `${prefix}layer 'ln' (LayerNormalization) is not supported: the importer maps Dense, Conv2D, AveragePooling2D, Flatten, ` +
      "BatchNormalization, ZeroPadding2D, Activation('linear'), Dropout and InputLayer",
    );
  });

  it("refuses channels_first, dilation, groups, causal padding and same average pooling", async () => {
    const conv = await saveLayers([tf.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 1], name: "c" })]);
    expect(refusal(editLayer(conv, 0, (c) => (c["data_format"] = "channels_first")), conv.weights))
      .toContain("layer 'c' (Conv2D) uses data_format 'channels_first': only channels_last");
    expect(refusal(editLayer(conv, 0, (c) => (c["dilation_rate"] = [2, 2])), conv.weights)).toContain("layer 'c' (Conv2D) uses dilation_rate [2, 2]");
    expect(refusal(editLayer(conv, 0, (c) => (c["groups"] = 2)), conv.weights)).toContain("uses groups 2");
    expect(refusal(editLayer(conv, 0, (c) => (c["padding"] = "causal")), conv.weights)).toContain(`uses padding "causal"`);
    const pool = await saveLayers([tf.layers.averagePooling2d({ poolSize: 2, padding: "same", inputShape: [5, 5, 1], name: "p" })]);
    expect(refusal(pool.modelJson, pool.weights)).toContain("layer 'p' (AveragePooling2D) uses padding 'same'");
    const flat = await saveLayers([tf.layers.flatten({ inputShape: [2, 2, 1], name: "f" })]);
    expect(refusal(editLayer(flat, 0, (c) => (c["data_format"] = "channels_first")), flat.weights)).toContain("layer 'f' (Flatten) uses data_format 'channels_first'");
  });

  it("refuses zero padding that is not folded into a Conv2D", async () => {
    const dense = await saveLayers([
      tf.layers.zeroPadding2d({ padding: 1, inputShape: [3, 3, 1], name: "zp" }), tf.layers.dropout({ rate: 0.1 }), tf.layers.flatten({ name: "f" }),
    ]);
    expect(refusal(dense.modelJson, dense.weights)).toBe(
      `${prefix}layer 'zp' (ZeroPadding2D) is followed by layer 'f' (Flatten), not by a Conv2D: zero padding is supported only folded into the next Conv2D's padding`,
    );
    const last = await saveLayers([tf.layers.zeroPadding2d({ padding: 1, inputShape: [3, 3, 1], name: "zp" })]);
    expect(refusal(last.modelJson, last.weights)).toContain("layer 'zp' (ZeroPadding2D) ends the model, not by a Conv2D");
  });

  it("refuses Dense on images, BatchNormalization on another axis and unsupported input shapes", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 2, inputShape: [3, 3, 2], name: "d" })]);
    expect(refusal(saved.modelJson, saved.weights)).toContain("layer 'd' (Dense) gets an input of shape [3, 3, 2]: Dense applies to flat inputs only; add a Flatten layer before it");
    const bn = await saveLayers([tf.layers.batchNormalization({ axis: 1, inputShape: [3, 3, 2], name: "bn" })]);
    expect(refusal(bn.modelJson, bn.weights)).toContain("layer 'bn' (BatchNormalization) normalises axis 1: only the last (channel) axis");
    const sequence = await saveLayers([tf.layers.flatten({ inputShape: [4, 3], name: "f" })]);
    expect(refusal(sequence.modelJson, sequence.weights)).toContain("layer 'f' (Flatten) has input shape [4, 3]: inputs must be images");
    const conv = await saveLayers([tf.layers.dense({ units: 2, inputShape: [4] }), tf.layers.reshape({ targetShape: [2, 1, 1] }), tf.layers.conv2d({ filters: 1, kernelSize: 1 })]);
    expect(refusal(conv.modelJson, conv.weights)).toContain("(Reshape) is not supported: use Flatten");
    const noShape = editLayer(saved, 0, (c) => delete c["batch_input_shape"]);
    expect(refusal(noShape, saved.weights)).toContain("layer 'd' (Dense) has no batch_input_shape: give the first layer an inputShape");
  });

  it("refuses graph models and functional models, saying a Sequential LayersModel is needed", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2] })]);
    expect(refusal({ ...saved.modelJson, format: "graph-model" }, saved.weights)).toContain('model.json has format "graph-model": a graph model');
    expect(refusal({ ...saved.modelJson, format: "graph-model" }, saved.weights)).toContain("a LayersModel is needed");
    const graphDef = { modelTopology: { node: [], versions: {} }, weightsManifest: [] };
    expect(refusal(graphDef, new ArrayBuffer(0))).toContain("modelTopology is a GraphDef");
    const input = tf.input({ shape: [2] });
    const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    const savedFunctional = await saveModel(functional);
    expect(refusal(savedFunctional.modelJson, savedFunctional.weights)).toContain("the model is a functional Model: only Sequential models can be imported");
    expect(refusal({ ...saved.modelJson, format: "tfjs" }, saved.weights, undefined, "CORRUPT_DATA")).toContain('format "tfjs", expected "layers-model"');
  });
});

describe("options.replace", () => {
  async function reluModel(): Promise<SavedModel> {
    return saveLayers([
      tf.layers.dense({ units: 4, inputShape: [3], activation: "relu", name: "hidden" }),
      tf.layers.activation({ activation: "relu", name: "again" }),
      tf.layers.dense({ units: 2, name: "out" }),
    ]);
  }

  it("substitutes a polynomial for an activation by name, and a layer's own entry wins", async () => {
    const saved = await reluModel();
    const spec = importTfjs(saved.modelJson, saved.weights, { replace: { relu: chebyshevRelu } });
    expect(spec.layers.map((l) => l.type)).toEqual(["dense", "polyActivation", "polyActivation", "dense"]);
    expect(spec.layers[1]).toEqual(chebyshevRelu);
    expect(spec.layers[1]).not.toBe(chebyshevRelu);
    expect((spec.layers[1] as PolyActivationSpec).coefficients).not.toBe(chebyshevRelu.coefficients);
    const byLayer = importTfjs(saved.modelJson, saved.weights, { replace: { relu: chebyshevRelu, again: [{ type: "square" }, { type: "square", name: "sq" }] } });
    expect(byLayer.layers.map((l) => l.type)).toEqual(["dense", "polyActivation", "square", "square", "dense"]);
    // The replaced model computes the polynomial: dense → p → p → dense.
    const p = (x: number): number => 1.2 + 2 * (x / 4) + 0.8 * (2 * (x / 4) ** 2 - 1);
    const [hidden, , , out] = spec.layers as [Extract<LayerSpec, { type: "dense" }>, LayerSpec, LayerSpec, Extract<LayerSpec, { type: "dense" }>];
    const x = [0.3, -0.7, 0.2];
    const h = [0, 1, 2, 3].map((u) => p(p(hidden.bias![u]! + x.reduce((s, xi, i) => s + xi * hidden.kernel[i * 4 + u]!, 0))));
    const expected = [0, 1].map((u) => out.bias![u]! + h.reduce((s, hi, i) => s + hi * out.kernel[i * 2 + u]!, 0));
    forwardSpec(spec, x).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it("replaces activation layers with weights (PReLU) and softmax layers by layer name", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2] }), tf.layers.prelu({ name: "pr" }), tf.layers.softmax({ name: "sm" })]);
    const spec = importTfjs(saved.modelJson, saved.weights, { replace: { pr: { type: "square" }, sm: chebyshevRelu } });
    expect(spec.layers.map((l) => l.type)).toEqual(["dense", "square", "polyActivation"]);
  });

  it("refuses keys that replace nothing, unknown options and specs that are not element-wise activations", async () => {
    const saved = await reluModel();
    expect(refusal(saved.modelJson, saved.weights, { replace: { relu: chebyshevRelu, rleu: chebyshevRelu } }))
      .toBe(`${prefix}options.replace["rleu"] names no layer of the model and no activation it refuses`);
    expect(refusal(saved.modelJson, saved.weights, { replace: { relu: chebyshevRelu, out: chebyshevRelu } }))
      .toBe(`${prefix}options.replace["out"]: layer 'out' (Dense) has no refused activation to replace`);
    expect(refusal(saved.modelJson, saved.weights, { replcae: {} } as never)).toContain(`options has an unknown field "replcae"`);
    expect(refusal(saved.modelJson, saved.weights, { replace: {} })).toContain("layer 'hidden' (Dense) uses activation 'relu'");
    const dense: LayerSpec = { type: "dense", units: 1, kernel: [1] };
    expect(refusal(saved.modelJson, saved.weights, { replace: { relu: dense } })).toContain(`options.replace["relu"] has type "dense": only element-wise specs`);
    const bad: unknown[] = [
      [], null, "poly", { ...chebyshevRelu, interval: [1, -1] }, { ...chebyshevRelu, coefficients: [] }, { ...chebyshevRelu, coefficients: [1, NaN] },
      { ...chebyshevRelu, basis: "legendre" }, { ...chebyshevRelu, degree: 2 }, { type: "square", name: 3 },
    ];
    for (const value of bad) expect(refusal(saved.modelJson, saved.weights, { replace: { relu: value as LayerSpec } })).toContain(`options.replace["relu"]`);
    expect(refusal(saved.modelJson, saved.weights, "relu" as never)).toContain("options must be an object");
  });

  it("refuses sparse arrays of specs, intervals, coefficients and buffers", async () => {
    const saved = await reluModel();
    /** `values` with the element at `index` deleted (a hole). */
    const holed = <T>(values: T[], index: number): T[] => {
      const copy = [...values];
      delete copy[index];
      return copy;
    };
    const sparse: unknown[] = [
      holed([chebyshevRelu, chebyshevRelu], 1), { ...chebyshevRelu, interval: holed([-1, 1], 0) }, { ...chebyshevRelu, coefficients: holed([1, 0, 2], 1) },
    ];
    for (const value of sparse) expect(refusal(saved.modelJson, saved.weights, { replace: { relu: value as LayerSpec } })).toContain(`options.replace["relu"]`);
    expect(refusal(saved.modelJson, holed([saved.weights], 0), { replace: { relu: chebyshevRelu } })).toContain("weights[0]");
  });

  it("never finds replacements among inherited properties", async () => {
    const saved = await saveLayers([tf.layers.dense({ units: 2, inputShape: [2], activation: "relu", name: "constructor" })]);
    expect(refusal(saved.modelJson, saved.weights, { replace: {} })).toContain("layer 'constructor' (Dense) uses activation 'relu'");
  });

  it("does not fold zero padding across a replaced activation", async () => {
    const saved = await saveLayers([
      tf.layers.zeroPadding2d({ padding: 1, inputShape: [3, 3, 1], name: "zp" }), tf.layers.activation({ activation: "relu", name: "a" }),
      tf.layers.conv2d({ filters: 1, kernelSize: 2 }),
    ]);
    expect(refusal(saved.modelJson, saved.weights, { replace: { relu: chebyshevRelu } })).toContain("layer 'zp' (ZeroPadding2D) is followed by layer 'a' (Activation)");
  });
});
