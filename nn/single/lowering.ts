// How each linear stage of a model runs in single-image packing: its diagonals, the layout of
// its output (which is the next stage's input), and the estimated cost, chosen among candidates
// with one stage of lookahead (an output layout is only as good as the next stage finds it).
//
// Two methods:
// - "replicated" (slot-map.ts): any input layout; the output at chosen slots, replicated with a
//   power-of-two period by log-step rotations, zero elsewhere;
// - "windowed" (the layouts of engine/circuits Diagonals.fromMatrix): an input replicated with a
//   period P (or held once), the map as a rows x P matrix over the input's slots, the output in
//   slots 0 .. rows-1. With several output windows (GAZELLE's hybrid method, generalised) it needs
//   far fewer rotations, but the slots from `rows` on then hold partial sums ("dirty"): only the
//   end of the model, a square (bounded by the same sums), or a polynomial activation that the
//   planner found safe on them (dirty-slots.ts) may follow, and after an activation only a
//   linear stage, which reads the used slots alone.

import { bsgsCost, planBsgs, stepCosts } from "../../engine/circuits/bsgs.js";
import { checkShape, DiagonalLayout, nextPowerOfTwo } from "../../engine/circuits/diagonal-layout.js";
import { Diagonals } from "../../engine/circuits/diagonals.js";
import { isPowerOfTwo } from "../../engine/ring/errors.js";
import type { AnyLayer } from "../layers/layer.js";
import { singleLayout, type SingleLayout } from "../layout.js";
import type { LinearStage, Stage } from "../stages.js";
import { convGeometry, convPlacements } from "./conv-layout.js";
import { assignTerms, replicatedDiagonals, replicationSteps } from "./slot-map.js";

/** One linear stage in single-image packing. */
export interface Lowering {
  readonly method: "replicated" | "windowed";
  readonly input: SingleLayout;
  readonly diagonals: Diagonals;
  /** Rotation steps of the log-step sums that replicate the output (replicated method). */
  readonly replication: readonly number[];
  readonly output: SingleLayout;
  /** False when slots outside the output layout hold partial sums. */
  readonly clean: boolean;
  /** Estimated cost in rotations (engine/circuits stepCosts). */
  readonly cost: number;
}

/** Largest rows x P matrix the windowed method builds (entries). */
const maxWindowedEntries = 2 ** 23;

/** Output slots for the replicated method, distinct modulo the output's period. */
interface Arrangement {
  readonly arrangement: ArrayLike<number>;
  readonly period: number;
}

/** A lowering before its diagonals are built (candidates are compared on their estimated cost). */
interface Candidate extends Omit<Lowering, "diagonals"> {
  build(): Diagonals;
}

function multiples(period: number, slots: number): number[] {
  return Array.from({ length: slots / period }, (_, k) => k * period);
}

function replicated(stage: LinearStage, input: SingleLayout, arrangement: ArrayLike<number>, period: number): Candidate {
  const { slots } = input;
  const assignment = assignTerms(stage.map, input, arrangement, period);
  const replication = replicationSteps(period, slots);
  const { rotations } = assignment;
  const cost = bsgsCost(planBsgs(rotations, slots)) + rotations.length * stepCosts.product + replication.length * stepCosts.rotation;
  return {
    method: "replicated", input, replication, clean: true, cost,
    output: singleLayout({ shape: stage.outputShape, slots, positions: arrangement, replicas: multiples(period, slots) }),
    build: () => Diagonals.fromMap(replicatedDiagonals(stage.map, assignment, slots), slots),
  };
}

/** The period P of an input held at positions < P with copies at every multiple of P, or undefined. */
function inputPeriod(layout: SingleLayout): number | undefined {
  const { slots, replicas, positions } = layout;
  const period = slots / replicas.length;
  const periodic = isPowerOfTwo(period) && replicas.every((r, k) => r === k * period) && positions.every((p) => p < period);
  return periodic ? period : undefined;
}

/** The windowed method with its cheapest window count, and with one window when that has several. */
function windowed(stage: LinearStage, input: SingleLayout): Candidate[] {
  const period = inputPeriod(input);
  const { map } = stage;
  const { rows } = map;
  const { slots, positions } = input;
  if (period === undefined || rows > slots || rows * period > maxWindowedEntries) return [];
  const seen = new Uint8Array(period);
  for (let i = 0; i < rows; i++) {
    for (let k = map.rowStart[i]!; k < map.rowStart[i + 1]!; k++) seen[(((positions[map.columns[k]!]! - i) % period) + period) % period] = 1;
  }
  const offsets: number[] = [];
  seen.forEach((s, d) => { if (s === 1) offsets.push(d); });
  const operation = "compile model";
  const shape = { rows, cols: period, slots, input: period < slots ? "replicated" : "padded" } as const;
  const candidate = (layout: DiagonalLayout): Candidate => ({
    method: "windowed", input, replication: [], clean: layout.windows === 1, cost: layout.cost(offsets),
    output: singleLayout({ shape: stage.outputShape, slots, positions: Array.from({ length: rows }, (_, i) => i) }),
    build: () => {
      const matrix = new Float64Array(rows * period);
      for (let i = 0; i < rows; i++) {
        for (let k = map.rowStart[i]!; k < map.rowStart[i + 1]!; k++) matrix[i * period + positions[map.columns[k]!]!]! += map.values[k]!;
      }
      return Diagonals.withLayout(matrix, layout);
    },
  });
  const best = DiagonalLayout.plan(checkShape(shape, operation), offsets, operation);
  return best.windows === 1 ? [candidate(best)] : [candidate(best), candidate(DiagonalLayout.plan(checkShape({ ...shape, windows: 1 }, operation), offsets, operation))];
}

