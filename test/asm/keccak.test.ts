// keccakPermute and expandUniform against Node's SHAKE128 (FIPS 202, 24 rounds) and noble's
// TurboSHAKE128 (RFC 9861, Keccak-p[1600, 12]) and keccakP, with the round constants derived
// here from the FIPS 202 LFSR (independent of engine/ring/xof.ts).

import { createHash } from "node:crypto";
import { keccakP } from "@noble/hashes/sha3.js";
import { turboshake128 } from "@noble/hashes/sha3-addons.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelBuilds, heapFor } from "../helpers/builds.js";
import { elementwisePrimes } from "../helpers/arbitraries.js";
import { runOnBuffers } from "../helpers/scratch.js";

const rate = 168;
const stateWords = 50;
/** Keccak-f[1600] (SHA-3, SHAKE128). */
const fullRounds = 24;
/** Keccak-p[1600, 12] (TurboSHAKE128): the last 12 rounds of Keccak-f[1600]. */
const turboRounds = 12;

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

/** TurboSHAKE128(message, D, bytes) from @noble/hashes (RFC 9861). */
function turboShake128(message: Uint8Array, bytes: number, domain = 0x1f): Uint8Array {
  return turboshake128(message, { dkLen: bytes, D: domain });
}

/** The reference sponge for `rounds`: SHAKE128 (node:crypto) for 24, TurboSHAKE128 (noble) for 12. */
function referenceXof(rounds: number, message: Uint8Array, bytes: number): Uint8Array {
  return rounds === fullRounds ? shake128(message, bytes) : turboShake128(message, bytes);
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

/** noble's keccakP over a copy of the 50 state words (little-endian lanes as lo, hi u32 pairs). */
function nobleKeccakP(state: readonly number[], rounds: number): number[] {
  const copy = Uint32Array.from(state);
  keccakP(copy, rounds);
  return Array.from(copy);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe.each(kernelBuilds)("Keccak kernels (%s build)", (build) => {
  const heap = heapFor(build);
  const k = heap.kernels;

  /** keccakPermute(state, constants, rounds) through the heap; returns the new state words. */
  function permute(state: readonly number[], rounds: number): number[] {
    return runOnBuffers(heap, [state, constantWords], 0, ([s, c]) => k.keccakPermute(s!, c!, rounds));
  }

  /** XORs `block` (168 bytes) into the state words in JS. */
  function xorBlock(state: number[], block: Uint8Array): number[] {
    const words = bytesToWords(block);
    return state.map((w, i) => (i < words.length ? (w ^ words[i]!) >>> 0 : w));
  }

  /**
   * Sponge absorb of `message` with padding D ... 0x80 (D = 0x1F for SHAKE128 and for
   * TurboSHAKE128's default), permuting between blocks with the kernel at `rounds`.
   */
  function absorb(message: Uint8Array, rounds: number, domain = 0x1f): number[] {
    const padded = new Uint8Array(Math.floor(message.length / rate) * rate + rate);
    padded.set(message);
    padded[message.length]! ^= domain;
    padded[padded.length - 1]! ^= 0x80;
    let state = new Array<number>(stateWords).fill(0);
    for (let block = 0; block < padded.length; block += rate) {
      if (block > 0) state = permute(state, rounds);
      state = xorBlock(state, padded.subarray(block, block + rate));
    }
    return state;
  }

  /** Squeezes `blocks` rate-sized output blocks, permuting with the kernel at `rounds`. */
  function squeeze(state: number[], blocks: number, rounds: number): Uint8Array {
    const output: number[] = [];
    for (let b = 0; b < blocks; b++) {
      state = permute(state, rounds);
      output.push(...state.slice(0, rate / 4));
    }
    return wordsToBytes(output);
  }

  it("round constants: RC[0] = 1, RC[12] = 0x8000808B, RC[23] = 0x8000000080008008", () => {
    const rc = roundConstants();
    expect(rc[0]).toBe(1n);
    expect(rc[1]).toBe(0x8082n);
    expect(rc[12]).toBe(0x8000808bn); // the first round constant of Keccak-p[1600, 12]
    expect(rc[23]).toBe(0x8000000080008008n);
  });

  it("Keccak-f[1600] (24 rounds) of the zero state starts with lane 0xF1258F7940E1DDE7", () => {
    const state = permute(new Array<number>(stateWords).fill(0), fullRounds);
    expect((BigInt(state[1]!) << 32n) | BigInt(state[0]!)).toBe(0xf1258f7940e1dde7n);
  });

  it("keccakPermute with rounds r runs the last r rounds: equals noble's keccakP(state, r) for r = 1..24", () => {
    const arb = fc.tuple(
      fc.array(fc.nat({ max: 0xffffffff }), { minLength: stateWords, maxLength: stateWords }),
      fc.oneof(fc.constantFrom(fullRounds, turboRounds, 1, 23), fc.integer({ min: 1, max: 24 })),
    );
    fc.assert(fc.property(arb, ([state, rounds]) => {
      expect(permute(state, rounds), `rounds ${rounds}`).toEqual(nobleKeccakP(state, rounds));
    }), { numRuns: 150 });
    // The zero state, where 12 and 24 rounds must differ.
    const zero = new Array<number>(stateWords).fill(0);
    const twelve = permute(zero, turboRounds);
    expect(twelve).toEqual(nobleKeccakP(zero, turboRounds));
    expect(twelve).not.toEqual(permute(zero, fullRounds));
  });

  it("rounds r are round indices 24 - r .. 23: the first 24 - r rounds, then keccakPermute(r), is Keccak-f[1600]", () => {
    // A table whose entries 24 - m .. 23 hold RC[0 .. m - 1] makes keccakPermute(state, table, m)
    // run rounds 0 .. m - 1; following it with the last 24 - m rounds must give all 24 rounds.
    const rc = roundConstants();
    const arb = fc.tuple(
      fc.array(fc.nat({ max: 0xffffffff }), { minLength: stateWords, maxLength: stateWords }),
      fc.oneof(fc.constant(turboRounds), fc.integer({ min: 1, max: 23 })),
    );
    fc.assert(fc.property(arb, ([state, last]) => {
      const first = 24 - last;
      const shifted = rc.map((_, i) => (i < 24 - first ? 0n : rc[i - (24 - first)]!))
        .flatMap((c) => [Number(c & 0xffffffffn), Number(c >> 32n)]);
      const head = runOnBuffers(heap, [state, shifted], 0, ([s, c]) => k.keccakPermute(s!, c!, first));
      expect(permute(head, last), `${first} + ${last} rounds`).toEqual(permute(state, fullRounds));
    }), { numRuns: 60 });
  });

  it("SHAKE128 known answers: the empty message and 'abc'", () => {
    const empty = permute(absorb(new Uint8Array(0), fullRounds), fullRounds);
    expect(hex(wordsToBytes(empty.slice(0, 8))))
      .toBe("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
    const abc = permute(absorb(new TextEncoder().encode("abc"), fullRounds), fullRounds);
    expect(hex(wordsToBytes(abc.slice(0, 8))))
      .toBe("5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8");
  });

  it("TurboSHAKE128 known answer (RFC 9861): the empty message, D = 0x1F, 64 bytes", () => {
    const expected = "1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c"
      + "3e8ccae2a4dae56c84a04c2385c03c15e8193bdf58737363321691c05462c8df";
    const empty = permute(absorb(new Uint8Array(0), turboRounds), turboRounds);
    expect(hex(wordsToBytes(empty.slice(0, 16)))).toBe(expected);
    expect(hex(turboShake128(new Uint8Array(0), 64))).toBe(expected); // the reference agrees with the RFC
  });

  it("absorbing any message and squeezing 1-3 blocks with keccakPermute (24 rounds) equals SHAKE128", () => {
    const arb = fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.integer({ min: 1, max: 3 }));
    fc.assert(fc.property(arb, ([message, blocks]) => {
      expect(squeeze(absorb(message, fullRounds), blocks, fullRounds)).toEqual(shake128(message, rate * blocks));
    }), { numRuns: 150 });
  });

  it("absorbing any message and squeezing 1-3 blocks with keccakPermute (12 rounds) equals TurboSHAKE128", () => {
    const arb = fc.tuple(
      fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.integer({ min: 165, max: 338 }).map((n) => new Uint8Array(n).map((_, i) => i))),
      fc.integer({ min: 1, max: 3 }),
      fc.oneof(fc.constant(0x1f), fc.integer({ min: 0x01, max: 0x7f })),
    );
    fc.assert(fc.property(arb, ([message, blocks, domain]) => {
      const output = squeeze(absorb(message, turboRounds, domain), blocks, turboRounds);
      expect(output).toEqual(turboShake128(message, rate * blocks, domain));
      if (domain === 0x1f) expect(output).not.toEqual(shake128(message, rate * blocks));
    }), { numRuns: 150 });
  });

  describe.each([
    { rounds: fullRounds, name: "SHAKE128" },
    { rounds: turboRounds, name: "TurboSHAKE128" },
  ])("expandUniform with rounds = $rounds", ({ rounds, name }) => {
    it(`the first n masked ${name} words below q, state left after the last block`, () => {
      // Primes just above a power of two (65537, 536870923) reject almost half of the words.
      const arb = fc.record({
        message: fc.uint8Array({ minLength: 0, maxLength: 200 }),
        q: fc.constantFrom(...elementwisePrimes),
        n: fc.integer({ min: 0, max: 300 }),
      });
      fc.assert(fc.property(arb, ({ message, q, n }) => {
        const mask = 2 ** (32 - Math.clz32(q)) - 1;
        const garbage = new Array<number>(n).fill(0xdeadbeef);
        const initial = absorb(message, rounds);
        let finalState: number[] = [];
        const out = runOnBuffers(heap, [garbage, initial, constantWords], 0, ([o, s, c]) => {
          k.expandUniform(o!, n, q, mask, s!, c!, rounds);
          finalState = Array.from(heap.u32().subarray(s! >>> 2, (s! >>> 2) + stateWords));
        }, [1]);
        // Reference: the XOF stream, read 42 words per block, rejection-sampled.
        const expected: number[] = [];
        let blocks = 0;
        let stream: Uint8Array = new Uint8Array(0);
        while (expected.length < n) {
          blocks++;
          stream = referenceXof(rounds, message, rate * blocks);
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

  it.each([fullRounds, turboRounds])("expandUniformPair (rounds %i) equals two expandUniform calls: outputs and final states, rejecting primes and n = 0 included", (rounds) => {
    const arb = fc.record({
      messages: fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 })),
      qs: fc.tuple(fc.constantFrom(...elementwisePrimes), fc.constantFrom(...elementwisePrimes)),
      n: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(fc.property(arb, ({ messages: [ma, mb], qs: [qa, qb], n }) => {
      const mask = (q: number) => 2 ** (32 - Math.clz32(q)) - 1;
      const [sa, sb] = [absorb(ma, rounds), absorb(mb, rounds)];
      const single = (state: number[], q: number) => {
        let final: number[] = [];
        const out = runOnBuffers(heap, [new Array<number>(n).fill(0), state, constantWords], 0, ([o, s, c]) => {
          k.expandUniform(o!, n, q, mask(q), s!, c!, rounds);
          final = Array.from(heap.u32().subarray(s! >>> 2, (s! >>> 2) + stateWords));
        }, [1]);
        return { out, final };
      };
      const [wantA, wantB] = [single(sa, qa), single(sb, qb)];
      let finals: number[][] = [];
      const both = runOnBuffers(heap, [new Array<number>(2 * n).fill(0xdeadbeef), sa, sb, new Array<number>(100).fill(0), constantWords], 0, ([o, a, b, p, c]) => {
        k.expandUniformPair(o!, o! + 4 * n, n, qa, mask(qa), qb, mask(qb), a!, b!, p!, c!, rounds);
        finals = [a!, b!].map((s) => Array.from(heap.u32().subarray(s >>> 2, (s >>> 2) + stateWords)));
      }, [1, 2, 3]);
      expect(both.slice(0, n)).toEqual(wantA.out);
      expect(both.slice(n)).toEqual(wantB.out);
      expect(finals).toEqual([wantA.final, wantB.final]);
    }), { numRuns: 120 });
  });

  it("expandUniform honours rounds: 12 and 24 rounds give different residues from the same state", () => {
    const q = 12289;
    const initial = absorb(new TextEncoder().encode("rounds"), fullRounds);
    const expand = (rounds: number) => runOnBuffers(heap, [new Array<number>(64).fill(0), initial, constantWords], 0,
      ([o, s, c]) => k.expandUniform(o!, 64, q, 0x3fff, s!, c!, rounds), [1]);
    expect(expand(turboRounds)).not.toEqual(expand(fullRounds));
  });
});
