// Rings per (kernel build, logN) and direct calls of the NTT kernels on JS arrays.

import { expect } from "vitest";
import { type KernelBuild } from "../../engine/index.js";
import { Ring, type Modulus } from "../../engine/ring/index.js";
import { heapFor } from "./builds.js";
import { untouchedGuards, withScratch } from "./scratch.js";

const rings = new Map<string, Ring>();

/** One ring per build and logN, on that build's shared heap (its NTT tables are cached). */
export function ringFor(build: KernelBuild, logN: number): Ring {
  const key = `${build}:${logN}`;
  let ring = rings.get(key);
  if (ring === undefined) {
    ring = new Ring({ logN, heap: heapFor(build) });
    rings.set(key, ring);
  }
  return ring;
}

/**
 * Runs nttForward (or nttForwardLazy) on a copy of `values` and returns the result; asserts
 * the kernel wrote nothing outside the n words.
 */
export function forwardNtt(m: Modulus, values: readonly number[], lazy = false): number[] {
  return withScratch(m.heap, (s) => {
    const a = s.put(values);
    const k = m.heap.kernels;
    (lazy ? k.nttForwardLazy : k.nttForward)(a, m.n, m.q, m.tw, m.twShoup);
    expect(s.guards(a)).toEqual(untouchedGuards);
    return s.read(a, m.n);
  });
}

/** Runs nttInverse (or nttInverseLazy) on a copy of `values`, as {@link forwardNtt}. */
export function inverseNtt(m: Modulus, values: readonly number[], lazy = false): number[] {
  return withScratch(m.heap, (s) => {
    const a = s.put(values);
    const k = m.heap.kernels;
    (lazy ? k.nttInverseLazy : k.nttInverse)(
      a, m.n, m.q, m.itw, m.itwShoup, m.nInv, m.nInvShoup, m.lastTw, m.lastTwShoup);
    expect(s.guards(a)).toEqual(untouchedGuards);
    return s.read(a, m.n);
  });
}
