import { describe, expect, it } from "vitest";
import { Parameters, presets } from "../../../engine/index.js";
import {
  iterationsForDepth, levelsForIterations, planLogisticRegression, trainingLiteral, trainingRotationSteps, trainingLayout,
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
    const plan = planLogisticRegression(params, { samples: 11_982, features: 196 }, { iterations: 10 });
    expect(plan.maxIterations).toBe(10);
    expect(plan.inputLevel).toBe(37);
    expect(plan.layout).toMatchObject({ blockSize: 256, blocksPerCiphertext: 128, samplesPerCiphertext: 256, ciphertexts: 47 });
    // Radix-4 hoisted stages: 4 inside a block of 256, the shift, 3 x 4 + 2 over 128 blocks.
    expect(plan.galoisSteps).toEqual([1, 2, 3, 4, 8, 12, 16, 32, 48, 64, 128, 192, -256, 256, 512, 768, 1024, 2048, 3072, 4096, 8192, 12288, 16384]);
    expect(plan.keySwitches).toEqual({ perCiphertext: 30, perShard: 12, firstIterationPerShard: 11 });
  });

  it("refuses more iterations than the depth holds, saying how many fit and which preset holds more", () => {
    const params = Parameters.create(presets.standard16);
    const error = expectFheError(() => planLogisticRegression(params, { samples: 100, features: 196 }, { iterations: 10 }), "INVALID_ARGUMENT", "plan logistic regression");
    expect(error.message).toContain("10 iterations need 37 levels");
    expect(error.message).toContain("7 fit");
    expect(error.message).toContain("inference16");
    expect(error.message).toContain("trainingLiteral(10)");
  });

  it("refuses more features than the slots hold", () => {
    const params = Parameters.create(smallLiteral(5));
    const error = expectFheError(() => planLogisticRegression(params, { samples: 10, features: 511 }, { iterations: 2 }), "INVALID_ARGUMENT", "pack training data");
    expect(error.message).toContain("511 features need blocks of 1024 slots");
    expect(error.message).toContain("512 slots");
    // 510 features, bias and the zero slot fill a block of 512 exactly: one sample in the real and one in the imaginary parts.
    expect(planLogisticRegression(params, { samples: 10, features: 510 }, { iterations: 2 }).layout).toMatchObject({ blocksPerCiphertext: 1, samplesPerCiphertext: 2 });
  });

  it("rotation steps: radix-4 stages of the block sums, the shift and the sum over the blocks", () => {
    expect(trainingRotationSteps(trainingLayout(512, 100, 6))).toEqual([1, 2, 3, 4, -8, 8, 16, 24, 32, 64, 96, 128, 256, -128]);
    expect(trainingRotationSteps(trainingLayout(512, 100, 300))).toEqual([1, 2, 3, 4, 8, 12, 16, 32, 48, 64, 128, 192, 256]);
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
