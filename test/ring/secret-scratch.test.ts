// Samplers and small-coefficient helpers must not leave secret-equivalent data behind: the
// random words a sampler reads decide its samples, and the heap scratch of polyFromSmall and
// setIntegerCoefficients holds the secrets, ephemerals, errors or noise being written.

import { describe, expect, it } from "vitest";
import { WasmHeap } from "../../engine/index.js";
import {
  Ring, fillUniform, type RnsPoly, generateNttPrimes, polyFromSmall, sampleGaussian, sampleTernary,
  sampleTernaryFixedWeight, setIntegerCoefficients, type RandomSource,
} from "../../engine/ring/index.js";
import { sampleFloodingGaussian } from "../../engine/ring/sampling.js";
import { kernelBuilds } from "../helpers/builds.js";
import { watchFrees } from "../helpers/heap-watch.js";

/** A source of non-zero pseudo-random words (xorshift32) that remembers the buffers it filled. */
class RecordingSource implements RandomSource {
  readonly buffers = new Set<Uint8Array>();
  private state = 0x9e3779b9;
  fills = 0;

  constructor(private readonly failAfter = Infinity) {}

  fill(bytes: Uint8Array): void {
    if (this.fills++ >= this.failAfter) throw new Error("source exhausted");
    this.buffers.add(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 4 <= bytes.length; i += 4) {
      this.state ^= this.state << 13;
      this.state ^= this.state >>> 17;
      this.state ^= this.state << 5;
      view.setUint32(i, this.state >>> 0, true);
    }
  }

  /** The words of every buffer it filled, as they are now. */
  contents(): Uint32Array[] {
    return [...this.buffers].map((bytes) => new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
}

/** True when `words` is zeros followed by non-zero words: read words zeroed, unread ones left. */
function readPrefixZeroed(words: Uint32Array): boolean {
  const firstUnread = words.findIndex((w) => w !== 0);
  return firstUnread === -1 || words.subarray(firstUnread).every((w) => w !== 0);
}

const n = 1024;
const samplers: Record<string, (source: RandomSource) => unknown> = {
  fillUniform: (source) => {
    const ring = new Ring({ logN: 10 });
    using poly = ring.allocate(ring.basis(generateNttPrimes({ logN: 10, bits: 30, count: 2 })));
    fillUniform(poly, source);
  },
  sampleTernary: (source) => sampleTernary(n, source),
  sampleTernaryFixedWeight: (source) => sampleTernaryFixedWeight(n, 600, source),
  sampleGaussian: (source) => sampleGaussian(4 * n, 3.19, source), // several draws of words
};

describe("random words drawn by the samplers", () => {
  it.each(Object.keys(samplers))("%s zeroes every word it read", (name) => {
    const source = new RecordingSource();
    samplers[name]!(source);
    expect(source.fills).toBeGreaterThan(0);
    for (const words of source.contents()) {
      expect(words.some((w) => w === 0), "no word was zeroed").toBe(true);
      expect(readPrefixZeroed(words), "a word that was read is still in the buffer").toBe(true);
    }
  });

  it.each(Object.keys(samplers))("%s leaves no read word behind when the source fails", (name) => {
    const source = new RecordingSource(1);
    expect(() => samplers[name]!(source)).toThrow("source exhausted");
    expect(source.buffers.size).toBeGreaterThan(0);
    for (const words of source.contents()) expect(words.every((w) => w === 0)).toBe(true);
  });
});

describe.each(kernelBuilds)("heap scratch of small coefficients (%s kernels)", (build) => {
  /**
   * Runs `body` on a fresh heap and returns the sizes of the blocks it freed that were not
   * all-zero when freed; the polynomial `body` returns (its result) is freed afterwards.
   */
  function dirtyFrees(body: (ring: Ring) => RnsPoly): number[] {
    const heap = WasmHeap.create({ build, warmUp: false });
    const ring = new Ring({ logN: 10, heap });
    const watch = watchFrees(heap);
    const result = body(ring);
    watch.stop();
    result.dispose();
    expect(watch.freed()).toBeGreaterThan(0);
    return watch.dirty;
  }

  it("polyFromSmall zeroes its scratch also for polynomials that are not marked secret", () => {
    const dirty = dirtyFrees((ring) => {
      const basis = ring.basis(generateNttPrimes({ logN: 10, bits: 30, count: 2 }));
      const error = polyFromSmall(ring, basis, sampleGaussian(ring.n), { ntt: true });
      expect(error.secret).toBe(false);
      return error;
    });
    expect(dirty).toEqual([]);
  });

  it("setIntegerCoefficients zeroes its scratch", () => {
    const dirty = dirtyFrees((ring) => {
      const basis = ring.basis(generateNttPrimes({ logN: 10, bits: 30, count: 2 }));
      const poly = ring.allocate(basis);
      setIntegerCoefficients(poly, sampleFloodingGaussian(ring.n, 2 ** 10));
      return poly;
    });
    expect(dirty).toEqual([]);
  });
});
