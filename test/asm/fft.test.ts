// The special FFT kernels against the O(n^2) definition of the canonical embedding:
// forward(x)_j = sum_k x_k exp(2 pi i (5^j mod 4n) k / 4n) for n slots, and inverse o forward = id.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpecialFft } from "../../engine/encoding/special-fft.js";
import { heapFor, kernelBuilds } from "../helpers/builds.js";

function definition(re: number[], im: number[]): { re: number[]; im: number[] } {
  const n = re.length;
  const m = 4 * n;
  const outRe: number[] = [];
  const outIm: number[] = [];
  let power = 1;
  for (let j = 0; j < n; j++) {
    let sumRe = 0;
    let sumIm = 0;
    for (let k = 0; k < n; k++) {
      const angle = (2 * Math.PI * ((power * k) % m)) / m;
      sumRe += re[k]! * Math.cos(angle) - im[k]! * Math.sin(angle);
      sumIm += re[k]! * Math.sin(angle) + im[k]! * Math.cos(angle);
    }
    outRe.push(sumRe);
    outIm.push(sumIm);
    power = (power * 5) % m;
  }
  return { re: outRe, im: outIm };
}

describe.each(kernelBuilds)("special FFT kernels (%s)", (build) => {
  const heap = heapFor(build);
  const fft = new SpecialFft(heap, 256);

  function run(direction: "forward" | "inverse", re: number[], im: number[]): { re: number[]; im: number[] } {
    const n = re.length;
    const address = heap.allocate(16 * n);
    try {
      const view = new Float64Array(heap.memory.buffer, address, 2 * n);
      view.set(re);
      view.set(im, n);
      fft[direction](address, address + 8 * n, n);
      const out = new Float64Array(heap.memory.buffer, address, 2 * n);
      return { re: Array.from(out.subarray(0, n)), im: Array.from(out.subarray(n)) };
    } finally {
      heap.free(address, 16 * n);
    }
  }

  const vectors = fc.integer({ min: 0, max: 7 }).chain((logSize) => {
    const values = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2 ** logSize, maxLength: 2 ** logSize });
    return fc.tuple(values, values);
  });

  it("forward equals the definition of the canonical embedding", () => {
    fc.assert(fc.property(vectors, ([re, im]) => {
      const got = run("forward", re, im);
      const want = definition(re, im);
      for (let j = 0; j < re.length; j++) {
        expect(Math.abs(got.re[j]! - want.re[j]!)).toBeLessThan(1e-9);
        expect(Math.abs(got.im[j]! - want.im[j]!)).toBeLessThan(1e-9);
      }
    }), { numRuns: 60 });
  });

  it("inverse undoes forward", () => {
    fc.assert(fc.property(vectors, ([re, im]) => {
      const back = run("inverse", ...(Object.values(run("forward", re, im)) as [number[], number[]]));
      for (let j = 0; j < re.length; j++) {
        expect(Math.abs(back.re[j]! - re[j]!)).toBeLessThan(1e-12);
        expect(Math.abs(back.im[j]! - im[j]!)).toBeLessThan(1e-12);
      }
    }), { numRuns: 60 });
  });
});
