// `npm run hnn -- --features hashed|use --json FILE`: the HNN end-to-end encrypted spam
// classifier on SpamAssassin. The client turns each e-mail into features (hashed token counts,
// or a sentence embedding) and encrypts them; the server evaluates the whole network and the
// Soft-Argmax encrypted (single-message packing) and returns one ciphertext; the client
// decrypts one number, P(spam). Reports plain and encrypted accuracy, precision, recall, F1,
// AUROC, agreement, the learned temperature, latency and sizes; writes the model file.

import { writeFileSync } from "node:fs";
import { loadSpamAssassin, spamSplitSeed as splitSeed } from "../data/spam-assassin.js";
import { stratifiedSplit } from "../data/split.js";
import { binaryMetrics, type BinaryMetrics } from "../metrics.js";
import type { SoftArgmax } from "../layers/soft-argmax.js";
import { Sequential } from "../sequential.js";
import { modelToJson } from "../train/export.js";
import type { FeatureSet } from "../train/mlp.js";
import { initBackend } from "../train/backend.js";
import { parseHnnArgs, usage, type FeatureKind } from "./hnn-args.js";
import { hashedFeatures, sentenceEmbeddings } from "./hnn-features.js";
import { trainHnn } from "./hnn-train.js";
import { runSingleImages } from "./mnist-single.js";
import { progressBar, type Progress } from "./progress.js";
import { describeParameters } from "./report.js";


export interface HnnReport {
  readonly features: FeatureKind;
  readonly trainMessages: number;
  readonly testMessages: number;
  readonly encryptedMessages: number;
  readonly plainAccuracy: number;
  readonly encryptedAccuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly auroc: number;
  readonly plain: BinaryMetrics;
  readonly encrypted: BinaryMetrics;
  /** Plaintext model on the whole test set (accuracy from the argmax, AUROC from the logit margin). */
  /** Fraction of messages where the rounded encrypted output equals the plaintext model's argmax. */
  readonly agreement: number;
  readonly maxAbsDifference: number;
  readonly temperature: number;
  readonly initialTemperature: number;
  readonly sigmoidInterval: readonly [number, number];
  /** Max |polynomial − sigmoid| on that interval. */
  readonly sigmoidMaxError: number;
  readonly latencyMs: number;
  readonly uploadBytes: number;
  readonly downloadBytes: number;
  readonly evaluationKeyBytes: number;
  readonly parameters: string;
}


function subset(all: Float32Array, width: number, labels: Uint8Array, indices: Uint32Array): FeatureSet {
  const features = new Float32Array(indices.length * width);
  const out = new Uint8Array(indices.length);
  indices.forEach((k, i) => {
    features.set(all.subarray(k * width, (k + 1) * width), i * width);
    out[i] = labels[k]!;
  });
  return { count: indices.length, width, features, labels: out };
}

