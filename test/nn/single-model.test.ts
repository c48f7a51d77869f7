// Encrypted single-image inference against the float64 twin: a small CNN (strided convolution,
// square, dense, polynomial activation, dense) and a CryptoNets-shaped model on random weights
// and inputs; the plan against what happens (levels, scales, key switches, the Galois keys
// used); the refusals (missing Galois key, wrong input, tensors larger than the slots).

import { beforeAll, describe, expect, it, vi } from "vitest";
import { Evaluator, FheError, Parameters, serializeGaloisKeys, type GaloisKeys } from "../../engine/index.js";
import { automorphism } from "../../engine/ring/automorphism.js";
import { switchKey, switchKeyLazy } from "../../engine/key-switching.js";
import {
  decryptBatch, decryptSingle, encryptBatch, encryptSingle, fuseStages, keysNeeded, Sequential, singleLayout,
  type CompiledModel, type LayerSpec, type SinglePlan,
} from "../../nn/index.js";
import { Polynomial } from "../../engine/circuits/polynomial.js";
import { dirtyMagnitude, log2DirtyValueBound, overflowMarginBits, toleratesDirtySlots } from "../../nn/single/dirty-slots.js";
import { lowerStages } from "../../nn/single/lowering.js";
import { singlePresetFor } from "../../nn/single/plan.js";
import { makeContext, type CkksContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, smallCnn as smallCnnOf, smallCryptoNets, spec } from "../helpers/nn-models.js";

vi.mock("../../engine/key-switching.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../engine/key-switching.js")>();
  // switchKey (relinearizations, rotations) calls its own module's switchKeyLazy, which the mock
  // does not see: the two counts add up to every key switch.
  return { ...original, switchKey: vi.fn(original.switchKey), switchKeyLazy: vi.fn(original.switchKeyLazy) };
});
vi.mock("../../engine/ring/automorphism.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../engine/ring/automorphism.js")>();
  return { ...original, automorphism: vi.fn(original.automorphism) };
});

const geometry = { side: 8, filters: 3, stride: 2, padding: [0, 1, 0, 1], units: 8 } as const;
const smallCnn = (seed: number) => smallCnnOf(seed, { ...geometry, padding: [...geometry.padding] });

const literal = { logN: 11, logScale: 29, depth: 7, allowInsecureParametersForTesting: true } as const;

/** Galois keys for exactly `steps`, no conjugation key (what keysNeeded asks for). */
function evaluatorWith(c: CkksContext, steps: readonly number[]): { evaluator: Evaluator; keys: GaloisKeys } {
  const keys = c.keygen.createGaloisKeys({ steps: [...steps], conjugate: false });
  return { evaluator: new Evaluator(c.params, { relinearizationKey: c.relinearizationKey, galoisKeys: keys }), keys };
}

/** log2 of the largest error relative to the largest output, over `samples`. */
function relativeErrorBits(c: CkksContext, compiled: CompiledModel, evaluator: Evaluator, samples: readonly number[][]): number {
  let maxError = 0;
  let maxValue = 0;
  for (const sample of samples) {
    using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), sample, { level: compiled.plan.input.level });
    using y = compiled.predict(evaluator, x);
    const got = decryptSingle(c.decryptor, c.encoder, y);
    const want = compiled.model.predictPlain(sample);
    expect(got.length).toBe(want.length);
    want.forEach((v, k) => {
      maxError = Math.max(maxError, Math.abs(v - got[k]!));
      maxValue = Math.max(maxValue, Math.abs(v));
    });
  }
  expect(maxValue).toBeGreaterThan(0.05);
  return Math.log2(maxError / maxValue);
}

