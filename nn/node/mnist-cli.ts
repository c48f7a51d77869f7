// `npm run mnist -- --model cryptonets|cryptodl|FILE --mode batch|complex|single --images K --threads N --preset NAME --json FILE`:
// encrypted inference on the MNIST test digits with a shipped model, a progress bar, and a JSON
// report (accuracies, agreement, latency, throughput, memory). Batch mode (one image per slot)
// and complex mode (two per slot, in the real and imaginary parts) keep every core busy; single
// mode measures one image's server-side latency on one thread (see mnist-single.ts).

import { writeFileSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { SingleBar, Presets } from "cli-progress";
import { KeyGenerator } from "../../engine/key-generator.js";
import { Parameters } from "../../engine/parameters.js";
import { presets, type PresetName } from "../../engine/presets.js";
import { serializeParameters } from "../../engine/serialization/serialize.js";
import { loadFashionMnist, loadMnist } from "../data/mnist.js";
import type { CompiledModel } from "../compiled-model.js";
import { argmax, Sequential } from "../sequential.js";
import { describeLayout, type SinglePlan } from "../single/plan.js";
import { BatchInferencePool, type BatchRunReport } from "./batch-pool.js";
import { runSingleImages, type SingleRunReport } from "./mnist-single.js";
import { describeParameters, modelFile } from "./report.js";

const usage = "usage: npm run mnist -- [--model cryptonets|cryptodl|FILE] [--dataset mnist|fashion] [--mode batch|complex|single] [--images K] [--threads N] [--preset NAME] [--json FILE]";

/** The figures of a run; `report` holds the mode's own (BatchRunReport or SingleRunReport, outputs left out). */
export interface MnistRunResult<R = Omit<BatchRunReport, "outputs"> | Omit<SingleRunReport, "outputs">> {
  readonly model: string;
  readonly dataset: string;
  readonly mode: "batch" | "complex" | "single";
  readonly images: number;
  readonly threads: number;
  readonly plainAccuracy: number;
  readonly encryptedAccuracy: number;
  readonly agreement: number;
  readonly disagreements: number;
  readonly latencyMs: number;
  readonly throughputPerHour: number;
  readonly serverThroughputPerHour: number;
  readonly peakRssMiB: number;
  readonly parameters: string;
  readonly bytesUpPerImage: number;
  readonly bytesDownPerImage: number;
  readonly keyBytes: number;
  readonly report: R;
}

/** Runs the encrypted MNIST evaluation; prints progress and a summary; returns the figures. */
export async function runMnist(argv: readonly string[]): Promise<MnistRunResult> {
  const { values } = parseArgs({
    args: [...argv], strict: true,
    options: {
      model: { type: "string", default: "cryptonets" }, dataset: { type: "string", default: "mnist" }, mode: { type: "string", default: "batch" },
      images: { type: "string" }, threads: { type: "string" }, preset: { type: "string" }, json: { type: "string" },
    },
  });
  const mode = values.mode;
  if (mode !== "batch" && mode !== "complex" && mode !== "single") throw new Error(`--mode must be batch, complex or single, got ${mode}\n${usage}`);
  // Single mode times images one after another: 100 by default.
  const images = Number(values.images ?? (mode === "single" ? 100 : 10_000));
  if (!Number.isSafeInteger(images) || images < 1 || images > 10_000) throw new Error(`--images must be an integer in [1, 10000]\n${usage}`);
  const threads = values.threads === undefined ? (mode === "single" ? 1 : availableParallelism()) : Number(values.threads);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer\n${usage}`);
  if (mode === "single" && threads !== 1) throw new Error(`--mode single measures one image's latency on one thread: leave --threads out\n${usage}`);
  if (values.preset !== undefined && !Object.hasOwn(presets, values.preset)) throw new Error(`--preset ${values.preset}: expected one of ${Object.keys(presets).join(", ")}\n${usage}`);

  const file = modelFile(values.model);
  const model = Sequential.fromJSON(readFileSync(file, "utf8"));
  const compiled = model.compile({ params: values.preset === undefined ? "auto" : Parameters.create(presets[values.preset as PresetName]), packing: mode });
  const params = compiled.params;
  if (values.dataset !== "mnist" && values.dataset !== "fashion") throw new Error(`--dataset must be mnist or fashion\n${usage}`);
  // Fashion-MNIST comes from Debian's dataset-fashion-mnist; the loader's error says how to install it.
  const test = values.dataset === "fashion" ? loadFashionMnist({ split: "test", limit: images }) : loadMnist({ split: "test", limit: images });
  const size = test.rows * test.columns;
  const samples = Array.from({ length: test.count }, (_, i) => Float64Array.from(test.images.subarray(i * size, (i + 1) * size)));
  console.log(`model ${model.name} (${file}): ${compiled.stages.map((s) => s.layers.join("+")).join(" → ")}`);
  console.log(`parameters: ${describeParameters(params)}; model depth ${compiled.depth}`);

  const plainPredictions = samples.map((s) => argmax(model.predictPlain(s)));
  const labels = test.labels;
  const count = (f: (i: number) => boolean) => samples.reduce((n, _, i) => n + (f(i) ? 1 : 0), 0);
  if (mode === "single") {
    const result = singleResult(compiled, values.dataset, samples, plainPredictions, labels, count);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  }
  const keygen = new KeyGenerator(params);
  const complex = mode === "complex";
  const session = {
    params, secretKey: keygen.secretKey, relinearizationKey: keygen.createRelinearizationKey(), model, level: compiled.plan.input.level,
    complex, ...(complex ? { galoisKeys: keygen.createGaloisKeys({ steps: [], conjugate: true }) } : {}),
  };
  const pool = new BatchInferencePool({ threads });
  const bar = new SingleBar({ format: "encrypted inference |{bar}| {value}/{total} batches | {duration}s elapsed | ETA {eta}s", hideCursor: true }, Presets.shades_classic);
  let peakRss = process.memoryUsage().rss;
  const watch = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);
  let report: BatchRunReport;
  try {
    bar.start(Math.ceil(images / compiled.batchSize), 0);
    report = await pool.run(session, samples, (done) => bar.update(done));
  } finally {
    bar.stop();
    clearInterval(watch);
    await pool.close();
  }
  const encryptedPredictions = report.outputs.map((o) => argmax(o));
  const disagreements = count((i) => plainPredictions[i] !== encryptedPredictions[i]);
  const { outputs: _outputs, ...figures } = report;
  const result: MnistRunResult<Omit<BatchRunReport, "outputs">> = {
    model: model.name, dataset: values.dataset, mode, images, threads,
    plainAccuracy: count((i) => plainPredictions[i] === labels[i]) / images,
    encryptedAccuracy: count((i) => encryptedPredictions[i] === labels[i]) / images,
    agreement: 1 - disagreements / images, disagreements,
    latencyMs: report.wallMs,
    throughputPerHour: (images / report.wallMs) * 3_600_000,
    serverThroughputPerHour: (images / (report.evaluationMs / threads)) * 3_600_000,
    peakRssMiB: peakRss / 2 ** 20,
    parameters: describeParameters(params),
    bytesUpPerImage: report.bytesUp / images, bytesDownPerImage: report.bytesDown / images,
    keyBytes: report.keyBytes + serializeParameters(params).length,
    report: figures,
  };
  printSummary(result, compiled.batchSize);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Single mode: runs the images one by one on this thread, prints the summary, returns the figures. */
function singleResult(
  compiled: CompiledModel, dataset: string, samples: readonly Float64Array[], plainPredictions: readonly number[], labels: Uint8Array,
  count: (f: (i: number) => boolean) => number,
): MnistRunResult {
  const plan = compiled.plan as SinglePlan;
  console.log(`single-image packing: input ${describeLayout(plan.inputLayout)}; ${plan.keySwitches} key switches per image; ${plan.rotationSteps.length} Galois keys`);
  for (const s of plan.stages) {
    const how = s.lowering === undefined ? `${s.relinearizations} relinearization(s)` : `${s.lowering.method}, ${s.lowering.diagonals.indices.length} diagonals, ${s.keySwitches} key switches`;
    console.log(`  ${s.stage.layers.join("+")}: level ${s.input.level} → ${s.output.level}, ${how}, output ${describeLayout(s.layout)}`);
  }
  const bar = new SingleBar({ format: "encrypted inference |{bar}| {value}/{total} images | {duration}s elapsed | ETA {eta}s", hideCursor: true }, Presets.shades_classic);
  let peakRss = process.memoryUsage().rss;
  let report: SingleRunReport;
  try {
    bar.start(samples.length, 0);
    report = runSingleImages(compiled, samples, (done) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      bar.update(done);
    });
  } finally {
    bar.stop();
  }
  const encryptedPredictions = report.outputs.map((o) => argmax(o));
  const images = samples.length;
  const disagreements = count((i) => plainPredictions[i] !== encryptedPredictions[i]);
  const { outputs: _outputs, ...figures } = report;
  const keyBytes = report.relinearizationKeyBytes + report.galoisKeyBytes + serializeParameters(compiled.params).length;
  const result: MnistRunResult = {
    model: compiled.model.name, dataset, mode: "single", images, threads: 1,
    plainAccuracy: count((i) => plainPredictions[i] === labels[i]) / images,
    encryptedAccuracy: count((i) => encryptedPredictions[i] === labels[i]) / images,
    agreement: 1 - disagreements / images, disagreements,
    latencyMs: report.medianMs,
    throughputPerHour: (images / report.wallMs) * 3_600_000,
    serverThroughputPerHour: 3_600_000 / (report.evaluationMs.reduce((a, b) => a + b, 0) / images),
    peakRssMiB: peakRss / 2 ** 20,
    parameters: describeParameters(compiled.params),
    bytesUpPerImage: report.bytesUpPerImage, bytesDownPerImage: report.bytesDownPerImage, keyBytes,
    report: figures,
  };
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const mib = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
  console.log(`images ${images}, one per ciphertext, one thread`);
  console.log(`plaintext accuracy ${pct(result.plainAccuracy)}, encrypted accuracy ${pct(result.encryptedAccuracy)}, agreement ${pct(result.agreement)} (${disagreements} differ)`);
  console.log(`server latency per image: median ${report.medianMs.toFixed(1)} ms (min ${report.minMs.toFixed(1)}, max ${report.maxMs.toFixed(1)}); ${Math.round(result.throughputPerHour).toLocaleString("en")} predictions/hour on one thread, client included`);
  console.log(`client: keys ${(report.keygenMs / 1000).toFixed(1)} s once, encrypt ${(report.encryptMs / images).toFixed(1)} ms and decrypt ${(report.decryptMs / images).toFixed(1)} ms per image`);
  console.log(`upload once: ${report.galoisKeys} Galois keys ${mib(report.galoisKeyBytes)} + relinearization key ${mib(report.relinearizationKeyBytes)} (seeded); per image ${(report.bytesUpPerImage / 1024).toFixed(1)} KiB up, ${(report.bytesDownPerImage / 1024).toFixed(1)} KiB down; peak RSS ${result.peakRssMiB.toFixed(0)} MiB`);
  return result;
}

