// Small synthetic multiclass tasks and an in-process encrypted softmax run for the softmax suites.

import { Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, type ParametersLiteral } from "../../../engine/index.js";
import { decryptSoftmaxWeights, encryptSoftmaxTask } from "../../../nn/training/softmax-client.js";
import { SoftmaxShard } from "../../../nn/training/softmax-gradient.js";
import type { MulticlassTask } from "../../../nn/training/multiclass-task.js";
import { planSoftmaxTraining, type SoftmaxTrainingPlan } from "../../../nn/training/softmax-plan.js";
import type { SoftmaxTrainingOptions } from "../../../nn/training/softmax-schedule.js";
import { localSoftmaxSource, trainSoftmaxEncrypted } from "../../../nn/training/softmax-trainer.js";
import { seededRandom } from "../../helpers/nn-models.js";

/**
 * `samples` samples of `features` features in [0, 1] in `classes` classes: the argmax of a planted
 * linear model, with 10% of the labels replaced by random classes.
 */
export function syntheticMulticlassTask(samples: number, features: number, classes: number, seed: number): MulticlassTask {
  const random = seededRandom(seed);
  const planted = Array.from({ length: classes * features }, () => 4 * random());
  const rows = new Float64Array(samples * features);
  const labels = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < features; j++) rows[i * features + j] = (random() + 1) / 2;
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let j = 0; j < features; j++) score += planted[c * features + j]! * (rows[i * features + j]! - 0.5);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    labels[i] = random() > 0.8 ? Math.floor(((random() + 1) / 2) * classes) % classes : best;
  }
  return { name: "synthetic", samples, features, classes, rows, labels };
}

/** Options with small polynomials, so that a few iterations fit small test rings. */
export const smallSoftmaxOptions = { expDegree: 7, logitBound: 4, sumInterval: [0.5, 4], inversePrecision: 0.05, stepScale: 4 } as const;

export interface SoftmaxRun {
  readonly plan: SoftmaxTrainingPlan;
  readonly weights: Float64Array[];
  readonly levels: number[];
}

/** Keys, encryption, training in `shards` in-process shards, decryption. */
export async function runSoftmaxEncrypted(literal: ParametersLiteral, task: MulticlassTask, options: SoftmaxTrainingOptions, shards = 1): Promise<SoftmaxRun> {
  const params = Parameters.create(literal);
  const plan = planSoftmaxTraining(params, task, options);
  const keygen = new KeyGenerator(params);
  const evaluator = new Evaluator(params, {
    relinearizationKey: keygen.createRelinearizationKey(),
    galoisKeys: keygen.createGaloisKeys({ steps: [...plan.galoisSteps], conjugate: false }),
  });
  const encoder = new Encoder(params);
  const data = encryptSoftmaxTask(new Encryptor(params, keygen.secretKey), encoder, plan, task);
  const perShard = Math.ceil(data.length / shards);
  const shardList = Array.from({ length: shards }, (_, k) => new SoftmaxShard(evaluator, plan, options,
    data.slice(k * perShard, (k + 1) * perShard).map((d, i) => ({ index: k * perShard + i, ...d }))));
  const levels: number[] = [];
  try {
    const w = await trainSoftmaxEncrypted(new Evaluator(params), plan, options, shardList.map(localSoftmaxSource), (p) => levels.push(p.level));
    try {
      return { plan, weights: decryptSoftmaxWeights(new Decryptor(params, keygen.secretKey), encoder, plan.layout, w), levels };
    } finally {
      w.forEach((ct) => ct.dispose());
    }
  } finally {
    shardList.forEach((s) => s.dispose());
    for (const d of data) {
      d.features.dispose();
      d.labels.dispose();
    }
  }
}
