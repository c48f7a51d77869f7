// Training the HNN text classifiers (float64/float32 plaintext, TensorFlow.js): the network, then
// the Soft-Argmax temperature with every other weight frozen (initial T = 2, as in the paper),
// then the Soft-Argmax's sigmoid interval from the training logits.

import { Sequential } from "../sequential.js";
import { MODEL_FORMAT, MODEL_VERSION, type DenseSpec, type LayerSpec, type ModelSpec, type SoftArgmaxSpec } from "../model-spec.js";
import { fitSoftArgmax, learnTemperature, type SoftArgmaxRanges } from "../soft-argmax-fit.js";
import { reluPolynomial } from "../train/poly-activation.js";
import { trainMlp, type FeatureSet, type MlpLayer } from "../train/mlp.js";
import { importHead } from "../import/head.js";
import { readSafetensors } from "../import/safetensors.js";
import { writeSafetensors } from "../import/safetensors-writer.js";
import type { FeatureKind } from "./hnn-args.js";

export interface TrainedHnn {
  readonly spec: ModelSpec;
  readonly temperature: number;
  readonly initialTemperature: number;
  readonly temperatureLoss: { readonly before: number; readonly after: number };
  readonly softArgmax: SoftArgmaxSpec;
  readonly ranges: SoftArgmaxRanges;
  /** The ReLU head's weights as a safetensors file (use features), as a user's pretrained head would come. */
  readonly pretrainedHead?: Uint8Array;
}

export interface HnnTrainOptions {
  readonly kind: FeatureKind;
  readonly epochs: number;
  readonly seed: number;
  /** Per-epoch progress of each training phase. */
  readonly progress: (phase: string, epoch: number, epochs: number, loss: number, accuracy: number) => void;
  /** Temperature progress (step, T, loss). */
  readonly temperatureProgress: (step: number, steps: number, temperature: number, loss: number) => void;
}

/** Degree of the Soft-Argmax sigmoid: 3 (two levels) keeps the hashed model within depth 5. */
const sigmoidDegree = 3;
/** Degree of the ReLU replacement in the embedding head (two levels). */
const reluDegree = 3;
const temperatureSteps = 200;

function logitsOf(layers: readonly LayerSpec[], data: FeatureSet): Float64Array[] {
  const model = Sequential.fromSpec({ format: MODEL_FORMAT, version: MODEL_VERSION, inputShape: [data.width], layers });
  return Array.from({ length: data.count }, (_, i) => model.predictPlain(data.features.subarray(i * data.width, (i + 1) * data.width)));
}

/** Range of the values of `layers`' outputs on the data, widened by 10% of its width each way. */
function outputRange(layers: readonly LayerSpec[], data: FeatureSet): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of logitsOf(layers, data)) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const margin = 0.1 * (hi - lo);
  return [lo - margin, hi + margin];
}

/**
 * The hashed end-to-end network: embedding bag (buckets → 32, a linear map of the token counts),
 * dense 32 → 16, square, dense 16 → 2. The embedding-bag and dense maps fuse into one encrypted
 * linear stage.
 */
function hashedNetwork(data: FeatureSet, options: HnnTrainOptions): LayerSpec[] {
  const layers: MlpLayer[] = [
    { type: "dense", units: 32, name: "embeddingBag" }, { type: "dense", units: 16, name: "dense1" },
    { type: "square", name: "square" }, { type: "dense", units: 2, name: "dense2" },
  ];
  return trainMlp(data, {
    layers, epochs: options.epochs, batchSize: 32, learningRate: 2e-3, weightDecay: 1e-5, seed: options.seed,
    progress: (e, loss, acc) => options.progress("network", e, options.epochs, loss, acc),
  }) as LayerSpec[];
}

/**
 * The sentence-embedding head, the paper's DistilBERT setting: pre_classifier 512 → 512, ReLU,
 * classifier 512 → 2, trained with ReLU and written as safetensors (what a user's pretrained
 * head is); then read back, ReLU replaced by its degree-3 minimax polynomial on the observed
 * pre-activation range, and fine-tuned with the polynomial in place.
 */
