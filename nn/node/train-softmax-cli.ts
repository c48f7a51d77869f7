// `npm run train:encrypted -- --task mnist-head [--samples S] [--iterations K] [--threads N] [--step A] [--json FILE]`:
// the 10-class MNIST head trained on encrypted features (HETAL-style): the client computes the
// features of the shipped CryptoNets body (all layers but the last dense one) in float64 for the
// first S training images and encrypts them with their one-hot labels; the server trains a
// softmax head on the ciphertexts (nn/training/softmax-*), no bootstrapping, in N worker threads;
// the client decrypts it and measures its accuracy on the 10,000 test images' features, beside
// the float64 twin's.

import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Decryptor } from "../../engine/decryptor.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { Encryptor } from "../../engine/encryptor.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { Parameters } from "../../engine/parameters.js";
import { serializeCiphertext, serializeParameters } from "../../engine/serialization/serialize.js";
import { loadMnist } from "../data/mnist.js";
import { Sequential } from "../sequential.js";
import { mnistHeadTasks } from "../training/mnist-head.js";
import { multiclassAccuracy } from "../training/multiclass-task.js";
import { decryptSoftmaxWeights, encryptSoftmaxTask } from "../training/softmax-client.js";
import { planSoftmaxTraining, softmaxTrainingLiteral } from "../training/softmax-plan.js";
import { checkSoftmaxOptions, softmaxLayer, type SoftmaxTrainingOptions } from "../training/softmax-schedule.js";
import { trainSoftmaxEncrypted } from "../training/softmax-trainer.js";
import { trainSoftmaxPlain } from "../training/softmax-twin.js";
import { describeParameters, modelFile } from "./report.js";
import { SoftmaxWorkerShard } from "./training-pool.js";
import { createClientKeys, encryptAndLoad, timedTraining } from "./training-session.js";

const usage = "usage: npm run train:encrypted -- --task mnist-head [--samples S] [--iterations K] [--threads N] [--step A] [--json FILE]";