function printSummary(r: MnistRunResult<Omit<BatchRunReport, "outputs">>, batchSize: number): void {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const mib = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
  console.log(`images ${r.images} in ${r.report.batches} batches of up to ${batchSize} (${r.mode === "complex" ? "two images per slot, real and imaginary parts" : "one image per slot"}), ${r.threads} threads`);
  console.log(`plaintext accuracy ${pct(r.plainAccuracy)}, encrypted accuracy ${pct(r.encryptedAccuracy)}, agreement ${pct(r.agreement)} (${r.disagreements} differ)`);
  console.log(`wall time ${(r.latencyMs / 1000).toFixed(1)} s (${(r.latencyMs / r.images).toFixed(2)} ms per image amortised): ${Math.round(r.throughputPerHour).toLocaleString("en")} predictions/hour (client encryption and decryption included)`);
  console.log(`server evaluation only: ${Math.round(r.serverThroughputPerHour).toLocaleString("en")} predictions/hour (worker time: encrypt ${(r.report.encryptMs / 1000).toFixed(1)} s, evaluate ${(r.report.evaluationMs / 1000).toFixed(1)} s, decrypt ${(r.report.decryptMs / 1000).toFixed(1)} s)`);
  console.log(`ciphertexts up ${mib(r.report.bytesUp)} (${(r.bytesUpPerImage / 1024).toFixed(1)} KiB/image), down ${mib(r.report.bytesDown)}; evaluation key ${mib(r.keyBytes)}; peak RSS (main thread process) ${r.peakRssMiB.toFixed(0)} MiB`);
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  runMnist(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
