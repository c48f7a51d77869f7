// `npm run hnn:mnist`: the 10-class Soft-Argmax on the shipped CryptoNets model, in plaintext.
// For each temperature: how often the rounded expected index equals the argmax (exact softmax
// and our polynomial twin), and what the encrypted layer would need for the test logits: the
// exp interval, the range of the normalising sum, the inverse's levels, and the model's total
// depth. It is the measurement behind the README's statement of why the encrypted MNIST
// Soft-Argmax does not fit one parameter set without bootstrapping.

import { readFileSync, writeFileSync } from "node:fs";
import { inversePlan } from "../../engine/circuits/approx/inverse.js";
import { loadMnist } from "../data/mnist.js";
import { expectedIndex, softmax } from "../layers/soft-argmax.js";
import { argmax, Sequential } from "../sequential.js";
import { learnTemperature } from "../soft-argmax-fit.js";
import { modelFile } from "./report.js";

interface Row {
  readonly temperature: number;
  readonly agreementExact: number;
  readonly yRange: readonly [number, number];
  readonly sumRange: readonly [number, number];
  /** Levels of 1/S on the sum range at relative precision 1e-3, or null if no plan exists. */
  readonly inverseLevels: number | null;
  /** CryptoNets 5 + exp (degree 15 or 31: 4 or 5) + inverse + 1, or null. */
  readonly totalDepth: number | null;
}

function logitsOf(model: Sequential, split: "train" | "test", limit?: number): { logits: Float64Array[]; labels: Uint8Array } {
  const d = loadMnist({ split, ...(limit === undefined ? {} : { limit }) });
  const size = d.rows * d.columns;
  const logits = Array.from({ length: d.count }, (_, i) => model.predictPlain(d.images.subarray(i * size, (i + 1) * size)));
  return { logits, labels: d.labels };
}

function analyse(logits: readonly Float64Array[], t: number): Row {
  let agree = 0;
  let [ylo, yhi, slo, shi] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const x of logits) {
    const n = x.length;
    const mean = x.reduce((a, b) => a + b, 0) / n;
    let sum = 0;
    for (const v of x) {
      const y = (v - mean) / t;
      ylo = Math.min(ylo, y);
      yhi = Math.max(yhi, y);
      sum += Math.exp(y) / n;
    }
    slo = Math.min(slo, sum);
    shi = Math.max(shi, sum);
    if (Math.round(expectedIndex(softmax(x, t))) === argmax(x)) agree++;
  }
  let inverseLevels: number | null = null;
  try {
    inverseLevels = inversePlan({ interval: [0.9, 1.1 * shi], precision: 1e-3 / 0.9 }).depth;
  } catch {
    inverseLevels = null;
  }
  const expLevels = yhi - ylo <= 16 ? 4 : 5;
  return {
    temperature: t, agreementExact: agree / logits.length, yRange: [ylo, yhi], sumRange: [slo, shi], inverseLevels,
    totalDepth: inverseLevels === null ? null : 5 + expLevels + inverseLevels + 1,
  };
}

function main(): void {
  const json = process.argv.indexOf("--json");
  const model = Sequential.fromJSON(readFileSync(modelFile("cryptonets"), "utf8"));
  // Temperature learned as the paper does (every weight frozen, T from 2), on 10,000 training digits.
  const train = logitsOf(model, "train", 10_000);
  const fit = learnTemperature(train.logits, train.labels, { initial: 2, steps: 200 });
  const test = logitsOf(model, "test");
  const temperatures = [...new Set([0.25, 0.5, fit.temperature, 1, 2, 4, 8, 16])].sort((a, b) => a - b);
  const rows = temperatures.map((t) => analyse(test.logits, t));
  console.log(`CryptoNets logits, 10,000 MNIST test digits; learned T = ${fit.temperature.toFixed(4)} (cross-entropy ${fit.initialLoss.toFixed(4)} → ${fit.loss.toFixed(4)})`);
  console.log("| T | rounded Soft-Argmax = argmax (exact softmax) | centred logits / T | Σ exp / n | levels of 1/S | total depth |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.temperature.toFixed(3)} | ${(100 * r.agreementExact).toFixed(2)}% | [${r.yRange.map((v) => v.toFixed(1)).join(", ")}] | ` +
      `[${r.sumRange[0].toFixed(2)}, ${r.sumRange[1].toExponential(2)}] | ${r.inverseLevels ?? "no plan"} | ${r.totalDepth ?? "—"} |`);
  }
  if (json > 0) writeFileSync(process.argv[json + 1]!, JSON.stringify({ learnedTemperature: fit.temperature, rows }, null, 2) + "\n");
}

main();