/** The JSON report (the fields, then details). */
export interface SoftmaxTrainingReport {
  readonly task: string;
  readonly samples: number;
  readonly features: number;
  readonly classes: number;
  readonly iterations: number;
  readonly preset: string;
  readonly params: string;
  readonly encryptedAccuracy: number;
  readonly plainTwinAccuracy: number;
  readonly maxWeightDiff: number;
  readonly trainSeconds: number;
  readonly perIterationSeconds: readonly number[];
  readonly trainCpuSeconds: number;
  readonly threads: number;
  readonly testSamples: number;
  readonly encryptedTrainAccuracy: number;
  readonly plainTwinTrainAccuracy: number;
  readonly stepScale: number;
  readonly logitBound: number;
  readonly maxLogit: number;
  readonly sumInterval: readonly [number, number];
  readonly sumRange: readonly [number, number];
  readonly expDegree: number;
  readonly inverse: { readonly initialDegree: number; readonly iterations: number; readonly depth: number; readonly predictedError: number };
  readonly levelsPerIteration: number;
  readonly maxIterations: number;
  readonly ciphertexts: number;
  readonly uploadBytes: number;
  readonly keyBytes: number;
  readonly dataBytes: number;
  readonly clientSeconds: { readonly features: number; readonly keys: number; readonly encrypt: number; readonly decrypt: number };
  readonly loadSeconds: number;
  readonly peakRssMiB: number;
  readonly workerHeapMiB: readonly number[];
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}\n${usage}`);
  return n;
}

export async function runSoftmaxTraining(argv: readonly string[]): Promise<SoftmaxTrainingReport> {
  const { values } = parseArgs({
    args: [...argv], strict: true,
    options: {
      task: { type: "string", default: "mnist-head" }, samples: { type: "string", default: "2048" }, iterations: { type: "string", default: "4" },
      threads: { type: "string", default: "2" }, step: { type: "string" }, json: { type: "string" },
    },
  });
  if (values.task !== "mnist-head") throw new Error(`--task must be mnist-head here, got ${values.task}\n${usage}`);
  const samples = integerOption(values.samples, "samples")!;
  const iterations = integerOption(values.iterations, "iterations")!;
  const threads = integerOption(values.threads, "threads")!;
  if (samples > 60_000) throw new Error(`--samples must be in [1, 60000]\n${usage}`);
  const options: SoftmaxTrainingOptions = { iterations, ...(values.step === undefined ? {} : { stepScale: Number(values.step) }) };
  const checked = checkSoftmaxOptions(options, "train softmax");

  let started = performance.now();
  const model = Sequential.fromJSON(readFileSync(modelFile("cryptonets"), "utf8"));
  const { train, test } = mnistHeadTasks(model, loadMnist({ split: "train", limit: samples }), loadMnist({ split: "test" }));
  const featureSeconds = (performance.now() - started) / 1000;
  const literal = softmaxTrainingLiteral(train.classes, options);
  const params = Parameters.create(literal);
  const plan = planSoftmaxTraining(params, train, options);
  const { layout } = plan;
  const layer = softmaxLayer(train.classes, checked, "train softmax");
  console.log(`task ${train.name}: ${train.samples} samples x ${train.features} CryptoNets features, ${train.classes} classes (test ${test.samples}; features ${featureSeconds.toFixed(1)} s); ${layout.ciphertexts} data + ${layout.ciphertexts} label ciphertexts of ${layout.samplesPerSet} samples (blocks of ${layout.blockSize} slots)`);
  console.log(`parameters: ${describeParameters(params)}, ${params.digits} key-switching digits; ${iterations} iterations of ${plan.maxIterations} that fit (2 levels, then ${plan.levelsPerIteration} each); data at level ${plan.inputLevel}`);
  console.log(`softmax: exp / ${train.classes} of degree ${layer.polynomial.degree} on [-${checked.logitBound}, ${checked.logitBound}] (max error ${layer.polynomialError.toExponential(2)}), 1/S on [${checked.sumInterval.join(", ")}]: initial degree ${layer.inverse!.initial.degree} + ${layer.inverse!.iterations} iterations, depth ${layer.inverse!.depth}`);

  const twin = trainSoftmaxPlain(train, options, params.maxSlots);
  console.log(`float64 twin: test accuracy ${(100 * multiclassAccuracy(twin.weights, test)).toFixed(2)}%, max |logit| ${twin.maxLogit.toFixed(2)}, sums in [${twin.sumRange.map((s) => s.toFixed(3)).join(", ")}]`);
  if (twin.maxLogit > checked.logitBound || twin.sumRange[0] < checked.sumInterval[0] || twin.sumRange[1] > checked.sumInterval[1]) {
    console.log("warning: the logits or sums leave the polynomials' intervals; pass a smaller --step");
  }

  const { keygen, relinearizationKey, galoisKeys, bytes: keyBytes, seconds: keySeconds } = createClientKeys(params, plan.galoisSteps, { conjugate: false });
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, keygen.secretKey);
  const shards: SoftmaxWorkerShard[] = [];
  try {
    const { dataBytes, encryptSeconds, loadSeconds } = await encryptAndLoad(layout.ciphertexts, threads, shards, (index) => {
      const [d] = encryptSoftmaxTask(encryptor, encoder, plan, train, { first: index, count: 1 });
      try {
        return [serializeCiphertext(d!.features), serializeCiphertext(d!.labels)];
      } finally {
        d!.features.dispose();
        d!.labels.dispose();
      }
    }, () => new SoftmaxWorkerShard(params), (indices, data) => ({
      kind: "loadSoftmax", params: serializeParameters(params), insecure: params.insecure, relinearizationKey, galoisKeys,
      shape: { samples: train.samples, features: train.features, classes: train.classes }, options, indices, data,
    }));
    console.log(`client: keys ${keySeconds.toFixed(1)} s (${(keyBytes / 2 ** 20).toFixed(0)} MiB: ${plan.galoisSteps.length} Galois keys + relinearization), encryption ${encryptSeconds.toFixed(1)} s (${(dataBytes / 2 ** 20).toFixed(0)} MiB); ${shards.length} workers done loading ${loadSeconds.toFixed(1)} s after the last encryption`);

    const { result: encrypted, trainSeconds, perIterationSeconds, trainCpuSeconds } = await timedTraining(iterations, plan.inputLevel,
      (onIteration) => trainSoftmaxEncrypted(new Evaluator(params), plan, options, shards, onIteration));
    started = performance.now();
    const weights = decryptSoftmaxWeights(new Decryptor(params, keygen.secretKey), encoder, layout, encrypted);
    encrypted.forEach((ct) => ct.dispose());
    const decryptSeconds = (performance.now() - started) / 1000;

    const maxWeightDiff = weights.reduce((m, w, c) => w.reduce((mc, x, j) => Math.max(mc, Math.abs(x - twin.weights[c]![j]!)), m), 0);
    const inverse = layer.inverse!;
    const report: SoftmaxTrainingReport = {
      task: train.name, samples: train.samples, features: train.features, classes: train.classes, iterations,
      preset: `softmaxTrainingLiteral(10, { iterations: ${iterations} }) = ${JSON.stringify(literal)}`, params: `${describeParameters(params)}, ${params.digits} key-switching digits`,
      encryptedAccuracy: multiclassAccuracy(weights, test), plainTwinAccuracy: multiclassAccuracy(twin.weights, test), maxWeightDiff,
      trainSeconds, perIterationSeconds, trainCpuSeconds, threads: shards.length, testSamples: test.samples,
      encryptedTrainAccuracy: multiclassAccuracy(weights, train), plainTwinTrainAccuracy: multiclassAccuracy(twin.weights, train),
      stepScale: checked.stepScale, logitBound: checked.logitBound, maxLogit: twin.maxLogit, sumInterval: checked.sumInterval, sumRange: twin.sumRange,
      expDegree: checked.expDegree, inverse: { initialDegree: inverse.initial.degree, iterations: inverse.iterations, depth: inverse.depth, predictedError: inverse.predictedError },
      levelsPerIteration: plan.levelsPerIteration, maxIterations: plan.maxIterations, ciphertexts: layout.ciphertexts,
      uploadBytes: keyBytes + dataBytes, keyBytes, dataBytes,
      clientSeconds: { features: featureSeconds, keys: keySeconds, encrypt: encryptSeconds, decrypt: decryptSeconds }, loadSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024, workerHeapMiB: shards.map((s) => s.heapBytes / 2 ** 20),
    };
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    console.log(`test accuracy: encrypted ${pct(report.encryptedAccuracy)}, float64 twin ${pct(report.plainTwinAccuracy)}; max weight difference ${maxWeightDiff.toExponential(2)}`);
    console.log(`server training ${trainSeconds.toFixed(1)} s on ${shards.length} threads, ${trainCpuSeconds.toFixed(1)} CPU seconds (per iteration: ${perIterationSeconds.map((s) => s.toFixed(1)).join(", ")} s); upload ${(report.uploadBytes / 2 ** 20).toFixed(0)} MiB; peak RSS ${report.peakRssMiB.toFixed(0)} MiB, worker heaps ${report.workerHeapMiB.map((m) => m.toFixed(0)).join(", ")} MiB`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await Promise.all(shards.map((s) => s.close()));
  }
}
