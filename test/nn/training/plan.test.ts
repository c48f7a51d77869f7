import { describe, expect, it } from "vitest";
import { Parameters, presets } from "../../../engine/index.js";
import {
  chooseFeatureGroups, iterationsForDepth, levelsForIterations, planLogisticRegression, trainingLiteral, trainingRotationSteps, trainingLayout,
} from "../../../nn/index.js";
import { expectFheError } from "../../helpers/ckks.js";
import { runEncrypted, smallLiteral, syntheticTask } from "./helpers.js";

describe("planLogisticRegression", () => {
  it("fits 1 + 4 (K - 1) levels: the preset table", () => {
    const table = Object.fromEntries(Object.entries(presets).map(([name, p]) => [name, iterationsForDepth(p.depth)]));
    expect(table).toEqual({
      inference13: 1, inference13Deep: 2, standard13: 1, inference14: 3, inference14Fast: 2, flooding14: 2, standard14: 2,
      inference15: 7, standard15: 4, inference16: 13, standard16: 7,
    });
    for (let k = 1; k <= 13; k++) {
      expect(iterationsForDepth(levelsForIterations(k))).toBe(k);
      expect(iterationsForDepth(levelsForIterations(k) - 1)).toBe(k - 1);
    }
  });

  it("trainingLiteral(10) is a 128-bit N = 2^16 set with 2-digit keys and exactly 10 iterations", () => {
    const params = Parameters.create(trainingLiteral(10));
    expect(params.insecure).toBe(false);
    expect(params.digits).toBe(2);
    const plan = planLogisticRegression(params, { samples: 11_982, features: 196 }, { iterations: 10, shards: 2 });
    expect(plan.maxIterations).toBe(10);
    expect(plan.inputLevel).toBe(37);
    // The cost model's choice for 2 shards: 7 groups of 29 weights in blocks of 32, 6 sets of 2048 samples.
    expect(plan.layout).toMatchObject({ groups: 7, groupWeights: 29, blockSize: 32, blocksPerCiphertext: 1024, samplesPerSet: 2048, sets: 6, ciphertexts: 42 });
    // Radix-4 hoisted stages: 2 + 1 (radix 2) inside a block of 32, the shift, 5 x 3 over 1024 blocks (24576 = -8192).
    expect(plan.galoisSteps).toEqual([1, 2, 3, 4, 8, 12, 16, -32, 32, 64, 96, 128, 256, 384, 512, 1024, 1536, 2048, 4096, 6144, 8192, 16384, -8192]);
    // Per shard: 7 relinearizations, 3 pairs of groups (3 conjugations and 15 rotations each), the odd one (1 and 15).
    expect(plan.keySwitches).toEqual({ perSet: 20, perShard: 7 + 3 * 18 + 16, firstIterationPerShard: 3 * 18 + 16 });
    // One group (the packing before feature groups): 47 ciphertexts of 256 samples and 30 key switches each.
    const single = planLogisticRegression(params, { samples: 11_982, features: 196 }, { iterations: 10, featureGroups: 1 });
    expect(single.layout).toMatchObject({ groups: 1, blockSize: 256, blocksPerCiphertext: 128, samplesPerSet: 256, sets: 47, ciphertexts: 47 });
    expect(single.keySwitches).toEqual({ perSet: 30, perShard: 12, firstIterationPerShard: 11 });
  });

  it("refuses more iterations than the depth holds, saying how many fit and which preset holds more", () => {
    const params = Parameters.create(presets.standard16);
    const error = expectFheError(() => planLogisticRegression(params, { samples: 100, features: 196 }, { iterations: 10 }), "INVALID_ARGUMENT", "plan logistic regression");
    expect(error.message).toContain("10 iterations need 37 levels");
    expect(error.message).toContain("7 fit");
    expect(error.message).toContain("inference16");
    expect(error.message).toContain("trainingLiteral(10)");
  });

  it("refuses a feature group larger than the slots and a group count outside [1, d + 1]", () => {
    const params = Parameters.create(smallLiteral(5));
    const error = expectFheError(() => planLogisticRegression(params, { samples: 10, features: 511 }, { iterations: 2, featureGroups: 1 }), "INVALID_ARGUMENT", "pack training data");
    expect(error.message).toContain("511 features need blocks of 1024 slots");
    expect(error.message).toContain("512 slots");
    expect(error.message).toContain("use more feature groups");
    // Two groups of 256 weights fit blocks of 512; by default the cost model picks its own.
    expect(planLogisticRegression(params, { samples: 10, features: 511 }, { iterations: 2, featureGroups: 2 }).layout).toMatchObject({ groups: 2, groupWeights: 256, blockSize: 512 });
    expect(planLogisticRegression(params, { samples: 10, features: 511 }, { iterations: 2 }).layout.groups).toBeGreaterThan(1);
    // 510 features, bias and the zero slot fill a block of 512 exactly: one sample in the real and one in the imaginary parts.
    expect(planLogisticRegression(params, { samples: 10, features: 510 }, { iterations: 2, featureGroups: 1 }).layout).toMatchObject({ blocksPerCiphertext: 1, samplesPerSet: 2 });
    for (const featureGroups of [0, 513, 1.5, Number.NaN]) {
      expectFheError(() => planLogisticRegression(params, { samples: 10, features: 511 }, { iterations: 2, featureGroups }), "INVALID_ARGUMENT");
    }
  });

  it("chooses feature groups by the cost of an iteration: more groups for more samples, one for a handful", () => {
    // One shard does every set: shorter blocks pay; two shards halve the sets' share, not the groups'.
    expect(chooseFeatureGroups(32768, 11_982, 196)).toBe(14);
    expect(chooseFeatureGroups(32768, 11_982, 196, 2)).toBe(7);
    expect(chooseFeatureGroups(32768, 1000, 196, 2)).toBe(2);
    expect(chooseFeatureGroups(512, 200, 6, 2)).toBe(1);
    const layout = trainingLayout(32768, 11_982, 196, 4);
    expect(layout).toMatchObject({ groups: 4, groupWeights: 50, blockSize: 64, sets: 12, ciphertexts: 48 });
  });

  it("rotation steps: radix-4 stages of the block sums, the shift and the sum over the blocks", () => {
    expect(trainingRotationSteps(trainingLayout(512, 100, 6))).toEqual([1, 2, 3, 4, -8, 8, 16, 24, 32, 64, 96, 128, 256, -128]);
    expect(trainingRotationSteps(trainingLayout(512, 100, 300, 1))).toEqual([1, 2, 3, 4, 8, 12, 16, 32, 48, 64, 128, 192, 256]);
    expect(trainingRotationSteps(trainingLayout(512, 100, 300, 10))).toEqual([1, 2, 3, 4, 8, 12, 16, -32, 32, 64, 96, 128, 256, -128]);
  });

  it("the encrypted run follows the plan level by level and uses only the planned keys", async () => {
    const task = syntheticTask(80, 5, 3);
    const options = { iterations: 3 };
    // Depth 11 holds 3 iterations with 2 levels to spare: the data goes in at the plan's level 9, not the top.
    const run = await runEncrypted(smallLiteral(11), task, options);
    expect(run.plan.inputLevel).toBe(9);
    expect(run.plan.vLevels.slice(1)).toEqual([8, 4]);
    expect(run.levels).toEqual([8, 4, 0]);
    expect(run.level).toBe(run.plan.outputLevel);
  });
});
