// The lowering of linear stages to single-image transforms, in float64 (no encryption): on
// random models, every stage's diagonals applied to its input layout (with junk in the slots
// the layout leaves free) and summed by its replication steps give the affine map's linear
// part at every copy of every output, and clean outputs are zero elsewhere; dirty outputs only
// where the next stages allow them.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyAffine, fuseStages, packSingle, Sequential, unpackSingle, type LayerSpec, type LinearStage, type SingleLayout } from "../../nn/index.js";
import { lowerStages, type Lowering } from "../../nn/single/lowering.js";
import { randomArray, seededRandom, spec } from "../helpers/nn-models.js";

/** The slots the layout holds no element in, filled with junk (periodic when the layout is). */
function withJunk(layout: SingleLayout, vector: Float64Array, random: () => number): Float64Array {
  const { slots, replicas } = layout;
  const period = replicas.length > 1 && replicas.every((r, k) => r === k * (slots / replicas.length)) ? slots / replicas.length : slots;
  const used = new Uint8Array(slots);
  for (const p of layout.positions) for (const r of replicas) used[(p + r) % slots] = 1;
  const junk = Array.from({ length: period }, () => 10 * random());
  return vector.map((v, s) => (used[s] === 1 ? v : junk[s % period]!));
}

/** The float64 twin of a lowering on its input vector: diagonals, then the replication sums. */
function runLowering(lowering: Lowering, packed: Float64Array): Float64Array {
  const { diagonals } = lowering;
  let z = diagonals.apply(packed.subarray(0, diagonals.cols));
  for (const step of lowering.replication) z = z.map((v, s) => v + z[(s + step) % z.length]!);
  return z;
}

function checkStage(stage: LinearStage, lowering: Lowering, random: () => number): void {
  const x = randomArray(stage.map.cols, random);
  const packed = withJunk(lowering.input, packSingle(lowering.input, x), random);
  const z = runLowering(lowering, packed);
  const want = applyAffine({ ...stage.map, bias: new Float64Array(stage.map.rows) }, x);
  const { output } = lowering;
  const tolerance = 1e-9 * (1 + Math.max(...want.map(Math.abs)));
  output.positions.forEach((p, i) => {
    for (const r of output.replicas) expect(Math.abs(z[(p + r) % output.slots]! - want[i]!)).toBeLessThan(tolerance);
  });
  expect(unpackSingle(output, z).length).toBe(stage.map.rows);
  if (lowering.clean) {
    const used = new Uint8Array(output.slots);
    for (const p of output.positions) for (const r of output.replicas) used[(p + r) % output.slots] = 1;
    z.forEach((v, s) => { if (used[s] === 0) expect(v).toBe(0); });
  }
}

const convModel = fc.record({
  h: fc.integer({ min: 3, max: 10 }), w: fc.integer({ min: 3, max: 10 }), c: fc.integer({ min: 1, max: 2 }),
  filters: fc.integer({ min: 1, max: 4 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
  sy: fc.integer({ min: 1, max: 2 }), sx: fc.integer({ min: 1, max: 2 }),
  padding: fc.tuple(fc.nat(1), fc.nat(1), fc.nat(1), fc.nat(1)),
  hidden: fc.integer({ min: 1, max: 12 }), activation: fc.constantFrom("square", "poly"), outputs: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer(),
}).map((r): { inputShape: number[]; layers: LayerSpec[]; seed: number } => {
  const random = seededRandom(r.seed);
  const oh = Math.floor((r.h + r.padding[0] + r.padding[1] - r.kh) / r.sy) + 1;
  const ow = Math.floor((r.w + r.padding[2] + r.padding[3] - r.kw) / r.sx) + 1;
  const flat = oh * ow * r.filters;
  const activation: LayerSpec = r.activation === "square" ? { type: "square" } : { type: "polyActivation", basis: "chebyshev", interval: [-2, 2], coefficients: [0.1, 0.6, 0.3] };
  return {
    inputShape: [r.h, r.w, r.c], seed: r.seed,
    layers: [
      { type: "conv2d", filters: r.filters, kernelSize: [r.kh, r.kw], strides: [r.sy, r.sx], padding: r.padding, kernel: randomArray(r.kh * r.kw * r.c * r.filters, random), bias: randomArray(r.filters, random) },
      { type: "square" }, { type: "flatten" },
      { type: "dense", units: r.hidden, kernel: randomArray(flat * r.hidden, random), bias: randomArray(r.hidden, random) },
      activation,
      { type: "dense", units: r.outputs, kernel: randomArray(r.hidden * r.outputs, random), bias: randomArray(r.outputs, random) },
    ],
  };
});

const denseModel = fc.record({ n: fc.integer({ min: 1, max: 60 }), hidden: fc.integer({ min: 1, max: 40 }), outputs: fc.integer({ min: 1, max: 9 }), sparsity: fc.constantFrom(0, 0.7), seed: fc.integer() })
  .map((r): { inputShape: number[]; layers: LayerSpec[]; seed: number } => {
    const random = seededRandom(r.seed);
    const sparse = (n: number) => randomArray(n, random).map((v) => (Math.abs(v) < r.sparsity ? 0 : v));
    return {
      inputShape: [r.n], seed: r.seed,
      layers: [
        { type: "dense", units: r.hidden, kernel: sparse(r.n * r.hidden), bias: randomArray(r.hidden, random) },
        { type: "square" },
        { type: "dense", units: r.outputs, kernel: sparse(r.hidden * r.outputs), bias: randomArray(r.outputs, random) },
      ],
    };
  });

describe("single-image lowering (float64)", () => {
  it("every linear stage computes its map at every copy of every output; clean outputs are zero elsewhere (property)", () => {
    const arb = fc.tuple(fc.oneof(convModel, denseModel), fc.constantFrom(64, 128, 256, 512, 1024), fc.boolean());
    fc.assert(fc.property(arb, ([{ inputShape, layers, seed }, slots, tolerant]) => {
      const model = Sequential.fromSpec(spec(inputShape, layers));
      const stages = fuseStages(model.layers);
      const largest = Math.max(model.inputSize, ...stages.map((s) => s.outputShape.reduce((a, b) => a * b, 1)));
      fc.pre(largest <= slots);
      // Polynomials that tolerate dirty slots (dirty-slots.ts), or none.
      const tolerates = (k: number) => tolerant && stages[k]!.kind === "activation";
      const lowerings = lowerStages(stages, model.layers, model.inputShape, slots, tolerates);
      const random = seededRandom(seed ^ 0x5bd1e995);
      let previous: SingleLayout | undefined;
      stages.forEach((stage, k) => {
        const lowering = lowerings[k];
        expect(lowering === undefined).toBe(stage.kind !== "linear");
        if (stage.kind !== "linear" || lowering === undefined) return;
        // Stages chain: each reads the layout the previous one wrote.
        if (previous !== undefined) expect(lowering.input).toBe(previous);
        checkStage(stage, lowering, random);
        // A dirty output is followed by nothing, a square, or a polynomial that tolerates it
        // and then a linear stage (which reads only the used slots).
        const [next, after] = [stages[k + 1], stages[k + 2]];
        if (!lowering.clean && next !== undefined) {
          expect(next.kind).toBe("activation");
          if (next.kind === "activation" && !next.layer.isSquare) expect(tolerates(k + 1) && after?.kind === "linear").toBe(true);
        }
        previous = lowering.output;
      });
    }), { numRuns: 60, seed: 20251202 });
  });
});