/** A stage's candidates on `input`, plus the replicated method at the extra arrangements. */
function candidates(stage: LinearStage, input: SingleLayout, extra: readonly Arrangement[] = []): Candidate[] {
  const { rows } = stage.map;
  const { slots } = input;
  const compact = Array.from({ length: rows }, (_, i) => i);
  const periods = [...new Set([nextPowerOfTwo(rows), slots])];
  return [
    ...extra.map(({ arrangement, period }) => replicated(stage, input, arrangement, period)),
    ...periods.map((period) => replicated(stage, input, compact, period)),
    ...windowed(stage, input),
  ];
}

/** The input layout candidates of the first stage, each with the output arrangements that suit it. */
function firstInputs(stage: LinearStage, layers: readonly AnyLayer[], inputShape: readonly number[], slots: number) {
  const size = stage.map.cols;
  const period = nextPowerOfTwo(size);
  const compact = singleLayout({ shape: inputShape, slots, positions: Array.from({ length: size }, (_, e) => e), replicas: multiples(period, slots) });
  const options: { input: SingleLayout; extra: Arrangement[] }[] = [{ input: compact, extra: [] }];
  const geometry = convGeometry(layers.slice(0, stage.layers.length));
  if (geometry !== undefined) {
    for (const p of convPlacements(geometry, slots)) {
      options.push({ input: singleLayout({ shape: inputShape, slots, positions: p.positions, replicas: p.replicas }), extra: [{ arrangement: p.arrangement, period: p.period }] });
    }
  }
  return options;
}

/**
 * The lowering of every linear stage (undefined for activations), in order, for ciphertexts of
 * `slots` slots. `toleratesDirtyInput(k)` says whether the polynomial activation of stage k may
 * run on dirty slots (see dirty-slots.ts; default: never). Preconditions: every stage's input
 * and output fit the slots; `layers` are the model's layers and `inputShape` its input shape.
 */
export function lowerStages(
  stages: readonly Stage[], layers: readonly AnyLayer[], inputShape: readonly number[], slots: number,
  toleratesDirtyInput: (k: number) => boolean = () => false,
): (Lowering | undefined)[] {
  const nextLinear = (k: number): number => stages.findIndex((s, i) => i > k && s.kind === "linear");
  // A dirty output may only be returned; squared, then returned or transformed; or put through
  // a polynomial that tolerates it, then transformed (the next linear stage cleans it).
  const allowed = (k: number, candidate: Candidate): boolean => {
    const [next, after] = [stages[k + 1], stages[k + 2]];
    if (candidate.clean || next === undefined) return true;
    if (next.kind !== "activation") return false;
    if (next.layer.isSquare) return after === undefined || after.kind === "linear";
    return after?.kind === "linear" && toleratesDirtyInput(k + 1);
  };
  const cheapest = <T>(list: readonly T[], cost: (t: T) => number): T => list.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  // Candidates of stage k by input layout (the lookahead's are reused when that layout is chosen).
  const caches = stages.map(() => new Map<SingleLayout, Candidate[]>());
  const candidatesOn = (k: number, input: SingleLayout): Candidate[] => {
    const cache = caches[k]!;
    let list = cache.get(input);
    if (list === undefined) cache.set(input, (list = candidates(stages[k] as LinearStage, input).filter((c) => allowed(k, c))));
    return list;
  };
  const lowerings: (Lowering | undefined)[] = [];
  let current: SingleLayout | undefined;
  stages.forEach((stage, k) => {
    if (stage.kind !== "linear") {
      lowerings.push(undefined);
      return;
    }
    const list = current === undefined
      ? firstInputs(stage, k === 0 ? layers : [], inputShape, slots).flatMap(({ input, extra }) => candidates(stage, input, extra)).filter((c) => allowed(k, c))
      : candidatesOn(k, current);
    const next = nextLinear(k);
    const lookahead = (c: Candidate): number => (next < 0 ? 0 : cheapest(candidatesOn(next, c.output), (n) => n.cost).cost);
    const { build, ...chosen } = cheapest(list.map((c) => ({ c, total: c.cost + lookahead(c) })), (t) => t.total).c;
    lowerings.push({ ...chosen, diagonals: build() });
    current = chosen.output;
  });
  return lowerings;
}
