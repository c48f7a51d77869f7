// Encrypted training of logistic regression (HELR-style Nesterov gradient ascent) with its
// float64 twin and planner. No Node-only module: the worker pool and the CLI are in nn/node/.
export { checkTask, sliceTask, featureScaling, standardizeTask, type TrainingTask, type FeatureScaling } from "./task.js";
export { trainingLayout, type TrainingLayout } from "./layout.js";
export {
  sigmoidChoice, iterationSteps, defaultStepScale, defaultInterval, sigmoidDegree,
  type TrainingOptions, type SigmoidChoice, type IterationStep,
} from "./schedule.js";
export {
  planLogisticRegression, trainingLiteral, trainingRotationSteps, levelsForIterations, iterationsForDepth,
  levelsPerIteration, type TrainingPlan, type TrainingShape,
} from "./plan.js";
export { trainPlain, type TwinResult } from "./twin.js";
export { GradientShard, dataScaleBits, type DataCiphertext } from "./gradient.js";
export { trainEncrypted, localSource, type GradientSource, type IterationProgress } from "./trainer.js";
export { encryptTask, decryptWeights } from "./client.js";
export { accuracy, auc, scores } from "./metrics.js";
export { mnist38Task } from "./mnist38.js";
export { spamTask, spamTaskBuckets } from "./spam.js";
