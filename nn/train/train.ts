// Entry point: trains a CryptoNets or CryptoDL-style model on MNIST (or Fashion-MNIST) with
// TensorFlow.js and writes it in the ModelSpec format.
//   npm run train -- --model cryptonets|cryptodl [--epochs E] [--seed S] [--out FILE] [--dataset mnist|fashion] [--limit N]

import * as tf from "@tensorflow/tfjs";
import cliProgress from "cli-progress";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadFashionMnist, loadMnist, type Dataset, type Split } from "../data/mnist.js";
import { architectures, type Architecture } from "./architectures.js";
import { parseTrainArgs, type TrainArgs } from "./args.js";
import { randomShifts } from "./augment.js";
import { initBackend } from "./backend.js";
import { modelDepth } from "./depth.js";
import { modelToJson } from "./export.js";
import { evaluate, trainBatch } from "./loop.js";
import { TrainableModel } from "./model.js";
import { SeededRandom } from "../random.js";

function load(args: TrainArgs, split: Split, limit?: number): Dataset {
  const options = limit === undefined ? { split } : { split, limit };
  return args.dataset === "fashion" ? loadFashionMnist(options) : loadMnist(options);
}

/** Adam reads its learning rate at every step; tfjs only lacks a setter for it. */
function setLearningRate(optimizer: tf.AdamOptimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

function trainEpoch(model: TrainableModel, optimizer: tf.Optimizer, data: Dataset, architecture: Architecture, random: SeededRandom, epoch: number, epochs: number): { loss: number; accuracy: number } {
  const order = random.permutation(data.count);
  const batches = Math.ceil(data.count / architecture.batchSize);
  const bar = new cliProgress.SingleBar({
    format: `epoch ${epoch + 1}/${epochs} |{bar}| {value}/{total} batches | loss {loss} | accuracy {accuracy} | ETA {eta_formatted}`,
    etaBuffer: 50, hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(batches, 0, { loss: "-", accuracy: "-" });
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (let b = 0; b < batches; b++) {
    const start = b * architecture.batchSize;
    const count = Math.min(architecture.batchSize, data.count - start);
    const shifts = architecture.maxShift > 0 ? randomShifts(random, count, architecture.maxShift) : undefined;
    const result = trainBatch(model, optimizer, data, order, start, count, shifts);
    lossSum += result.loss * result.count;
    correct += result.correct;
    seen += result.count;
    bar.update(b + 1, { loss: (lossSum / seen).toFixed(4), accuracy: (correct / seen).toFixed(4) });
  }
  bar.stop();
  return { loss: lossSum / seen, accuracy: correct / seen };
}

async function main(): Promise<void> {
  const args = parseTrainArgs(process.argv.slice(2));
  const architecture = architectures[args.model];
  const epochs = args.epochs ?? architecture.defaultEpochs;
  const backend = await initBackend();
  const train = load(args, "train", args.limit);
  const test = load(args, "test");
  console.log(`${architecture.name} on ${args.dataset}: ${train.count} training, ${test.count} test images; ${epochs} epochs, seed ${args.seed}, backend ${backend}`);
  console.log(`  ${architecture.description}`);

  const started = performance.now();
  const random = new SeededRandom(args.seed);
  const model = new TrainableModel(architecture.name, architecture.inputShape, architecture.layers, random);
  const optimizer = tf.train.adam(architecture.learningRate(0, epochs));
  const history: { epoch: number; learningRate: number; loss: number; trainAccuracy: number; seconds: number }[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const learningRate = architecture.learningRate(epoch, epochs);
    setLearningRate(optimizer, learningRate);
    const epochStart = performance.now();
    const { loss, accuracy } = trainEpoch(model, optimizer, train, architecture, random, epoch, epochs);
    const seconds = (performance.now() - epochStart) / 1000;
    history.push({ epoch: epoch + 1, learningRate, loss, trainAccuracy: accuracy, seconds: Math.round(seconds) });
    console.log(`epoch ${epoch + 1}/${epochs}: loss ${loss.toFixed(4)}, training accuracy ${(100 * accuracy).toFixed(2)}%, learning rate ${learningRate.toExponential(2)}, ${seconds.toFixed(0)} s`);
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const result = evaluate(model, test);
  console.log(`test accuracy: ${(100 * result.accuracy).toFixed(2)}% (${result.correct}/${result.count}); training took ${trainSeconds.toFixed(0)} s`);

  const spec = model.toSpec({});
  const metadata = {
    dataset: args.dataset, trainImages: train.count, testImages: test.count,
    testAccuracy: result.accuracy, testCorrect: result.correct,
    epochs, seed: args.seed, batchSize: architecture.batchSize, maxShift: architecture.maxShift, optimizer: "adam", backend,
    seconds: Math.round(trainSeconds), depth: modelDepth(spec.layers), architecture: architecture.description,
    inputMaxAbs: result.inputMaxAbs, maxAbsOutput: result.maxAbs, history,
    command: `npm run train -- ${process.argv.slice(2).join(" ")}`, tfjs: tf.version.tfjs,
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, modelToJson({ ...spec, metadata }));
  console.log(`wrote ${args.out} (depth ${metadata.depth})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
