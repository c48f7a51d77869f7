// Known-answer vectors for the NTT kernels and a check of the tables they are given.

import { describe, expect, it } from "vitest";
import { kernelBuilds } from "../helpers/builds.js";
import { nttPrimesFor } from "../helpers/arbitraries.js";
import { bitReverseRef, inverseBig, mod, powBig } from "../helpers/reference.js";
import { forwardNtt, inverseNtt, ringFor } from "../helpers/rings.js";

const twoTo32 = 2n ** 32n;

describe.each(kernelBuilds)("NTT known answers (%s build)", (build) => {
  // N = 4, q = 113: psi = 18 is the smallest primitive 8th root of unity mod 113, and the
  // bit-reversed evaluation a(psi), a(psi^5), a(psi^3), a(psi^7) of 94 + 109X + 11X^2 + 18X^3.
  const input = [94, 109, 11, 18];
  const output = [82, 2, 81, 98];

  it("N = 4, q = 113: psi = 18 and [94, 109, 11, 18] -> [82, 2, 81, 98]", () => {
    const m = ringFor(build, 2).modulus(113);
    expect(m.psi).toBe(18);
    expect(forwardNtt(m, input)).toEqual(output);
    expect(forwardNtt(m, input, true).map((v) => v % 113)).toEqual(output);
  });

  it("N = 4, q = 113: inverse of [82, 2, 81, 98] is [94, 109, 11, 18]", () => {
    const m = ringFor(build, 2).modulus(113);
    expect(inverseNtt(m, output)).toEqual(input);
    expect(inverseNtt(m, output, true).map((v) => v % 113)).toEqual(input);
  });

  it("N = 2, q = 17: [a0, a1] -> [a0 + psi a1, a0 - psi a1] with psi = 4", () => {
    const m = ringFor(build, 1).modulus(17);
    expect(m.psi).toBe(4); // 4^2 = 16 = -1 mod 17; 2 and 3 are not square roots of -1
    expect(forwardNtt(m, [3, 6])).toEqual([10, 13]); // 3 + 24 = 27 = 10, 3 - 24 = -21 = 13
    expect(inverseNtt(m, [10, 13])).toEqual([3, 6]);
    expect(forwardNtt(m, [16, 16])).toEqual([(16 + 64) % 17, (16 - 64 + 68) % 17]);
  });

  it("the NTT of the constant 1 is all ones and of X is the evaluation points", () => {
    for (const logN of [1, 2, 3, 4, 5, 8]) {
      const n = 2 ** logN;
      for (const q of nttPrimesFor(logN)) {
        const m = ringFor(build, logN).modulus(q);
        const one = new Array<number>(n).fill(0);
        one[0] = 1;
        expect(forwardNtt(m, one)).toEqual(new Array<number>(n).fill(1));
        const x = new Array<number>(n).fill(0);
        x[1] = 1;
        const points = Array.from({ length: n }, (_, i) =>
          Number(powBig(BigInt(m.psi), BigInt(2 * bitReverseRef(i, logN) + 1), BigInt(q))));
        expect(forwardNtt(m, x)).toEqual(points);
        expect(inverseNtt(m, points)).toEqual(x);
      }
    }
  });
});

describe.each(kernelBuilds)("NTT tables and constants (%s build)", (build) => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 10, 12])("logN = %i: psi, tw, itw, Shoup companions, nInv, lastTw, r32", (logN) => {
    const n = 2 ** logN;
    const ring = ringFor(build, logN);
    for (const q of nttPrimesFor(logN)) {
      const m = ring.modulus(q);
      const qb = BigInt(q);
      const psi = BigInt(m.psi);
      // psi is a primitive 2N-th root of unity (for a power of two, psi^N = -1 suffices).
      expect(powBig(psi, BigInt(n), qb)).toBe(qb - 1n);
      if (q < 70000) {
        // ... and the smallest one: no x < psi has x^N = -1.
        for (let x = 2; x < m.psi; x++) expect(powBig(BigInt(x), BigInt(n), qb)).not.toBe(qb - 1n);
      }
      const words = ring.heap.u32();
      const psiInverse = inverseBig(psi, qb);
      const shoup = (w: bigint): number => Number((w * twoTo32) / qb);
      const powers = [1n];
      const inversePowers = [1n];
      for (let j = 1; j < n; j++) {
        powers.push((powers[j - 1]! * psi) % qb);
        inversePowers.push((inversePowers[j - 1]! * psiInverse) % qb);
      }
      for (let k = 0; k < n; k++) {
        const w = powers[bitReverseRef(k, logN)]!;
        const wi = inversePowers[bitReverseRef(k, logN)]!;
        expect(words[(m.tw >>> 2) + k]).toBe(Number(w));
        expect(words[(m.twShoup >>> 2) + k]).toBe(shoup(w));
        expect(words[(m.itw >>> 2) + k]).toBe(Number(wi));
        expect(words[(m.itwShoup >>> 2) + k]).toBe(shoup(wi));
      }
      const nInv = inverseBig(BigInt(n), qb);
      expect(m.nInv).toBe(Number(nInv));
      expect(m.nInvShoup).toBe(shoup(nInv));
      const lastTw = mod(nInv * powBig(psiInverse, BigInt(bitReverseRef(1, logN)), qb), qb);
      expect(m.lastTw).toBe(Number(lastTw));
      expect(m.lastTwShoup).toBe(shoup(lastTw));
      expect(m.oneShoup).toBe(shoup(1n));
      expect(m.r32).toBe(Number(twoTo32 % qb));
      expect(m.r32Shoup).toBe(shoup(twoTo32 % qb));
    }
  });
});