export async function runHnn(argv: readonly string[]): Promise<HnnReport> {
  const args = parseHnnArgs(argv);
  await initBackend("wasm");
  const corpus = loadSpamAssassin();
  const split = stratifiedSplit(corpus.labels, { testFraction: 0.2, seed: splitSeed });
  console.log(`SpamAssassin: ${corpus.count} e-mails, ${corpus.labels.reduce((a, b) => a + b, 0)} spam; split ${split.train.length} train / ${split.test.length} test (stratified, seed ${splitSeed})`);
  const maker = args.features === "hashed" ? hashedFeatures(args.buckets) : sentenceEmbeddings();
  const featureBar = progressBar(`features (${args.features})`, "e-mails");
  featureBar.start(corpus.count);
  const rows = await maker.rows(corpus.texts, (done) => featureBar.update(done));
  featureBar.stop();
  // 10% of the training messages (stratified) are held out to learn the temperature on.
  const inner = stratifiedSplit(Array.from(split.train, (k) => corpus.labels[k]!), { testFraction: 0.1, seed: splitSeed + 1 });
  const train = subset(rows, maker.width, corpus.labels, inner.train.map((i) => split.train[i]!));
  const validation = subset(rows, maker.width, corpus.labels, inner.test.map((i) => split.train[i]!));
  const test = subset(rows, maker.width, corpus.labels, split.test);

  let trainBar: Progress | undefined;
  const trained = trainHnn(train, validation, {
    kind: args.features, epochs: args.epochs, seed: args.seed,
    progress: (phase, epoch, epochs, loss, accuracy) => {
      if (epoch === 1) { trainBar?.stop(); trainBar = progressBar(`train ${phase}`, "epochs"); trainBar.start(epochs); }
      trainBar!.update(epoch, `loss ${loss.toFixed(4)} acc ${(100 * accuracy).toFixed(2)}%`);
    },
    temperatureProgress: (step, steps, t, loss) => {
      if (step === 1) { trainBar?.stop(); trainBar = progressBar("learn temperature", "steps"); trainBar.start(steps); }
      trainBar!.update(step, `T ${t.toFixed(3)} loss ${loss.toFixed(4)}`);
    },
  });
  trainBar?.stop();
  const model = Sequential.fromSpec({ ...trained.spec, metadata: { dataset: "spam-assassin", split: { testFraction: 0.2, seed: splitSeed }, features: maker.description, temperature: trained.temperature } });
  writeFileSync(args.out, modelToJson(model.toSpec()));
  console.log(`learned temperature T = ${trained.temperature.toFixed(4)} (from ${trained.initialTemperature}; cross-entropy ${trained.temperatureLoss.before.toFixed(4)} → ${trained.temperatureLoss.after.toFixed(4)}); ` +
    `sigmoid interval [${trained.softArgmax.interval.map((v) => v.toFixed(2)).join(", ")}], degree ${trained.softArgmax.degree}; model written to ${args.out}`);

  // The plaintext model: its logits' argmax is the reference; its Soft-Argmax twin the score.
  const body = Sequential.fromSpec({ ...trained.spec, layers: trained.spec.layers.slice(0, -1) });
  const sample = (i: number) => test.features.subarray(i * test.width, (i + 1) * test.width);
  const head = model.layers[model.layers.length - 1]!;
  const plainLogits = Array.from({ length: test.count }, (_, i) => body.predictPlain(sample(i)));
  const plainMargins = plainLogits.map((z) => z[1]! - z[0]!);
  const plainArgmax = plainMargins.map((m) => (m > 0 ? 1 : 0));
  const plainScores = plainLogits.map((z) => head.forwardPlain(z)[0]!);

  const compiled = model.compile({ packing: "single" });
  console.log(`encrypted: ${describeParameters(compiled.params)}; depth ${compiled.plan.depth}; ${compiled.plan.rotationSteps.length} Galois keys`);
  // --limit N: N test messages evenly spaced over the (ham-then-spam ordered) test set.
  const count = Math.min(test.count, args.limit ?? test.count);
  const chosen = Array.from({ length: count }, (_, j) => Math.floor((j * test.count) / count));
  const runBar = progressBar("encrypted inference", "e-mails");
  runBar.start(count);
  const run = runSingleImages(compiled, chosen.map(sample), (done) => runBar.update(done));
  runBar.stop();
  compiled.dispose();
  const encryptedScores = run.outputs.map((o) => o[0]!);
  const labels = Uint8Array.from(chosen, (i) => test.labels[i]!);
  // Plaintext figures on the whole test set; encrypted ones on the messages evaluated.
  const plain = binaryMetrics(plainMargins, test.labels, 0);
  const encrypted = binaryMetrics(encryptedScores, labels, 0.5);
  let agree = 0;
  let maxAbsDifference = 0;
  encryptedScores.forEach((s, j) => {
    if ((s > 0.5 ? 1 : 0) === plainArgmax[chosen[j]!]) agree++;
    maxAbsDifference = Math.max(maxAbsDifference, Math.abs(s - plainScores[chosen[j]!]!));
  });
  const report: HnnReport = {
    features: args.features, trainMessages: train.count, testMessages: test.count, encryptedMessages: count,
    plainAccuracy: plain.accuracy, encryptedAccuracy: encrypted.accuracy,
    precision: encrypted.precision, recall: encrypted.recall, f1: encrypted.f1, auroc: encrypted.auroc,
    plain, encrypted, agreement: agree / count, maxAbsDifference,
    temperature: trained.temperature, initialTemperature: trained.initialTemperature, sigmoidInterval: trained.softArgmax.interval,
    sigmoidMaxError: (model.layers[model.layers.length - 1] as SoftArgmax).polynomialError,
    latencyMs: run.medianMs, uploadBytes: run.bytesUpPerImage, downloadBytes: run.bytesDownPerImage,
    evaluationKeyBytes: run.relinearizationKeyBytes + run.galoisKeyBytes, parameters: describeParameters(compiled.params),
  };
  printTable(report);
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(report, null, 2) + "\n");
  return report;
}

function printTable(r: HnnReport): void {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  console.log(`\n| ${r.features} features (SpamAssassin, ${r.encryptedMessages} test e-mails) | accuracy | precision | recall | F1 | AUROC |`);
  console.log("|---|---|---|---|---|---|");
  console.log(`| plaintext model (argmax of logits) | ${pct(r.plain.accuracy)} | ${pct(r.plain.precision)} | ${pct(r.plain.recall)} | ${r.plain.f1.toFixed(4)} | ${r.plain.auroc.toFixed(4)} |`);
  console.log(`| encrypted end to end (Soft-Argmax, T = ${r.temperature.toFixed(3)}) | ${pct(r.encrypted.accuracy)} | ${pct(r.encrypted.precision)} | ${pct(r.encrypted.recall)} | ${r.encrypted.f1.toFixed(4)} | ${r.encrypted.auroc.toFixed(4)} |`);
  console.log(`| HNN paper, SST-2 (plain DistilBERT / HNN, obfuscated tokens) | 91.3% / 81.65% | | | | |`);
  console.log(`\nagreement ${pct(r.agreement)}, max |encrypted − twin| ${r.maxAbsDifference.toExponential(2)}; server latency ${r.latencyMs.toFixed(1)} ms median; ` +
    `upload ${(r.uploadBytes / 1024).toFixed(1)} KiB, download ${(r.downloadBytes / 1024).toFixed(1)} KiB per e-mail; evaluation keys ${(r.evaluationKeyBytes / 2 ** 20).toFixed(1)} MiB once`);
}

runHnn(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (!(error instanceof Error && error.message.includes(usage))) console.error(usage);
  process.exitCode = 1;
});
