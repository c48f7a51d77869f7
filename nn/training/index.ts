// Encrypted training of logistic regression (HELR-style Nesterov gradient ascent) and of softmax heads, with their
// float64 twin and planner. No Node-only module: the worker pool and the CLI are in nn/node/.
export { checkTask, sliceTask, featureScaling, standardizeTask, type TrainingTask, type FeatureScaling } from "./task.js";
export { trainingLayout, chooseFeatureGroups, type TrainingLayout } from "./layout.js";
export {
  sigmoidChoice, iterationSteps, defaultStepScale, defaultInterval, sigmoidDegree,
  type TrainingOptions, type SigmoidChoice, type IterationStep,
} from "./schedule.js";
export {
  planLogisticRegression, trainingLiteral, trainingRotationSteps, levelsForIterations, iterationsForDepth,
  levelsPerIteration, type TrainingPlan, type TrainingShape, type RefreshLevels,
} from "./plan.js";
export { trainPlain, type TwinResult } from "./twin.js";
export { GradientShard, dataScaleBits, dataScaleBitsFor, type DataSet } from "./gradient.js";
export { trainEncrypted, localSource, type GradientSource, type IterationProgress } from "./trainer.js";
export { LocalRefresh, refreshShape, splitBootstrapped, checkScaleDown, defaultRefreshScaleDown, type PackedBootstrap } from "./refresh.js";
export { encryptTask, decryptWeights } from "./client.js";
export { accuracy, auc, scores } from "./metrics.js";
export { mnist38Task } from "./mnist38.js";
export { spamTask, spamTaskBuckets } from "./spam.js";
// Softmax (multinomial) heads trained on encrypted features, HETAL-style.
export { checkMulticlassTask, sliceMulticlassTask, multiclassAccuracy, maxClasses, type MulticlassTask } from "./multiclass-task.js";
export { softmaxLayout, type SoftmaxLayout } from "./softmax-layout.js";
export {
  checkSoftmaxOptions, softmaxLayer, defaultSoftmaxStepScale, defaultLogitBound, defaultExpDegree, defaultSumInterval, defaultInversePrecision,
  type SoftmaxTrainingOptions,
} from "./softmax-schedule.js";
export {
  planSoftmaxTraining, softmaxTrainingLiteral, softmaxLevelsForIterations, type SoftmaxTrainingPlan, type SoftmaxStepPlan, type SoftmaxShape,
} from "./softmax-plan.js";
export { trainSoftmaxPlain, type SoftmaxTwinResult } from "./softmax-twin.js";
export { SoftmaxShard, type SoftmaxDataCiphertext } from "./softmax-gradient.js";
export { trainSoftmaxEncrypted, localSoftmaxSource, type SoftmaxGradientSource } from "./softmax-trainer.js";
export { encryptSoftmaxTask, decryptSoftmaxWeights, type EncryptedSamples } from "./softmax-client.js";
export { bodyFeatures, mnistHeadTasks } from "./mnist-head.js";
