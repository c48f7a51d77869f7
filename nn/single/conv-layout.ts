// Layouts that make a first-layer convolution cheap in single-image packing. The input is split
// into its stride phases (space-to-depth): pixel (y, x, c), at (y', x') in the padded image,
// goes to phase (c, y' mod sy, x' mod sx) at row floor(y' / sy), column floor(x' / sx) of a grid
// W columns wide (each phase keeping only the rows and columns of its real pixels), and output
// (oy, ox, f) to slot f b + W oy + ox. The term of kernel cell (ky, kx) then reads
// the slot base(c, ky mod sy, kx mod sx) + W floor(ky / sy) + floor(kx / sx) + f b - δ ahead
// of its output, for the copy of the input shifted by δ: with one copy per filter, shifted by
// δ_f = f b (mod the output period R), every filter uses the same kh·kw·c rotations.

import { Conv2D } from "../layers/conv2d.js";
import { BatchNorm } from "../layers/batch-norm.js";
import { Flatten } from "../layers/pooling.js";
import type { AnyLayer } from "../layers/layer.js";
import { nextPowerOfTwo } from "../../engine/circuits/diagonal-layout.js";

/** A convolution's geometry (channels last). */
export interface ConvGeometry {
  readonly input: readonly [number, number, number];
  readonly output: readonly [number, number, number];
  readonly strides: readonly [number, number];
  /** Top and left padding. */
  readonly offset: readonly [number, number];
}

/**
 * The geometry of `layers` (a stage's layers, in order) when they are a convolution followed
 * only by layers that keep its element order and sparsity (batch normalisation, flatten).
 */
export function convGeometry(layers: readonly AnyLayer[]): ConvGeometry | undefined {
  const [conv, ...rest] = layers;
  if (!(conv instanceof Conv2D) || !rest.every((l) => l instanceof BatchNorm || l instanceof Flatten)) return undefined;
  const [h, w, c] = conv.inputShape as [number, number, number];
  const [oh, ow, f] = conv.outputShape as [number, number, number];
  return { input: [h, w, c], output: [oh, ow, f], strides: conv.strides, offset: [conv.padding[0], conv.padding[2]] };
}

/** A candidate for the first stage: input positions and copies, output slots and period. */
export interface ConvPlacement {
  readonly positions: readonly number[];
  readonly replicas: readonly number[];
  readonly arrangement: Int32Array;
  readonly period: number;
}

/** Bound on the placements the copy search visits. */
const searchBudget = 100_000;

/**
 * Placements of the phase-split input for `slots` slots: the one with as many per-filter copies
 * as fit (all filters when possible) and, if that has several, the one with a single copy.
 * Empty when the phase grid does not fit the slots.
 */
export function convPlacements(g: ConvGeometry, slots: number): ConvPlacement[] {
  const [h, w, c] = g.input;
  const [oh, ow, filters] = g.output;
  const [sy, sx] = g.strides;
  const [top, left] = g.offset;
  // Phase (c, py, px) holds grid rows Y in [y0, y0 + rows) and columns X in [x0, x0 + columns)
  // of real pixels (padding has no terms, so it takes no slots).
  const phases = Array.from({ length: c * sy * sx }, (_, p) => {
    const [py, px] = [Math.floor(p / sx) % sy, p % sx];
    const first = (offset: number, stride: number, phase: number): number => ((phase - offset) % stride + stride) % stride;
    const [fy, fx] = [first(top, sy, py), first(left, sx, px)];
    return { y0: Math.floor((fy + top) / sy), x0: Math.floor((fx + left) / sx), rows: fy < h ? Math.floor((h - 1 - fy) / sy) + 1 : 0, columns: fx < w ? Math.floor((w - 1 - fx) / sx) + 1 : 0 };
  });
  const width = Math.max(ow, ...phases.map((p) => p.columns));
  const bases: number[] = [];
  let length = 0;
  for (const p of phases) {
    bases.push(length);
    length += p.rows * width;
  }
  const positions: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const [yp, xp] = [y + top, x + left];
        const p = (ch * sy + yp % sy) * sx + xp % sx;
        positions.push(bases[p]! + (Math.floor(yp / sy) - phases[p]!.y0) * width + Math.floor(xp / sx) - phases[p]!.x0);
      }
    }
  }
  const minBlock = width * (oh - 1) + ow;
  const period = nextPowerOfTwo(filters * minBlock);
  if (length > slots || period > slots) return [];
  const place = (block: number, replicas: readonly number[]): ConvPlacement => {
    const arrangement = new Int32Array(oh * ow * filters);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) for (let f = 0; f < filters; f++) arrangement[(oy * ow + ox) * filters + f] = f * block + width * oy + ox;
    }
    return { positions, replicas, arrangement, period };
  };
  for (let copies = Math.min(filters, Math.floor(slots / length)); copies > 1; copies--) {
    for (let block = minBlock; block * filters <= period; block++) {
      const shifts = copyShifts(copies, block, period, length, slots);
      if (shifts !== undefined) return [place(block, shifts), place(minBlock, [0])];
    }
  }
  return [place(minBlock, [0])];
}

/**
 * Shifts δ_f ≡ f·block (mod period), f < copies, δ_0 = 0, of copies of `length` slots that do
 * not overlap on the cycle of `slots` slots (depth-first search), or undefined.
 */
function copyShifts(copies: number, block: number, period: number, length: number, slots: number): number[] | undefined {
  const shifts = [0];
  let budget = searchBudget;
  const apart = (a: number, b: number): boolean => (a - b + slots) % slots >= length && (b - a + slots) % slots >= length;
  const search = (f: number): boolean => {
    if (f === copies) return true;
    for (let m = 0; m * period < slots && budget-- > 0; m++) {
      const shift = (f * block + m * period) % slots;
      if (!shifts.every((s) => apart(s, shift))) continue;
      shifts.push(shift);
      if (search(f + 1)) return true;
      shifts.pop();
    }
    return false;
  };
  return search(1) ? shifts : undefined;
}