describe("single-image packing: plan", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(literal);
  });

  it("plans the small CNN: five stages, 6 levels, layouts between them, exact rotation keys and their size", () => {
    using compiled = smallCnn(1).compile({ params: c.params, packing: "single" });
    const plan = compiled.plan as SinglePlan;
    expect(plan.packing).toBe("single");
    expect(plan.stages.map((s) => s.stage.kind)).toEqual(["linear", "activation", "linear", "activation", "linear"]);
    expect(plan.depth).toBe(6);
    // Partial sums in the other slots (several output windows) only before a square, at the end,
    // or before a polynomial with room for them: this one ends at level 1, too low (dirty-slots.ts),
    // so the dense layer before it leaves them clean (zero).
    expect(plan.stages[3]!.output.level).toBe(1);
    expect(plan.stages[2]!.lowering!.clean).toBe(true);
    plan.stages.forEach((s, k) => {
      const next = plan.stages[k + 1]?.stage;
      if (s.lowering?.clean === false) expect(next === undefined || (next.kind === "activation" && next.layer.isSquare)).toBe(true);
    });
    expect(plan.stages[1]!.layout).toEqual(plan.stages[0]!.layout);
    expect(plan.outputLayout.shape).toEqual([3]);
    // One relinearization per square, the polynomial's own, no rotations outside linear stages.
    expect(plan.stages[1]!.relinearizations).toBe(1);
    expect(plan.stages[3]!.keySwitches).toBe(plan.stages[3]!.polynomial!.keySwitches);
    expect(plan.rotationSteps).toEqual([...new Set(plan.stages.flatMap((s) => s.rotationSteps))].sort((a, b) => a - b));
    expect(keysNeeded(plan)).toEqual({ relinearization: true, rotations: plan.rotationSteps, conjugate: false });
    const { keys } = evaluatorWith(c, plan.rotationSteps);
    expect(serializeGaloisKeys(keys).length).toBe(plan.galoisKeyBytes);
    keys.dispose();
    // The layouts are plain JSON.
    expect(singleLayout(JSON.parse(JSON.stringify(plan.inputLayout)))).toEqual(plan.inputLayout);
  });

  // 14×14 with top-left padding: the phases' bounding box (4 of 8×8) would not hold five copies
  // in 1024 slots; each phase keeps only its 7×7 real pixels, and five copies fit.
  it.each([[12, [0, 1, 0, 1]], [14, [1, 0, 1, 0]]] as const)("CryptoNets' convolution (image side %i, padding %j) costs kh·kw rotations: one shared set for every filter", (size, padding) => {
    using compiled = smallCryptoNets(2, size, padding).compile({ params: c.params, packing: "single" });
    const plan = compiled.plan as SinglePlan;
    const conv = plan.stages[0]!;
    expect(plan.inputLayout.replicas.length).toBe(5);
    // 25 kernel cells: at most 25 rotations (fewer when two cells share one) for 5 filters.
    expect(conv.lowering!.diagonals.indices.length).toBeLessThanOrEqual(25);
    // Its output: 5 filter blocks (5 or 6 rows of a 6- or 7-slot grid) in a period of 256, replicated.
    expect(conv.lowering!.output.replicas.length).toBe(c.params.maxSlots / 256);
    // The dense layer reads that replicated input through output windows.
    expect(plan.stages[2]!.lowering!.method).toBe("windowed");
    expect(plan.stages[2]!.lowering!.diagonals.windows).toBeGreaterThan(1);
  });

  it("automatic parameters: the cheapest preset deep enough whose slots hold every tensor", () => {
    const cryptoNets = (size: number) => fuseStages(Sequential.fromSpec(spec([size, size, 1], [
      { type: "conv2d", filters: 5, kernelSize: [5, 5], strides: [2, 2], padding: [0, 1, 0, 1], kernel: new Array(125).fill(0.1) },
      { type: "square" }, { type: "flatten" },
    ])).layers);
    // Depth 2, 784 inputs: inference13 (4096 slots).
    expect(singlePresetFor(cryptoNets(28), [28, 28, 1])).toBe("inference13");
    // 100×100 input: 10,000 elements need 2^14 slots (inference15).
    expect(singlePresetFor(cryptoNets(100), [100, 100, 1])).toBe("inference15");
  });
});

