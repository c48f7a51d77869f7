// `npm run train:encrypted -- --task mnist38|spam [--iterations K] [--batch B] [--threads N] [--samples S] [--interval B] [--step A] [--bootstrap [--refresh-threads R]] [--json FILE]`
// (`--task mnist-head`: the softmax head of train-softmax-cli.ts):
// logistic regression trained on encrypted MNIST 3-vs-8 (HELR-style Nesterov, nn/training),
// with the float64 twin beside it, a progress bar per iteration and a JSON report. The client
// (keys, encryption, decryption) and the coordinator run in the main thread; the data is split
// across N worker threads, each holding its share and its own copy of the evaluation keys.
// `--bootstrap` runs at the bootstrap16 preset and refreshes the weights by bootstrapping
// whenever the levels run out (train-refresh.ts), in R more workers (default 1) that hold those keys.

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Decryptor } from "../../engine/decryptor.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { Encryptor } from "../../engine/encryptor.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import type { BootstrappingLiteral } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import { bootstrapPresets } from "../../engine/circuits/bootstrapping/presets.js";
import { Parameters } from "../../engine/parameters.js";
import { serializeCiphertext, serializeParameters } from "../../engine/serialization/serialize.js";
import { loadMnist } from "../data/mnist.js";
import { decryptWeights, encryptTask } from "../training/client.js";
import { accuracy, auc } from "../training/metrics.js";
import { mnist38Task } from "../training/mnist38.js";
import { spamTask } from "../training/spam.js";
import { loadSpamAssassin, spamSplitSeed } from "../data/spam-assassin.js";
import { stratifiedSplit } from "../data/split.js";
import { planLogisticRegression, trainingLiteral } from "../training/plan.js";
import { defaultInterval, defaultStepScale, type TrainingOptions } from "../training/schedule.js";
import { featureScaling, sliceTask, standardizeTask, type TrainingTask } from "../training/task.js";
import { trainEncrypted } from "../training/trainer.js";
import { trainPlain } from "../training/twin.js";
import { describeParameters } from "./report.js";
import { runSoftmaxTraining } from "./train-softmax-cli.js";
import { WorkerShard } from "./training-pool.js";
import { refreshPreset, refreshSetup, startRefresh, type StartedRefresh } from "./train-refresh.js";
import { createClientKeys, encryptAndLoad, timedTraining } from "./training-session.js";

const usage = "usage: npm run train:encrypted -- --task mnist38|spam|mnist-head [--iterations K] [--batch B] [--threads N] [--samples S] [--interval B] [--step A] [--feature-groups G] [--bootstrap [--refresh-threads R]] [--json FILE]";

/** The JSON report (the fields, then details). */
export interface TrainingReport {
  readonly task: string;
  readonly samples: number;
  readonly features: number;
  readonly iterations: number;
  readonly preset: string;
  readonly encryptedAccuracy: number;
  readonly plainTwinAccuracy: number;
  readonly maxWeightDiff: number;
  readonly auc: number;
  readonly plainTwinAuc: number;
  readonly trainSeconds: number;
  readonly perIterationSeconds: readonly number[];
  /** CPU time of the whole process (all threads) during training: trainSeconds on an idle machine is at least this / threads. */
  readonly trainCpuSeconds: number;
  readonly uploadBytes: number;
  readonly threads: number;
  readonly batch: number | null;
  readonly testSamples: number;
  readonly maxInnerProduct: number;
  readonly interval: number;
  readonly stepScale: number;
  readonly ciphertexts: number;
  /** Feature groups of the packing (layout.ts), one ciphertext each per sample set. */
  readonly featureGroups: number;
  readonly keyBytes: number;
  readonly dataBytes: number;
  readonly clientSeconds: { readonly keys: number; readonly encrypt: number; readonly decrypt: number };
  /** Wall time from the end of encryption until every worker has loaded its keys and data. */
  readonly loadSeconds: number;
  readonly peakRssMiB: number;
  readonly workerHeapMiB: readonly number[];
  /** With --bootstrap: the refreshes (null otherwise). */
  readonly refresh: {
    readonly shape: BootstrappingLiteral;
    readonly outputLevel: number;
    readonly refreshAfter: readonly number[];
    readonly bootstrappings: number;
    readonly keyBytes: number;
    readonly keySeconds: number;
    readonly workerSeconds: number;
    readonly workerHeapMiB: readonly number[];
  } | null;
}

/** Step a and interval B per task, chosen with the twin (nn/training/README.md). */
const taskDefaults: Record<string, { readonly stepScale: number; readonly interval: number }> = {
  mnist38: { stepScale: defaultStepScale, interval: defaultInterval },
  spam: { stepScale: 4, interval: 24 },
};

/**
 * MNIST 3-vs-8 (official split), or SpamAssassin on the HNN classifier's fixed 80/20 split with
 * every bucket standardized by the training set's statistics (the data owner's preprocessing).
 */
