// A linear map between single layouts as the diagonals of one linear transform whose output is
// replicated with a period R (a power of two dividing the slots):
//
//   u = sum_a p_a * rot_a(v),   z = sum_{k < slots/R} rot_{k R}(u)
//
// z is R-periodic whatever u is, so output i (at slot s_i < R and every s_i + k R) may collect
// its terms anywhere in its residue class: the term W[i][j] with x_j at slot t goes to rotation
// a = (t - s_i) mod R at slot t - a. The rotations are the distinct residues (t - s_i) mod R;
// when x_j has several copies, each term picks the copy whose residue serves the most terms
// (greedy set cover), so replicated inputs let many outputs share few rotations. Residues
// holding no output stay exactly zero: the output is clean.

import type { Affine } from "../affine.js";
import type { SingleLayout } from "../layout.js";

/** Where every term of a map goes: the rotation (residue) and the input slot it reads. */
export interface TermAssignment {
  readonly residues: Int32Array;
  readonly sources: Int32Array;
  /** The distinct residues, increasing: the transform's rotations. */
  readonly rotations: readonly number[];
}

/**
 * The rotation (in [0, period)) and input slot of every term of `map` from `input` to outputs
 * at `arrangement[i]` in [0, period). Preconditions: period a power of two dividing
 * input.slots; arrangement distinct.
 */
export function assignTerms(map: Affine, input: SingleLayout, arrangement: ArrayLike<number>, period: number): TermAssignment {
  const { slots, positions, replicas } = input;
  const terms = map.values.length;
  const rowOf = new Int32Array(terms);
  for (let i = 0; i < map.rows; i++) rowOf.fill(i, map.rowStart[i]!, map.rowStart[i + 1]!);
  const slotOf = (term: number, copy: number): number => (positions[map.columns[term]!]! + replicas[copy]!) % slots;
  const residueOf = (term: number, copy: number): number => (((slotOf(term, copy) - arrangement[rowOf[term]!]!) % period) + period) % period;
  const chosen = chooseCopies(terms, replicas.length, period, residueOf);
  const residues = new Int32Array(terms);
  const sources = new Int32Array(terms);
  const used = new Uint8Array(period);
  for (let term = 0; term < terms; term++) {
    residues[term] = residueOf(term, chosen[term]!);
    sources[term] = slotOf(term, chosen[term]!);
    used[residues[term]!] = 1;
  }
  const rotations: number[] = [];
  used.forEach((u, a) => { if (u === 1) rotations.push(a); });
  return { residues, sources, rotations };
}

/** The non-zero diagonals (rotation -> `slots` values) of the terms of `map` placed by `assignment`. */
export function replicatedDiagonals(map: Affine, assignment: TermAssignment, slots: number): Map<number, Float64Array> {
  const diagonals = new Map<number, Float64Array>();
  for (let term = 0; term < map.values.length; term++) {
    const a = assignment.residues[term]!;
    let diagonal = diagonals.get(a);
    if (diagonal === undefined) diagonals.set(a, (diagonal = new Float64Array(slots)));
    const sigma = (assignment.sources[term]! - a + slots) % slots;
    diagonal[sigma] = diagonal[sigma]! + map.values[term]!;
  }
  return diagonals;
}

/**
 * For every term the copy to read (an index < copies): greedily the residue that serves the
 * most unassigned terms, until every term has one.
 */
function chooseCopies(terms: number, copies: number, period: number, residueOf: (term: number, copy: number) => number): Int32Array {
  const chosen = new Int32Array(terms);
  if (copies === 1) return chosen;
  const candidates = new Int32Array(terms * copies).fill(-1);
  const count = new Int32Array(period);
  for (let term = 0; term < terms; term++) {
    for (let copy = 0; copy < copies; copy++) {
      const a = residueOf(term, copy);
      let seen = false;
      for (let c = 0; c < copy; c++) seen ||= candidates[term * copies + c] === a;
      if (seen) continue;
      candidates[term * copies + copy] = a;
      count[a]!++;
    }
  }
  // Terms by residue (counting sort), to visit the terms of the chosen residue.
  const start = new Int32Array(period + 1);
  for (let a = 0; a < period; a++) start[a + 1] = start[a]! + count[a]!;
  const fill = start.slice(0, period);
  const byResidue = new Int32Array(start[period]!);
  for (let k = 0; k < candidates.length; k++) {
    const a = candidates[k]!;
    if (a >= 0) byResidue[fill[a]!++] = k;
  }
  const done = new Uint8Array(terms);
  let remaining = terms;
  while (remaining > 0) {
    let best = 0;
    for (let a = 1; a < period; a++) if (count[a]! > count[best]!) best = a;
    for (let k = start[best]!; k < start[best + 1]!; k++) {
      const term = Math.floor(byResidue[k]! / copies);
      if (done[term] === 1) continue;
      done[term] = 1;
      remaining--;
      chosen[term] = byResidue[k]! % copies;
      for (let copy = 0; copy < copies; copy++) {
        const a = candidates[term * copies + copy]!;
        if (a >= 0) count[a]!--;
      }
    }
  }
  return chosen;
}

/** The rotation steps R, 2R, ..., slots/2 that replicate an output of period R over the slots. */
export function replicationSteps(period: number, slots: number): number[] {
  const steps: number[] = [];
  for (let step = period; step < slots; step *= 2) steps.push(step);
  return steps;
}