describe("single-image packing: encrypted inference", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(literal);
  });

  it("small CNN: decrypts to the twin's outputs within 2^-10 of the largest output, follows the plan, uses exactly the planned keys", () => {
    using compiled = smallCnn(3).compile({ params: c.params, packing: "single" });
    const plan = compiled.plan as SinglePlan;
    const { evaluator, keys } = evaluatorWith(c, plan.rotationSteps);
    const random = seededRandom(4);
    const samples = Array.from({ length: 4 }, () => randomArray(64, random).map((v) => (v + 1) / 2));
    using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), samples[0]!, { level: plan.input.level });
    // Encode every transform first (compile does) and count the evaluation alone.
    vi.mocked(switchKeyLazy).mockClear();
    vi.mocked(switchKey).mockClear();
    vi.mocked(automorphism).mockClear();
    const seen: number[] = [];
    using y = compiled.predict(evaluator, x, { progress: (done) => seen.push(done) });
    expect(vi.mocked(switchKeyLazy).mock.calls.length + vi.mocked(switchKey).mock.calls.length).toBe(plan.keySwitches);
    const elements = new Set(vi.mocked(automorphism).mock.calls.map((call) => call[2]));
    expect([...elements].sort((a, b) => a - b)).toEqual([...keys.elements].sort((a, b) => a - b));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(y.layout).toEqual(plan.outputLayout);
    expect({ level: y.level, scale: y.scale }).toEqual(plan.output);
    // Encrypted at the lowest level that holds the model (6 of 7), and left untouched.
    expect(plan.input.level).toBe(6);
    expect(x.level).toBe(plan.input.level);
    expect(relativeErrorBits(c, compiled, evaluator, samples)).toBeLessThan(-10);
    keys.dispose();
  });

  it("CryptoNets-shaped model: within 2^-9 of the largest output on random images (batch packing: ~2^-10 to 2^-13)", () => {
    using compiled = smallCryptoNets(5).compile({ params: c.params, packing: "single" });
    const { evaluator, keys } = evaluatorWith(c, compiled.plan.rotationSteps);
    const random = seededRandom(6);
    const samples = Array.from({ length: 3 }, () => randomArray(144, random).map((v) => (v + 1) / 2));
    expect(relativeErrorBits(c, compiled, evaluator, samples)).toBeLessThan(-9);
    keys.dispose();
  });
});

/** A classifier head: dense width→width, a degree-3 polynomial on [-4, 4], dense width→2, a two-class Soft-Argmax (random weights). */
function head(width: number, seed: number): Sequential {
  const random = seededRandom(seed);
  return Sequential.fromSpec(spec([width], [
    { type: "dense", units: width, kernel: randomArray(width * width, random).map((v) => v / 4), bias: randomArray(width, random) },
    { type: "polyActivation", basis: "monomial", interval: [-4, 4], coefficients: [0.3, 0.5, 0.12, -0.002] },
    { type: "dense", units: 2, kernel: randomArray(width * 2, random), bias: randomArray(2, random) },
    { type: "softArgmax", temperature: 1.5, interval: [-12, 12], degree: 7 },
  ]));
}

