// The planner's key-switch counts against the key switches an encrypted run really does: every
// call of the key-switching inner products (switchKey for single operations, switchKeyLazy for
// the rotations of a hoisted stage) is counted per gradient call of one shard.

import { describe, expect, it, vi } from "vitest";
import { Encoder, Encryptor, Evaluator, KeyGenerator, Parameters } from "../../../engine/index.js";
import { switchKey, switchKeyLazy } from "../../../engine/key-switching.js";
import { encryptTask, GradientShard, localSource, planLogisticRegression, trainEncrypted } from "../../../nn/index.js";
import { smallLiteral, syntheticTask } from "./helpers.js";

vi.mock("../../../engine/key-switching.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../engine/key-switching.js")>();
  return { ...original, switchKey: vi.fn(original.switchKey), switchKeyLazy: vi.fn(original.switchKeyLazy) };
});

function keySwitchCalls(): number {
  return vi.mocked(switchKey).mock.calls.length + vi.mocked(switchKeyLazy).mock.calls.length;
}

describe("plan.keySwitches", () => {
  it.each([1, 2, 3])("equal the key switches of every iteration with %i feature groups (one shard, several sets)", async (featureGroups) => {
    const task = syntheticTask(200, 13, 7);
    const options = { iterations: 3, featureGroups, batch: undefined };
    const params = Parameters.create(smallLiteral(9));
    const plan = planLogisticRegression(params, task, options);
    expect(plan.layout.sets).toBeGreaterThan(1);
    const keygen = new KeyGenerator(params);
    const evaluator = new Evaluator(params, {
      relinearizationKey: keygen.createRelinearizationKey(),
      galoisKeys: keygen.createGaloisKeys({ steps: [...plan.galoisSteps], conjugate: true }),
    });
    const data = encryptTask(new Encryptor(params, keygen.secretKey), new Encoder(params), plan, task);
    const { groups, sets } = plan.layout;
    const shard = new GradientShard(evaluator, plan.layout, Array.from({ length: sets }, (_, index) => ({ index, ciphertexts: data.slice(index * groups, (index + 1) * groups) })));
    const counted: number[] = [];
    const source = localSource(shard);
    try {
      const w = await trainEncrypted(new Evaluator(params), plan, options, [{
        gradient: async (v, step, sigmoid) => {
          const before = keySwitchCalls();
          const h = await source.gradient(v, step, sigmoid);
          counted.push(keySwitchCalls() - before);
          return h;
        },
      }]);
      w.forEach((ct) => ct.dispose());
    } finally {
      data.forEach((ct) => ct.dispose());
    }
    const { perSet, perShard, firstIterationPerShard } = plan.keySwitches;
    expect(counted).toEqual([firstIterationPerShard, sets * perSet + perShard, sets * perSet + perShard]);
  });
});
