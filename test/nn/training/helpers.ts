// Small synthetic training tasks and an in-process encrypted run for the training suites.

import {
  Bootstrapper, Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Parameters, type BootstrappingLiteral, type ParametersLiteral, type WasmHeap,
} from "../../../engine/index.js";
import {
  decryptWeights, encryptTask, GradientShard, LocalRefresh, localSource, planLogisticRegression, trainEncrypted,
  type TrainingOptions, type TrainingPlan, type TrainingTask,
} from "../../../nn/index.js";
import { seededRandom } from "../../helpers/nn-models.js";

/** Insecure small parameters with `depth` levels (N = 2^logN). */
export function smallLiteral(depth: number, logN = 10): ParametersLiteral {
  return { logN, logScale: 29, depth, allowInsecureParametersForTesting: true };
}

/**
 * `samples` samples of `features` features in [0, 1], labelled by a planted linear model with
 * 10% of the labels flipped (so the classes overlap and the weights stay finite).
 */
export function syntheticTask(samples: number, features: number, seed: number): TrainingTask {
  const random = seededRandom(seed);
  const planted = Array.from({ length: features }, () => 4 * random());
  const rows = new Float64Array(samples * features);
  const labels = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) {
    let score = 0;
    for (let j = 0; j < features; j++) {
      const x = (random() + 1) / 2;
      rows[i * features + j] = x;
      score += planted[j]! * (x - 0.5);
    }
    labels[i] = (score > 0) !== (random() > 0.8) ? 1 : 0;
  }
  return { name: "synthetic", samples, features, rows, labels };
}

export interface EncryptedRun {
  readonly plan: TrainingPlan;
  readonly weights: Float64Array;
  readonly level: number;
  readonly levels: number[];
}

/**
 * Keys, encryption, training in `shards` in-process shards, decryption; with `bootstrapping`
 * (a shape whose slots are the layout's block size), the iterates are refreshed by a
 * LocalRefresh of that shape when the plan needs it.
 */
export async function runEncrypted(
  literal: ParametersLiteral, task: TrainingTask, options: TrainingOptions, shards = 1, heap?: WasmHeap, bootstrapping?: BootstrappingLiteral,
): Promise<EncryptedRun> {
  const params = Parameters.create(literal, heap === undefined ? {} : { heap });
  const refreshPlan = bootstrapping === undefined ? undefined : Bootstrapper.planFor(params, bootstrapping);
  const plan = planLogisticRegression(params, task, options, refreshPlan);
  const keygen = new KeyGenerator(params);
  const evaluator = new Evaluator(params, {
    relinearizationKey: keygen.createRelinearizationKey(),
    galoisKeys: keygen.createGaloisKeys({ steps: [...new Set([...plan.galoisSteps, ...(refreshPlan?.rotationSteps ?? [])])], conjugate: true }),
  });
  const refresh = bootstrapping === undefined ? undefined : new LocalRefresh(new Bootstrapper(evaluator, bootstrapping));
  const encoder = new Encoder(params);
  const data = encryptTask(new Encryptor(params, keygen.secretKey), encoder, plan, task);
  const { groups, sets } = plan.layout;
  const dataSets = Array.from({ length: sets }, (_, index) => ({ index, ciphertexts: data.slice(index * groups, (index + 1) * groups) }));
  const perShard = Math.ceil(sets / shards);
  const sources = Array.from({ length: shards }, (_, k) => localSource(new GradientShard(evaluator, plan.layout, dataSets.slice(k * perShard, (k + 1) * perShard))));
  const levels: number[] = [];
  const keyless = new Evaluator(params);
  try {
    const w = await trainEncrypted(keyless, plan, options, sources, (p) => levels.push(p.level), refresh);
    try {
      return { plan, weights: decryptWeights(new Decryptor(params, keygen.secretKey), encoder, plan.layout, w), level: w[0]!.level, levels };
    } finally {
      w.forEach((ct) => ct.dispose());
    }
  } finally {
    for (const ct of data) ct.dispose();
    refresh?.bootstrapper.dispose();
  }
}

export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