describe("single-image packing: dirty slots before a polynomial", () => {
  let c: CkksContext;
  beforeAll(() => {
    c = makeContext(literal);
  });

  it("a 64-wide head in 1024 slots: the first transform leaves partial sums in the other slots (fewer key switches), the polynomial runs on them, the next transform drops them; within 2^-9 of the twin", () => {
    const model = head(64, 11);
    using compiled = model.compile({ params: c.params, packing: "single" });
    const plan = compiled.plan as SinglePlan;
    const first = plan.stages[0]!;
    expect(first.lowering!.method).toBe("windowed");
    expect(first.lowering!.clean).toBe(false);
    expect(first.lowering!.diagonals.windows).toBeGreaterThan(1);
    // The same stages lowered with every output clean cost more rotations.
    const stages = fuseStages(model.layers);
    const clean = lowerStages(stages, model.layers, model.inputShape, c.params.maxSlots);
    expect(clean[0]!.clean).toBe(true);
    expect(clean[0]!.cost).toBeGreaterThan(first.lowering!.cost);
    const { evaluator, keys } = evaluatorWith(c, plan.rotationSteps);
    const random = seededRandom(12);
    const samples = Array.from({ length: 3 }, () => randomArray(64, random).map((v) => v / 2));
    expect(relativeErrorBits(c, compiled, evaluator, samples)).toBeLessThan(-9);
    keys.dispose();
  });

  it("the rule: a low-degree polynomial high in the chain tolerates dirty slots, a high-degree one near the bottom does not; the bound is (1 + sum |c_k|) (2 tau)^degree", () => {
    const cubic = Polynomial.chebyshev([0, 0, 0, 1]);
    expect(log2DirtyValueBound(cubic, 8)).toBeCloseTo(Math.log2(2) + 3 * Math.log2(16), 12);
    expect(log2DirtyValueBound(cubic, 0.5)).toBeCloseTo(1 + 3, 12); // tau below 1 counts as 1
    const scale = c.params.scale;
    expect(toleratesDirtySlots(c.params, cubic, 5, scale)).toBe(true);
    expect(toleratesDirtySlots(c.params, Polynomial.chebyshev(new Array<number>(64).fill(0.01)), 1, scale)).toBe(false);
    // At the bottom of the chain even a cubic has no room: the planner keeps that output clean.
    const margin = log2DirtyValueBound(cubic, dirtyMagnitude) + Math.log2(scale) + overflowMarginBits;
    const lowest = [1, 2, 3, 4, 5, 6, 7].find((level) => c.params.logModulus(level) - 1 > margin);
    expect(lowest).toBeDefined();
    expect(toleratesDirtySlots(c.params, cubic, lowest! - 1, scale)).toBe(false);
    expect(toleratesDirtySlots(c.params, cubic, lowest!, scale)).toBe(true);
  });
});

