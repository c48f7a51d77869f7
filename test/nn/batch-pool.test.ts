// Batch inference on worker threads (the built package in dist/, as `npm run mnist` runs it):
// two threads, several batches, outputs equal to the float64 twin, server tasks see bytes only.

import { describe, expect, it } from "vitest";
import { KeyGenerator, Parameters } from "../../dist/engine/index.js";
import { BatchInferencePool } from "../../dist/nn/node/batch-pool.js";
import { Sequential } from "../../dist/nn/index.js";
import { randomArray, seededRandom, spec } from "../helpers/nn-models.js";

/** A dense → square → dense model on 3×3 inputs, insecure N = 2^10 parameters and their key generator. */
function smallSession(random: () => number) {
  const model = Sequential.fromSpec(spec([3, 3, 1], [
    { type: "flatten" },
    { type: "dense", units: 4, kernel: randomArray(36, random, 0.5), bias: randomArray(4, random, 0.1) },
    { type: "square" },
    { type: "dense", units: 2, kernel: randomArray(8, random), bias: randomArray(2, random) },
  ]));
  const params = Parameters.create({ logN: 10, logScale: 29, depth: 3, allowInsecureParametersForTesting: true });
  return { model, params, keygen: new KeyGenerator(params) };
}

describe("BatchInferencePool", () => {
  it("runs 3 batches on 2 threads; decrypted logits match the twin within 2^-10 relative", async () => {
    const random = seededRandom(21);
    const { model, params, keygen } = smallSession(random);
    const samples = Array.from({ length: 2 * params.maxSlots + 7 }, () => randomArray(9, random));
    const pool = new BatchInferencePool({ threads: 2 });
    try {
      let calls = 0;
      const report = await pool.run({ params, secretKey: keygen.secretKey, relinearizationKey: keygen.createRelinearizationKey(), model, level: model.compile({ params }).plan.input.level }, samples, () => calls++);
      expect(report.batches).toBe(3);
      expect(calls).toBe(3);
      let worst = 0;
      let largest = 0;
      samples.forEach((s, i) => {
        const want = model.predictPlain(s);
        want.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - report.outputs[i]![k]!));
          largest = Math.max(largest, Math.abs(v));
        });
      });
      expect(Math.log2(worst / largest)).toBeLessThan(-10);
      expect(report.bytesUp).toBeGreaterThan(0);
      expect(report.bytesDown).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it("complex packing: 2 batches of two samples per slot on 2 threads, equal to the twin; the conjugation key is required", async () => {
    const random = seededRandom(22);
    const { model, params, keygen } = smallSession(random);
    const samples = Array.from({ length: 3 * params.maxSlots + 5 }, () => randomArray(9, random));
    const level = model.compile({ params, packing: "complex" }).plan.input.level;
    const session = { params, secretKey: keygen.secretKey, relinearizationKey: keygen.createRelinearizationKey(), model, level, complex: true };
    const pool = new BatchInferencePool({ threads: 2 });
    try {
      await expect(pool.run(session, samples)).rejects.toThrow(/complex packing needs the conjugation key/);
      await expect(pool.run({ ...session, galoisKeys: keygen.createGaloisKeys({ steps: [1], conjugate: false }) }, samples)).rejects.toThrow(/complex packing needs the conjugation key/);
      const report = await pool.run({ ...session, galoisKeys: keygen.createGaloisKeys({ steps: [], conjugate: true }) }, samples);
      expect(report.batches).toBe(2);
      let worst = 0;
      let largest = 0;
      samples.forEach((s, i) => model.predictPlain(s).forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - report.outputs[i]![k]!));
        largest = Math.max(largest, Math.abs(v));
      }));
      expect(Math.log2(worst / largest)).toBeLessThan(-10);
    } finally {
      await pool.close();
    }
  });

  it("refuses a bad thread count", () => {
    expect(() => new BatchInferencePool({ threads: 0 })).toThrow(/threads must be an integer/);
  });
});