function loadTasks(name: string): { train: TrainingTask; test: TrainingTask } {
  if (name === "mnist38") return { train: mnist38Task(loadMnist({ split: "train" })), test: mnist38Task(loadMnist({ split: "test" })) };
  if (name === "spam") {
    const corpus = loadSpamAssassin();
    const split = stratifiedSplit(corpus.labels, { testFraction: 0.2, seed: spamSplitSeed });
    const train = spamTask(corpus.texts, corpus.labels, split.train);
    const scaling = featureScaling(train);
    return { train: standardizeTask(train, scaling), test: standardizeTask(spamTask(corpus.texts, corpus.labels, split.test), scaling) };
  }
  throw new Error(`--task must be mnist38 or spam, got ${name}\n${usage}`);
}

function tasks(name: string, samples: number | undefined): { train: TrainingTask; test: TrainingTask } {
  const { train, test } = loadTasks(name);
  if (samples !== undefined && (samples < 1 || samples > train.samples)) throw new Error(`--samples must be in [1, ${train.samples}]\n${usage}`);
  return { train: samples === undefined ? train : sliceTask(train, 0, samples), test };
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}\n${usage}`);
  return n;
}

export async function runTraining(argv: readonly string[]): Promise<TrainingReport> {
  const { values } = parseArgs({
    args: [...argv], strict: true,
    options: {
      task: { type: "string", default: "mnist38" }, iterations: { type: "string", default: "10" }, batch: { type: "string" },
      threads: { type: "string", default: "2" }, samples: { type: "string" }, json: { type: "string" },
      interval: { type: "string" }, step: { type: "string" }, "feature-groups": { type: "string" }, bootstrap: { type: "boolean", default: false },
      "refresh-threads": { type: "string", default: "1" },
    },
  });
  const iterations = integerOption(values.iterations, "iterations")!;
  const threads = integerOption(values.threads, "threads")!;
  // Each refresh worker holds its own bootstrapping keys (~2 GiB outside its heap at bootstrap16, plus ~1.5 GiB of heap).
  const refreshThreads = integerOption(values["refresh-threads"], "refresh-threads")!;
  const batch = integerOption(values.batch, "batch");
  const featureGroups = integerOption(values["feature-groups"], "feature-groups");
  const { train, test } = tasks(values.task, integerOption(values.samples, "samples"));
  const defaults = taskDefaults[values.task]!;
  const interval = values.interval === undefined ? defaults.interval : Number(values.interval);
  const stepScale = values.step === undefined ? defaults.stepScale : Number(values.step);
  const options: TrainingOptions = { iterations, interval, stepScale, shards: threads, ...(batch === undefined ? {} : { batch }), ...(featureGroups === undefined ? {} : { featureGroups }) };

  const refreshing = values.bootstrap === true ? refreshSetup(train, options) : undefined;
  const literal = refreshing === undefined ? trainingLiteral(iterations) : bootstrapPresets[refreshPreset]!.parameters;
  const params = refreshing?.params ?? Parameters.create(literal);
  const plan = planLogisticRegression(params, train, options, refreshing?.plan);
  const { layout } = plan;
  console.log(`task ${train.name}: ${train.samples} samples x ${train.features} features (test ${test.samples}); ${layout.sets} sample sets of ${layout.samplesPerSet} samples, ${layout.groups} feature group${layout.groups === 1 ? "" : "s"} of ${layout.groupWeights} weights (blocks of ${layout.blockSize} slots): ${layout.ciphertexts} ciphertexts`);
  console.log(`parameters: ${describeParameters(params)}, ${params.digits} key-switching digits; ${iterations} iterations of ${plan.maxIterations} that fit, ${plan.levelsPerIteration} levels each; data at level ${plan.inputLevel}`);
  if (refreshing !== undefined && plan.refreshAfter.length > 0) {
    console.log(`refresh: bootstrapping ${JSON.stringify(refreshing.shape)} back to level ${refreshing.plan.outputLevel} after iterations ${plan.refreshAfter.join(", ")}: ${plan.bootstrappings} bootstrappings (${refreshing.plan.rotationSteps.length} rotation keys + conjugation, outside the heap)`);
  }

  const twin = trainPlain(train, options, params.maxSlots);
  console.log(`float64 twin: test accuracy ${(100 * accuracy(twin.weights, test)).toFixed(2)}%, max |z.v| ${twin.maxInnerProduct.toFixed(2)} (interval [-${twin.interval}, ${twin.interval}])`);
  if (twin.maxInnerProduct > twin.interval) console.log(`warning: the inner products leave the sigmoid's interval; pass a larger --interval or a smaller --step`);

  // Client: keys and encrypted data, serialized (seeded) as they would be uploaded.
  const { keygen, relinearizationKey, galoisKeys, bytes: keyBytes, seconds: keySeconds } = createClientKeys(params, plan.galoisSteps, { conjugate: true });
  const encoder = new Encoder(params);
  const encryptor = new Encryptor(params, keygen.secretKey);
  const shards: WorkerShard[] = [];
  let refresh: StartedRefresh | undefined;
  try {
    const { dataBytes, encryptSeconds, loadSeconds } = await encryptAndLoad(layout.sets, threads, shards, (set) => {
      const cts = encryptTask(encryptor, encoder, plan, train, { first: set * layout.groups, count: layout.groups });
      try {
        return cts.map((ct) => serializeCiphertext(ct));
      } finally {
        cts.forEach((ct) => ct.dispose());
      }
    }, () => new WorkerShard(params), (indices, data) => ({
      kind: "load", params: serializeParameters(params), insecure: params.insecure, relinearizationKey, galoisKeys, layout, indices, data,
    }));
    if (refreshing !== undefined && plan.refreshAfter.length > 0) {
      refresh = await startRefresh(refreshing, keygen, relinearizationKey, refreshThreads);
      console.log(`client: bootstrapping keys ${refresh.keySeconds.toFixed(1)} s (${(refresh.keyBytes / 2 ** 20).toFixed(0)} MiB seeded); ${refreshThreads} refresh worker${refreshThreads === 1 ? "" : "s"} loaded them in ${refresh.loadSeconds.toFixed(1)} s`);
    }
    console.log(`client: keys ${keySeconds.toFixed(1)} s (${(keyBytes / 2 ** 20).toFixed(0)} MiB: ${plan.galoisSteps.length} Galois keys + relinearization), encryption ${encryptSeconds.toFixed(1)} s (${(dataBytes / 2 ** 20).toFixed(0)} MiB); ${shards.length} workers done loading ${loadSeconds.toFixed(1)} s after the last encryption`);

    const { result: encryptedWeights, trainSeconds, perIterationSeconds, trainCpuSeconds } = await timedTraining(iterations, plan.inputLevel,
      (onIteration) => trainEncrypted(new Evaluator(params), plan, options, shards, onIteration, refresh?.pool));
    const started = performance.now();
    const weights = decryptWeights(new Decryptor(params, keygen.secretKey), encoder, layout, encryptedWeights);
    encryptedWeights.forEach((ct) => ct.dispose());
    const decryptSeconds = (performance.now() - started) / 1000;

    const maxWeightDiff = weights.reduce((m, w, j) => Math.max(m, Math.abs(w - twin.weights[j]!)), 0);
    const report: TrainingReport = {
      task: train.name, samples: train.samples, features: train.features, iterations,
      preset: refreshing === undefined ? `trainingLiteral(${iterations}) = ${JSON.stringify(literal)}` : `${refreshPreset} = ${JSON.stringify(literal)}`,
      encryptedAccuracy: accuracy(weights, test), plainTwinAccuracy: accuracy(twin.weights, test), maxWeightDiff,
      auc: auc(weights, test), plainTwinAuc: auc(twin.weights, test), trainSeconds, perIterationSeconds, trainCpuSeconds,
      uploadBytes: keyBytes + dataBytes, threads: shards.length, batch: batch ?? null, testSamples: test.samples,
      maxInnerProduct: twin.maxInnerProduct, interval, stepScale,
      ciphertexts: layout.ciphertexts, featureGroups: layout.groups, keyBytes, dataBytes,
      clientSeconds: { keys: keySeconds, encrypt: encryptSeconds, decrypt: decryptSeconds }, loadSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024, workerHeapMiB: shards.map((s) => s.heapBytes / 2 ** 20),
      refresh: refreshing === undefined || refresh === undefined ? null : {
        shape: refreshing.shape, outputLevel: refresh.pool.outputLevel, refreshAfter: plan.refreshAfter, bootstrappings: plan.bootstrappings,
        keyBytes: refresh.keyBytes, keySeconds: refresh.keySeconds,
        workerSeconds: refresh.pool.workers.reduce((sum, w) => sum + w.workerMs, 0) / 1000, workerHeapMiB: refresh.pool.workers.map((w) => w.heapBytes / 2 ** 20),
      },
    };
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    console.log(`test accuracy: encrypted ${pct(report.encryptedAccuracy)}, float64 twin ${pct(report.plainTwinAccuracy)}; AUC ${report.auc.toFixed(4)} / ${report.plainTwinAuc.toFixed(4)}; max weight difference ${maxWeightDiff.toExponential(2)}`);
    console.log(`server training ${trainSeconds.toFixed(1)} s on ${shards.length} threads, ${trainCpuSeconds.toFixed(1)} CPU seconds (per iteration: ${perIterationSeconds.map((s) => s.toFixed(1)).join(", ")} s); upload ${(report.uploadBytes / 2 ** 20).toFixed(0)} MiB; peak RSS ${report.peakRssMiB.toFixed(0)} MiB, worker heaps ${report.workerHeapMiB.map((m) => m.toFixed(0)).join(", ")} MiB`);
    if (report.refresh !== null) {
      console.log(`refresh: ${report.refresh.bootstrappings} bootstrappings in ${report.refresh.workerSeconds.toFixed(1)} worker seconds (${(report.refresh.workerSeconds / report.refresh.bootstrappings).toFixed(1)} s each), refresh worker heaps ${report.refresh.workerHeapMiB.map((m) => m.toFixed(0)).join(", ")} MiB`);
    }
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await Promise.all([...shards.map((s) => s.close()), refresh?.pool.close()]);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, strict: false, options: { task: { type: "string" } } });
  (values.task === "mnist-head" ? runSoftmaxTraining(argv) : runTraining(argv)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