describe("single-image packing: refusals", () => {
  let c: CkksContext;
  let compiled: CompiledModel;
  let plan: SinglePlan;
  beforeAll(() => {
    c = makeContext(literal);
    compiled = smallCnn(7).compile({ params: c.params, packing: "single" });
    plan = compiled.plan as SinglePlan;
  });

  it("a missing Galois key: MISSING_KEY naming the step and the call that creates it, before any work", () => {
    const missing = plan.rotationSteps[plan.rotationSteps.length - 1]!;
    const { evaluator, keys } = evaluatorWith(c, plan.rotationSteps.filter((s) => s !== missing));
    using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(64).fill(0.5), { level: plan.input.level });
    vi.mocked(switchKeyLazy).mockClear();
    vi.mocked(switchKey).mockClear();
    const attempt = () => compiled.predict(evaluator, x);
    expect(attempt).toThrow(expect.objectContaining({ code: "MISSING_KEY" }));
    expect(attempt).toThrow(new RegExp(`rotation step ${missing} .*createGaloisKeys\\(\\{ steps: \\[${missing}\\] \\}\\)`));
    expect(vi.mocked(switchKeyLazy)).not.toHaveBeenCalled();
    expect(vi.mocked(switchKey)).not.toHaveBeenCalled();
    keys.dispose();
    const none = new Evaluator(c.params, { relinearizationKey: c.relinearizationKey });
    expect(() => compiled.predict(none, x)).toThrow(`steps ${plan.rotationSteps.join(", ")} `);
  });

  it("no relinearization key: MISSING_KEY", () => {
    const keys = c.keygen.createGaloisKeys({ steps: [...plan.rotationSteps], conjugate: false });
    using x = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(64).fill(0.5), { level: plan.input.level });
    expect(() => compiled.predict(new Evaluator(c.params, { galoisKeys: keys }), x)).toThrow(expect.objectContaining({ code: "MISSING_KEY" }));
    keys.dispose();
  });

  it("wrong input: another shape, another level, another layout, batch packing, a wrong sample", () => {
    using other = smallCryptoNets(8).compile({ params: c.params, packing: "single" });
    using wrongShape = encryptSingle(c.encryptor, c.encoder, other.singleInputLayout(), new Array(144).fill(0.5), { level: other.plan.input.level });
    expect(() => compiled.predict(c.evaluator, wrongShape)).toThrow(/takes inputs of shape \[8, 8, 1\], got \[12, 12, 1\]/);
    using top = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(64).fill(0.5));
    expect(() => compiled.predict(c.evaluator, top)).toThrow(/must be encrypted at level 6 \(encryptSingle\(\.\.\., \{ level: plan\.input\.level \}\)\)/);
    const plain = singleLayout({ shape: [8, 8, 1], slots: c.params.maxSlots, positions: Array.from({ length: 64 }, (_, i) => i) });
    using wrongLayout = encryptSingle(c.encryptor, c.encoder, plain, new Array(64).fill(0.5), { level: plan.input.level });
    expect(() => compiled.predict(c.evaluator, wrongLayout)).toThrow(/not in the model's single layout/);
    using good = encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(64).fill(0.5), { level: plan.input.level });
    expect(() => compiled.predict(c.evaluator, good, { consumeInput: true })).toThrow(/consumeInput applies to batch and complex packing/);
    using batchModel = smallCnn(7).compile({ params: c.params });
    using batch = encryptBatch(c.encryptor, c.encoder, batchModel.inputLayout(1), [new Array(64).fill(0.5)], { level: plan.input.level });
    expect(() => compiled.predict(c.evaluator, batch)).toThrow(/compiled for single packing and the input is batch-packed/);
    expect(() => decryptBatch(c.decryptor, c.encoder, wrongShape)).toThrow(/expected a batch-packed EncryptedTensor, got a single tensor: use decryptSingle/);
    expect(() => decryptSingle(c.decryptor, c.encoder, batch)).toThrow(FheError);
    expect(() => encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), new Array(63).fill(0))).toThrow(/must have 64 numbers/);
    expect(() => encryptSingle(c.encryptor, c.encoder, compiled.singleInputLayout(), [...new Array(63).fill(0), Number.NaN])).toThrow(/element 63 is NaN/);
    expect(() => compiled.inputLayout(4)).toThrow(/compiled for single packing: use singleInputLayout/);
    expect(() => batchModel.singleInputLayout()).toThrow(/compiled for batch packing/);
  });

  it("compile: a tensor larger than the slots, an unknown packing, too few levels", () => {
    const small = Parameters.create({ logN: 10, logScale: 29, depth: 7, allowInsecureParametersForTesting: true });
    const wide = Sequential.fromSpec(spec([24, 24, 1], [{ type: "flatten" }, { type: "dense", units: 2, kernel: new Array(576 * 2).fill(0.01) }]));
    expect(() => wide.compile({ params: small, packing: "single" })).toThrow(expect.objectContaining({ code: "INVALID_PARAMETERS" }));
    expect(() => wide.compile({ params: small, packing: "single" })).toThrow(/one ciphertext of 512 slots and the model has a tensor of 576 elements; use presets\.inference13/);
    expect(() => wide.compile({ params: small, packing: "lola" as never })).toThrow(/packing must be "batch", "complex" or "single", got "lola"/);
    const shallow = Parameters.create({ logN: 11, logScale: 29, depth: 4, allowInsecureParametersForTesting: true });
    expect(() => smallCnn(9).compile({ params: shallow, packing: "single" })).toThrow(/needs 6 levels .* the parameters have 4/);
  });

  it("a single layout with two copies in one slot, or positions out of range", () => {
    expect(() => singleLayout({ shape: [3], slots: 8, positions: [0, 1, 4], replicas: [0, 4] })).toThrow(/slot 4 would hold two copies/);
    expect(() => singleLayout({ shape: [3], slots: 8, positions: [0, 1, 8] })).toThrow(/positions must list 3 slots in \[0, 8\)/);
    expect(() => singleLayout({ shape: [2], slots: 6, positions: [0, 1] })).toThrow(/slots must be a power of two/);
    expect(() => singleLayout({ shape: [2], slots: 8, positions: [0, 1], replicas: [2, 4] })).toThrow(/starting with 0/);
  });
});
