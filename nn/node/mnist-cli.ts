// `npm run mnist -- --model cryptonets|cryptodl|FILE --mode batch --images K --threads N --json FILE`:
// encrypted inference on the MNIST test digits with a shipped model, every core busy, a
// progress bar, and a JSON report (accuracies, agreement, latency, throughput, memory).

import { writeFileSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { SingleBar, Presets } from "cli-progress";
import { KeyGenerator } from "../../engine/key-generator.js";
import { serializeParameters } from "../../engine/serialization/serialize.js";
import { loadFashionMnist, loadMnist } from "../data/mnist.js";
import { argmax, Sequential } from "../sequential.js";
import { BatchInferencePool, type BatchRunReport } from "./batch-pool.js";
import { describeParameters, modelFile } from "./report.js";

const usage = "usage: npm run mnist -- [--model cryptonets|cryptodl|FILE] [--dataset mnist|fashion] [--mode batch] [--images K] [--threads N] [--json FILE]";

export interface MnistRunResult {
  readonly model: string;
  readonly dataset: string;
  readonly mode: "batch";
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
  readonly report: Omit<BatchRunReport, "outputs">;
}

/** Runs the encrypted MNIST evaluation; prints progress and a summary; returns the figures. */
export async function runMnist(argv: readonly string[]): Promise<MnistRunResult> {
  const { values } = parseArgs({
    args: [...argv], strict: true,
    options: { model: { type: "string", default: "cryptonets" }, dataset: { type: "string", default: "mnist" }, mode: { type: "string", default: "batch" }, images: { type: "string", default: "10000" }, threads: { type: "string" }, json: { type: "string" } },
  });
  if (values.mode !== "batch") throw new Error(`--mode ${values.mode}: only batch packing is implemented (single-image packing is not yet)\n${usage}`);
  const images = Number(values.images);
  if (!Number.isSafeInteger(images) || images < 1 || images > 10_000) throw new Error(`--images must be an integer in [1, 10000]\n${usage}`);
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer\n${usage}`);

  const file = modelFile(values.model);
  const model = Sequential.fromJSON(readFileSync(file, "utf8"));
  const compiled = model.compile({ params: "auto" });
  const params = compiled.params;
  if (values.dataset !== "mnist" && values.dataset !== "fashion") throw new Error(`--dataset must be mnist or fashion\n${usage}`);
  // Fashion-MNIST comes from Debian's dataset-fashion-mnist; the loader's error says how to install it.
  const test = values.dataset === "fashion" ? loadFashionMnist({ split: "test", limit: images }) : loadMnist({ split: "test", limit: images });
  const size = test.rows * test.columns;
  const samples = Array.from({ length: test.count }, (_, i) => Float64Array.from(test.images.subarray(i * size, (i + 1) * size)));
  console.log(`model ${model.name} (${file}): ${compiled.stages.map((s) => s.layers.join("+")).join(" → ")}`);
  console.log(`parameters: ${describeParameters(params)}; model depth ${compiled.depth}`);

  const plainPredictions = samples.map((s) => argmax(model.predictPlain(s)));
  const keygen = new KeyGenerator(params);
  const session = { params, secretKey: keygen.secretKey, relinearizationKey: keygen.createRelinearizationKey(), model, level: compiled.plan.input.level };
  const pool = new BatchInferencePool({ threads });
  const bar = new SingleBar({ format: "encrypted inference |{bar}| {value}/{total} batches | {duration}s elapsed | ETA {eta}s", hideCursor: true }, Presets.shades_classic);
  let peakRss = process.memoryUsage().rss;
  const watch = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);
  let report: BatchRunReport;
  try {
    bar.start(Math.ceil(images / params.maxSlots), 0);
    report = await pool.run(session, samples, (done) => bar.update(done));
  } finally {
    bar.stop();
    clearInterval(watch);
    await pool.close();
  }
  const encryptedPredictions = report.outputs.map((o) => argmax(o));
  const labels = test.labels;
  const count = (f: (i: number) => boolean) => samples.reduce((n, _, i) => n + (f(i) ? 1 : 0), 0);
  const disagreements = count((i) => plainPredictions[i] !== encryptedPredictions[i]);
  const { outputs: _outputs, ...figures } = report;
  const result: MnistRunResult = {
    model: model.name, dataset: values.dataset, mode: "batch", images, threads,
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
  printSummary(result, compiled.params.maxSlots);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

function printSummary(r: MnistRunResult, slots: number): void {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const mib = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
  console.log(`images ${r.images} in ${r.report.batches} batches of up to ${slots} (one image per slot), ${r.threads} threads`);
  console.log(`plaintext accuracy ${pct(r.plainAccuracy)}, encrypted accuracy ${pct(r.encryptedAccuracy)}, agreement ${pct(r.agreement)} (${r.disagreements} differ)`);
  console.log(`wall time ${(r.latencyMs / 1000).toFixed(1)} s: ${Math.round(r.throughputPerHour).toLocaleString("en")} predictions/hour amortised (client encryption and decryption included)`);
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
