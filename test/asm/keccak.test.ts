// keccakPermute and expandUniform against Node's SHAKE128 (FIPS 202), with the round
// constants derived here from the FIPS 202 LFSR (independent of engine/ring/xof.ts).

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { elementwisePrimes } from "../helpers/arbitraries.js";
import { runOnBuffers } from "../helpers/scratch.js";

const rate = 168;
const stateWords = 50;

/** The 24 Keccak-f[1600] round constants from the rc(t) LFSR (x^8 + x^6 + x^5 + x^4 + 1). */
function roundConstants(): bigint[] {
  let lfsr = 1;
  const out: bigint[] = [];
  for (let round = 0; round < 24; round++) {
    let rc = 0n;
    for (let j = 0; j < 7; j++) {
      if (lfsr & 1) rc ^= 1n << BigInt((1 << j) - 1);
      lfsr = ((lfsr << 1) ^ (lfsr & 0x80 ? 0x71 : 0)) & 0xff;
    }
    out.push(rc);
  }
  return out;
}

const constantWords = roundConstants().flatMap((c) => [Number(c & 0xffffffffn), Number(c >> 32n)]);

function shake128(message: Uint8Array, bytes: number): Uint8Array {
  return new Uint8Array(createHash("shake128", { outputLength: bytes }).update(message).digest());
}

function bytesToWords(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length >> 2 }, (_, i) => view.getUint32(4 * i, true));
}

function wordsToBytes(words: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(4 * words.length);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(4 * i, w, true));
  return bytes;
}

describe.each(kernelBuilds)("Keccak kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  /** XORs `block` (168 bytes) into the state words in JS. */
  function xorBlock(state: number[], block: Uint8Array): number[] {
    const words = bytesToWords(block);
    return state.map((w, i) => (i < words.length ? (w ^ words[i]!) >>> 0 : w));
  }

  /** SHAKE128 absorb of `message` with padding 0x1F ... 0x80, permuting between blocks with the kernel. */
  function absorb(message: Uint8Array): number[] {
    const padded = new Uint8Array(Math.floor(message.length / rate) * rate + rate);
    padded.set(message);
    padded[message.length]! ^= 0x1f;
    padded[padded.length - 1]! ^= 0x80;
    let state = new Array<number>(stateWords).fill(0);
    for (let block = 0; block < padded.length; block += rate) {
      if (block > 0) state = runOnBuffers(heap, [state, constantWords], 0, ([s, c]) => k.keccakPermute(s!, c!));
      state = xorBlock(state, padded.subarray(block, block + rate));
    }
    return state;
  }

  it("round constants: RC[0] = 1, RC[23] = 0x8000000080008008", () => {
    const rc = roundConstants();
    expect(rc[0]).toBe(1n);
    expect(rc[1]).toBe(0x8082n);
    expect(rc[23]).toBe(0x8000000080008008n);
  });

  it("Keccak-f[1600] of the zero state starts with lane 0xF1258F7940E1DDE7", () => {
    const state = runOnBuffers(heap, [new Array<number>(stateWords).fill(0), constantWords], 0,
      ([s, c]) => k.keccakPermute(s!, c!));
    expect((BigInt(state[1]!) << 32n) | BigInt(state[0]!)).toBe(0xf1258f7940e1dde7n);
  });

  it("SHAKE128 known answers: the empty message and 'abc'", () => {
    const empty = runOnBuffers(heap, [absorb(new Uint8Array(0)), constantWords], 0, ([s, c]) => k.keccakPermute(s!, c!));
    expect(Buffer.from(wordsToBytes(empty.slice(0, 8))).toString("hex"))
      .toBe("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
    const abc = runOnBuffers(heap, [absorb(new TextEncoder().encode("abc")), constantWords], 0, ([s, c]) => k.keccakPermute(s!, c!));
    expect(Buffer.from(wordsToBytes(abc.slice(0, 8))).toString("hex"))
      .toBe("5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8");
  });

  it("absorbing any message and squeezing 1-3 blocks with keccakPermute equals SHAKE128", () => {
    const arb = fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.integer({ min: 1, max: 3 }));
    fc.assert(fc.property(arb, ([message, blocks]) => {
      let state = absorb(message);
      const output: number[] = [];
      for (let b = 0; b < blocks; b++) {
        state = runOnBuffers(heap, [state, constantWords], 0, ([s, c]) => k.keccakPermute(s!, c!));
        output.push(...state.slice(0, rate / 4));
      }
      expect(wordsToBytes(output)).toEqual(shake128(message, rate * blocks));
    }), { numRuns: 150 });
  });

  it("expandUniform: the first n masked SHAKE128 words below q, state left after the last block", () => {
    // Primes just above a power of two (65537, 536870923) reject almost half of the words.
    const arb = fc.record({
      message: fc.uint8Array({ minLength: 0, maxLength: 200 }),
      q: fc.constantFrom(...elementwisePrimes),
      n: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(fc.property(arb, ({ message, q, n }) => {
      const mask = 2 ** (32 - Math.clz32(q)) - 1;
      const garbage = new Array<number>(n).fill(0xdeadbeef);
      const initial = absorb(message);
      let finalState: number[] = [];
      const out = runOnBuffers(heap, [garbage, initial, constantWords], 0, ([o, s, c]) => {
        k.expandUniform(o!, n, q, mask, s!, c!);
        finalState = Array.from(heap.u32().subarray(s! >>> 2, (s! >>> 2) + stateWords));
      }, [1]);
      // Reference: the SHAKE128 stream, read 42 words per block, rejection-sampled.
      const expected: number[] = [];
      let blocks = 0;
      let stream: Uint8Array = new Uint8Array(0);
      while (expected.length < n) {
        blocks++;
        stream = shake128(message, rate * blocks);
        const words = bytesToWords(stream.subarray(rate * (blocks - 1)));
        for (const w of words) {
          if (expected.length === n) break;
          if ((w & mask) >>> 0 < q) expected.push((w & mask) >>> 0);
        }
      }
      expect(out).toEqual(expected);
      if (n === 0) {
        expect(finalState).toEqual(initial);
      } else {
        expect(wordsToBytes(finalState.slice(0, rate / 4))).toEqual(stream.subarray(rate * (blocks - 1)));
      }
    }), { numRuns: 150 });
  });
});
