// Public entry point of nn/: encrypted neural networks on the CKKS engine. Imports no ML
// framework, no Node-only module.
import "../engine/ring/dispose-symbols.js";
export * from "./model-spec.js";
export { Sequential, argmax } from "./sequential.js";
export { CompiledModel, compileModel, type CompileOptions, type PredictOptions, type Packing } from "./compiled-model.js";
export {
  batchLayout, packBatch, unpackBatch, singleLayout, packSingle, unpackSingle,
  type BatchLayout, type SingleLayout, type SingleLayoutFields, type Layout,
} from "./layout.js";
export { EncryptedTensor } from "./tensor.js";
export { encryptBatch, encryptBatchElements, decryptBatch, encryptSingle, decryptSingle, keysNeeded, type EncryptBatchOptions } from "./client.js";
export { planSingle, describeLayout, type SinglePlan, type SingleStagePlan } from "./single/plan.js";
export type { Lowering } from "./single/lowering.js";
export { planStages, modelDepth, stageDepth, presetFor, autoPresets, type ModelPlan, type StagePlan } from "./plan.js";
export { fuseStages, type Stage, type LinearStage, type ActivationStage, type SoftArgmaxStage } from "./stages.js";
export { composeAffine, applyAffine, affineFromRows, type Affine } from "./affine.js";
export type { StageProgress } from "./batch-executor.js";
export { Dense } from "./layers/dense.js";
export { Conv2D } from "./layers/conv2d.js";
export { AvgPool2D, Flatten } from "./layers/pooling.js";
export { BatchNorm } from "./layers/batch-norm.js";
export { Square, PolyActivation } from "./layers/activation.js";
export { SoftArgmax, softmax, expectedIndex } from "./layers/soft-argmax.js";
export { learnTemperature, fitSoftArgmax, type TemperatureOptions, type TemperatureFit, type FitSoftArgmaxOptions, type SoftArgmaxRanges, type LogitRows } from "./soft-argmax-fit.js";
export { shapeSize, type Shape, type Layer, type LinearLayer, type ActivationLayer, type SoftArgmaxLayer, type AnyLayer } from "./layers/layer.js";
export { importTfjs, type ImportTfjsOptions, type WeightBytes, type WeightsSource } from "./import/tfjs.js";
export { HashingTokenizer, type HashingTokenizerOptions, type HashingTokenizerConfig, type TextFeatures } from "./text/tokenizer.js";
export { stratifiedSplit, type SplitOptions, type TrainTestSplit } from "./data/split.js";
export { readSafetensors, type SafetensorsFile, type SafetensorsTensor, type ReadSafetensorsOptions } from "./import/safetensors.js";
export { writeSafetensors, type TensorToWrite } from "./import/safetensors-writer.js";
export { importHead, type HeadOptions, type HeadLinear } from "./import/head.js";
export { binaryMetrics, auroc, type BinaryMetrics } from "./metrics.js";
export * from "./training/index.js";
