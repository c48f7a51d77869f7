// Refreshes in a worker thread (the built package in dist/, as `npm run train:encrypted --
// --bootstrap` runs them): the same N = 2^10 training as refresh.test.ts with its bootstrappings
// in a RefreshPool of one worker holding serialized keys, against the float64 twin.

import { describe, expect, it } from "vitest";
import {
  Bootstrapper, Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, OffHeapGaloisKeys, Parameters, serializeParameters, serializeSwitchingKey,
} from "../../../dist/engine/index.js";
import { decryptWeights, encryptTask, GradientShard, localSource, planLogisticRegression, trainEncrypted, trainPlain } from "../../../dist/nn/index.js";
import { RefreshPool } from "../../../dist/nn/node/refresh-pool.js";
import { bundle } from "../../../dist/nn/wire.js";
import { maxDifference, syntheticTask } from "./helpers.js";

const literal = { logN: 10, logScale: 50, depth: 16, logBaseModulus: 60, hammingWeight: 40, allowInsecureParametersForTesting: true } as const;
const shape = { doubleAngles: 4, slots: 8, coeffsToSlotsLevels: 2, slotsToCoeffsLevels: 1 } as const;

describe("RefreshPool", () => {
  it("refreshes 6 iterations in a worker: the twin's weights within 2^-13, levels as planned", async () => {
    const params = Parameters.create(literal);
    const task = syntheticTask(200, 6, 3);
    const options = { iterations: 6, stepScale: 4, featureGroups: 1 };
    const refreshPlan = Bootstrapper.planFor(params, shape);
    const plan = planLogisticRegression(params, task, options, refreshPlan);
    expect(plan.refreshAfter).toEqual([0, 1, 2, 3, 4]);
    const keygen = new KeyGenerator(params);
    const relinearizationKey = keygen.createRelinearizationKey();
    const evaluator = new Evaluator(params, { relinearizationKey, galoisKeys: keygen.createGaloisKeys({ steps: [...plan.galoisSteps], conjugate: true }) });
    const pool = await RefreshPool.start(params, {
      params: serializeParameters(params), insecure: true, relinearizationKey: serializeSwitchingKey(relinearizationKey),
      galoisKeys: bundle(OffHeapGaloisKeys.serializeEach(keygen, refreshPlan.rotationSteps, { conjugate: true })), encapsulation: undefined, shape, scaleDown: 32,
    }, 1);
    const encoder = new Encoder(params);
    const data = encryptTask(new Encryptor(params, keygen.secretKey), encoder, plan, task);
    try {
      expect(pool.outputLevel).toBe(refreshPlan.outputLevel);
      const shard = new GradientShard(evaluator, plan.layout, data.map((ct, index) => ({ index, ciphertexts: [ct] })));
      const levels: number[] = [];
      const w = await trainEncrypted(new Evaluator(params), plan, options, [localSource(shard)], (p) => levels.push(p.level), pool);
      expect(levels.slice(0, -1)).toEqual(plan.vLevels.slice(1));
      const weights = decryptWeights(new Decryptor(params, keygen.secretKey), encoder, plan.layout, w);
      w.forEach((ct) => ct.dispose());
      expect(maxDifference(weights, trainPlain(task, options, params.maxSlots).weights)).toBeLessThan(2 ** -13);
      expect(pool.workers[0]!.workerMs).toBeGreaterThan(0);
    } finally {
      data.forEach((ct) => ct.dispose());
      await pool.close();
    }
  });
});