function embeddingHead(data: FeatureSet, options: HnnTrainOptions): { layers: LayerSpec[]; safetensors: Uint8Array } {
  const width = data.width;
  const pretrained = trainMlp(data, {
    layers: [{ type: "dense", units: width, name: "pre_classifier" }, { type: "relu" }, { type: "dense", units: 2, name: "classifier" }],
    epochs: options.epochs, batchSize: 32, learningRate: 1e-3, weightDecay: 1e-5, seed: options.seed,
    progress: (e, loss, acc) => options.progress("ReLU head", e, options.epochs, loss, acc),
  });
  const pre = pretrained[0] as DenseSpec;
  const cls = pretrained[2] as DenseSpec;
  // Written the way a Hugging Face checkpoint stores nn.Linear: weight [outputs, inputs].
  const transpose = (d: DenseSpec) => {
    const inputs = d.kernel.length / d.units;
    return Float32Array.from({ length: d.kernel.length }, (_, k) => d.kernel[(k % inputs) * d.units + Math.floor(k / inputs)]!);
  };
  const safetensors = writeSafetensors({
    "pre_classifier.weight": { dtype: "F32", shape: [width, width], data: transpose(pre) },
    "pre_classifier.bias": { dtype: "F32", shape: [width], data: Float32Array.from(pre.bias!) },
    "classifier.weight": { dtype: "F32", shape: [2, width], data: transpose(cls) },
    "classifier.bias": { dtype: "F32", shape: [2], data: Float32Array.from(cls.bias!) },
  }, { format: "pt", note: "wasm-ckks-nn HNN head trained on Universal Sentence Encoder lite embeddings" });
  // From here on only the file is used, as with a head trained elsewhere.
  const tensors = readSafetensors(safetensors).tensors;
  const headLayers = [{ weight: "pre_classifier.weight", bias: "pre_classifier.bias", relu: true }, { weight: "classifier.weight", bias: "classifier.bias" }];
  const [preLayer] = importHead(tensors, { layers: headLayers.slice(0, 1).map((l) => ({ ...l, relu: false })), inputs: width });
  const polynomial = reluPolynomial(outputRange([preLayer!], data), reluDegree);
  const [preImported, , clsImported] = importHead(tensors, { layers: headLayers, relu: polynomial, inputs: width }) as [DenseSpec, LayerSpec, DenseSpec];
  const initial = (d: DenseSpec) => ({ kernel: d.kernel, bias: d.bias! });
  const tuneEpochs = Math.max(1, Math.round(options.epochs / 3));
  const layers = trainMlp(data, {
    layers: [
      { type: "dense", units: width, name: "pre_classifier", initial: initial(preImported) },
      { type: "polyActivation", polynomial, approximates: "relu", name: "reluPoly" },
      { type: "dense", units: 2, name: "classifier", initial: initial(clsImported) },
    ],
    epochs: tuneEpochs, batchSize: 32, learningRate: 3e-4, seed: options.seed + 1,
    progress: (e, loss, acc) => options.progress("polynomial fine-tune", e, tuneEpochs, loss, acc),
  }) as LayerSpec[];
  return { layers, safetensors };
}

/**
 * Trains the classifier for `kind` on `data`, then its Soft-Argmax temperature on `validation`
 * (held-out training messages: on the network's own training data the fitted temperature only
 * measures how well it memorised them); the sigmoid interval covers both sets' logits.
 */
export function trainHnn(data: FeatureSet, validation: FeatureSet, options: HnnTrainOptions): TrainedHnn {
  const { layers, safetensors } = options.kind === "hashed"
    ? { layers: hashedNetwork(data, options), safetensors: undefined }
    : embeddingHead(data, options);
  const logits = logitsOf(layers, validation);
  const initialTemperature = 2;
  const fit = learnTemperature(logits, validation.labels, {
    initial: initialTemperature, steps: temperatureSteps, progress: (step, t, loss) => options.temperatureProgress(step, temperatureSteps, t, loss),
  });
  const { spec: softArgmax, ranges } = fitSoftArgmax([...logitsOf(layers, data), ...logits], { temperature: fit.temperature, degree: sigmoidDegree, name: "softArgmax" });
  const spec: ModelSpec = {
    format: MODEL_FORMAT, version: MODEL_VERSION, name: `hnn-spam-${options.kind}`, inputShape: [data.width], layers: [...layers, softArgmax],
  };
  return {
    spec, temperature: fit.temperature, initialTemperature, temperatureLoss: { before: fit.initialLoss, after: fit.loss }, softArgmax, ranges,
    ...(safetensors === undefined ? {} : { pretrainedHead: safetensors }),
  };
}
