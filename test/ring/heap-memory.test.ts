import { describe, expect, it } from "vitest";
import { FheError, WasmHeap, type KernelBuild } from "../../engine/index.js";
import {
  Ring, RnsPoly, add, clone, divideRoundByLastPrimes, fillUniform, generateNttPrimes, polyFromSmall, readLimb,
  sampleTernary, toNtt, writeLimb, type RnsBasis,
} from "../../engine/ring/index.js";
import { kernelBuilds } from "../helpers/builds.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** Lets pending FinalizationRegistry callbacks run (they are queued as tasks after a GC). */
async function macrotasks(count = 3): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/** Collects garbage until `done` holds or `rounds` attempts were made. */
async function collectUntil(done: () => boolean, rounds = 30): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc!();
    await macrotasks();
  }
}

/** A private heap so that garbage left by other suites cannot disturb the accounting. */
function freshRing(build: KernelBuild, logN: number, primeCount: number): { ring: Ring; basis: RnsBasis; heap: WasmHeap } {
  const heap = WasmHeap.create({ build, warmUp: false });
  const ring = new Ring({ logN, heap });
  const basis = ring.basis(generateNttPrimes({ logN, bits: 30, count: primeCount }));
  return { ring, basis, heap };
}

/** Allocates `count` polynomials and drops them without dispose (in a separate frame). */
function allocateAndForget(ring: Ring, basis: RnsBasis, count: number, secret = false): void {
  for (let i = 0; i < count; i++) {
    const poly = ring.allocate(basis, { secret });
    fillUniform(poly);
  }
}

describe.each(kernelBuilds)("heap and polynomial memory (%s kernels)", (build) => {
  it("has garbage collection exposed (vitest runs with --expose-gc)", () => {
    expect(typeof gc).toBe("function");
  });

  it("stays flat over 100,000 allocate/dispose cycles", () => {
    const { ring, basis, heap } = freshRing(build, 10, 2);
    for (let i = 0; i < 10; i++) ring.allocate(basis).dispose();
    const reserved = heap.bytesReserved;
    const inUse = heap.bytesInUse;
    const blocks = heap.blocksInUse;
    for (let i = 0; i < 100_000; i++) {
      const poly = ring.allocate(basis, { ntt: (i & 1) === 1 });
      poly.dispose();
    }
    expect(heap.bytesReserved).toBe(reserved);
    expect(heap.bytesInUse).toBe(inUse);
    expect(heap.blocksInUse).toBe(blocks);
  });

  it("stays flat over interleaved allocations of several sizes and out-of-order disposal", () => {
    const { ring, basis, heap } = freshRing(build, 8, 3);
    const small = ring.basis(basis.primes.slice(0, 1));
    const run = (): void => {
      const a = ring.allocate(basis);
      const b = ring.allocate(small);
      const c = ring.allocate(basis, { secret: true });
      b.dispose();
      a.dispose();
      c.dispose();
    };
    for (let i = 0; i < 10; i++) run();
    const reserved = heap.bytesReserved;
    const inUse = heap.bytesInUse;
    for (let i = 0; i < 20_000; i++) run();
    expect(heap.bytesReserved).toBe(reserved);
    expect(heap.bytesInUse).toBe(inUse);
  });

  it("accounts for every live polynomial in bytesInUse", () => {
    const { ring, basis, heap } = freshRing(build, 6, 2);
    const before = heap.bytesInUse;
    const blocksBefore = heap.blocksInUse;
    const polys = Array.from({ length: 5 }, () => ring.allocate(basis));
    expect(heap.bytesInUse).toBe(before + 5 * WasmHeap.blockSize(4 * 64 * 2));
    expect(heap.blocksInUse).toBe(blocksBefore + 5);
    for (const poly of polys) poly.dispose();
    expect(heap.bytesInUse).toBe(before);
    expect(heap.blocksInUse).toBe(blocksBefore);
  });

  it("reclaims polynomials dropped without dispose after garbage collection", async () => {
    const { ring, basis, heap } = freshRing(build, 10, 2); // 8 KiB per polynomial
    const polyBytes = WasmHeap.blockSize(4 * ring.n * basis.size);
    await collectUntil(() => false, 2);
    const baseline = heap.bytesInUse;
    const baselineBlocks = heap.blocksInUse;
    const batches = 40;
    const perBatch = 250; // 2 MiB per batch, 80 MiB in all
    for (let batch = 0; batch < batches; batch++) {
      allocateAndForget(ring, basis, perBatch);
      gc!();
      await macrotasks(1);
    }
    await collectUntil(() => heap.bytesInUse === baseline);
    expect(heap.bytesInUse).toBe(baseline);
    expect(heap.blocksInUse).toBe(baselineBlocks);
    const totalAllocated = batches * perBatch * polyBytes;
    expect(totalAllocated).toBeGreaterThan(5 * heap.bytesReserved);
    expect(heap.bytesReserved).toBeLessThan(32 * 2 ** 20);
  });

  it("zeroes secret polynomials reclaimed by the garbage collector", async () => {
    const { ring, basis, heap } = freshRing(build, 8, 2);
    const bytes = 4 * ring.n * basis.size;
    let address = 0;
    const baseline = heap.bytesInUse;
    (() => {
      const poly = ring.allocate(basis, { secret: true });
      fillUniform(poly);
      address = poly.limbAddress(0);
    })();
    const words = () => heap.u32().subarray(address >>> 2, (address + bytes) >>> 2);
    expect(words().some((w) => w !== 0)).toBe(true);
    await collectUntil(() => heap.bytesInUse === baseline);
    expect(heap.bytesInUse).toBe(baseline);
    expect(words().every((w) => w === 0)).toBe(true);
  });

  it("frees at the end of a `using` block", () => {
    const { ring, basis, heap } = freshRing(build, 6, 2);
    const before = heap.bytesInUse;
    let escaped: RnsPoly | undefined;
    {
      using poly = ring.allocate(basis);
      escaped = poly;
      expect(heap.bytesInUse).toBeGreaterThan(before);
      expect(poly.disposed).toBe(false);
    }
    expect(escaped.disposed).toBe(true);
    expect(heap.bytesInUse).toBe(before);
  });

  it("frees on Symbol.dispose even when the block throws", () => {
    const { ring, basis, heap } = freshRing(build, 6, 1);
    const before = heap.bytesInUse;
    expect(() => {
      using poly = ring.allocate(basis);
      expect(poly.disposed).toBe(false);
      throw new Error("boom");
    }).toThrow("boom");
    expect(heap.bytesInUse).toBe(before);
  });

  it("makes dispose idempotent", () => {
    const { ring, basis, heap } = freshRing(build, 6, 2);
    const before = heap.bytesInUse;
    const blocksBefore = heap.blocksInUse;
    const poly = ring.allocate(basis);
    const other = ring.allocate(basis);
    poly.dispose();
    poly.dispose();
    poly[Symbol.dispose]();
    expect(poly.disposed).toBe(true);
    expect(heap.blocksInUse).toBe(blocksBefore + 1);
    other.dispose();
    expect(heap.bytesInUse).toBe(before);
    expect(heap.blocksInUse).toBe(blocksBefore);
    // A double free would hand the same block out twice.
    const x = ring.allocate(basis);
    const y = ring.allocate(basis);
    expect(x.limbAddress(0)).not.toBe(y.limbAddress(0));
    x.dispose();
    y.dispose();
  });

  it("rejects every use of a disposed polynomial with DISPOSED", () => {
    const { ring, basis } = freshRing(build, 6, 2);
    const poly = ring.allocate(basis);
    const live = ring.zero(basis);
    poly.dispose();
    for (const use of [
      () => poly.limbAddress(0),
      () => add(live, poly, live),
      () => add(poly, live, live),
      () => toNtt(poly),
      () => readLimb(poly, 0),
      () => fillUniform(poly),
      () => clone(poly),
    ]) {
      let thrown: unknown;
      try {
        use();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("DISPOSED");
      expect((thrown as FheError).message).toMatch(/^cannot /);
    }
    live.dispose();
  });

  it("zeroes secret polynomials on dispose", () => {
    const { ring, basis, heap } = freshRing(build, 8, 3);
    const bytes = 4 * ring.n * basis.size;
    const poly = ring.allocate(basis, { secret: true });
    expect(poly.secret).toBe(true);
    fillUniform(poly);
    const address = poly.limbAddress(0);
    const words = () => heap.u32().subarray(address >>> 2, (address + bytes) >>> 2);
    expect(words().some((w) => w !== 0)).toBe(true);
    poly.dispose();
    expect(words().every((w) => w === 0)).toBe(true);
  });

  it("zeroes secrets built by polyFromSmall and clone, including limbs dropped by shrinking", () => {
    const { ring, basis, heap } = freshRing(build, 6, 3);
    const bytes = 4 * ring.n * basis.size;
    let values = sampleTernary(ring.n);
    while (values.every((v) => v === 0)) values = sampleTernary(ring.n);
    const secret = polyFromSmall(ring, basis, values, { ntt: true, secret: true });
    const copy = clone(secret);
    expect(copy.secret).toBe(true);
    const addresses = [secret.limbAddress(0), copy.limbAddress(0)];
    divideRoundByLastPrimes(copy, 1); // the block keeps the dropped limb
    secret.dispose();
    copy.dispose();
    for (const address of addresses) {
      expect(heap.u32().subarray(address >>> 2, (address + bytes) >>> 2).every((w) => w === 0)).toBe(true);
    }
  });

  // Temporaries that hold copies of secret data go back to the free lists un-zeroed, where the
  // next allocation of the same size (contents "unspecified") can read them.
  it("leaves no copy of a secret polynomial in freed scratch blocks (divideRoundByLastPrimes)", () => {
    const { ring, basis, heap } = freshRing(build, 6, 2);
    const n = ring.n;
    const values = new Int32Array(n).map((_, i) => (i % 3) - 1);
    const secret = polyFromSmall(ring, basis, values, { secret: true });
    const lastLimb = readLimb(secret, 1);
    divideRoundByLastPrimes(secret, 1);
    // The operation used two one-limb scratch blocks; take them back from the free list.
    const scratch = [heap.allocate(4 * n), heap.allocate(4 * n)];
    for (const address of scratch) {
      const contents = heap.u32().slice(address >>> 2, (address >>> 2) + n);
      expect(contents, "a freed scratch block still holds the secret's last limb").not.toEqual(lastLimb);
    }
    for (const address of scratch) heap.free(address, 4 * n);
    secret.dispose();
  });

  it("prefix views share the parent's memory and free nothing", () => {
    const { ring, basis, heap } = freshRing(build, 6, 3);
    const parent = ring.allocate(basis);
    fillUniform(parent);
    const prefix = ring.basis(basis.primes.slice(0, 2));
    const before = heap.bytesInUse;
    const view = RnsPoly.prefixView(parent, prefix);
    expect(heap.bytesInUse).toBe(before);
    expect(view.basis).toBe(prefix);
    expect(view.limbAddress(0)).toBe(parent.limbAddress(0));
    expect(view.isNtt).toBe(parent.isNtt);
    const values = Uint32Array.from({ length: ring.n }, (_, i) => i);
    writeLimb(view, 1, values);
    expect(readLimb(parent, 1)).toEqual(values);
    view.dispose();
    expect(view.disposed).toBe(true);
    expect(parent.disposed).toBe(false);
    expect(heap.bytesInUse).toBe(before);
    expect(readLimb(parent, 1)).toEqual(values);
    for (const bad of [ring.basis([basis.primes[1]!]), ring.basis([basis.primes[0]!, basis.primes[2]!])]) {
      let thrown: unknown;
      try {
        RnsPoly.prefixView(parent, bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("MISMATCHED_OPERANDS");
    }
    parent.dispose();
    expect(heap.bytesInUse).toBe(before - WasmHeap.blockSize(4 * ring.n * 3));
    let thrown: unknown;
    try {
      RnsPoly.prefixView(parent, prefix);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as FheError).code).toBe("DISPOSED");
  });

  it("serves fresh views after the memory grows", () => {
    const { ring, basis, heap } = freshRing(build, 12, 3); // 48 KiB per polynomial
    const first = ring.allocate(basis);
    fillUniform(first);
    const expected = readLimb(first, 2);
    const oldView = heap.u32();
    const reserved = heap.bytesReserved;
    const polys: RnsPoly[] = [];
    while (heap.bytesReserved === reserved) polys.push(ring.allocate(basis));
    expect(heap.bytesReserved).toBeGreaterThan(reserved);
    expect(oldView.byteLength).toBe(0); // memory.grow detached it
    const view = heap.u32();
    expect(view.byteLength).toBe(heap.bytesReserved);
    expect(heap.i32().byteLength).toBe(heap.bytesReserved);
    expect(readLimb(first, 2)).toEqual(expected);
    const last = polys[polys.length - 1]!;
    const values = Uint32Array.from({ length: ring.n }, (_, i) => i % basis.primes[1]!);
    writeLimb(last, 1, values);
    expect(readLimb(last, 1)).toEqual(values);
    expect(heap.u32()[(last.limbAddress(1) >>> 2) + 5]).toBe(5);
    for (const poly of [first, ...polys]) poly.dispose();
  });

  it("rejects bad block sizes", () => {
    const heap = WasmHeap.create({ build, warmUp: false });
    for (const bytes of [0, -64, 1.5, Number.NaN, Infinity, "64", null]) {
      let thrown: unknown;
      try {
        heap.allocate(bytes as number);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FheError);
      expect((thrown as FheError).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("hands out 64-byte aligned, non-overlapping blocks", () => {
    const heap = WasmHeap.create({ build, warmUp: false });
    const sizes = [1, 4, 63, 64, 65, 1000, 4096, 12345];
    const blocks = sizes.map((bytes) => ({ address: heap.allocate(bytes), bytes }));
    for (const block of blocks) expect(block.address % 64).toBe(0);
    const sorted = [...blocks].sort((a, b) => a.address - b.address);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]!.address).toBeGreaterThanOrEqual(sorted[i - 1]!.address + sorted[i - 1]!.bytes);
    }
    expect(blocks.every((b) => b.address > 0)).toBe(true);
    for (const block of blocks) heap.free(block.address, block.bytes);
    expect(heap.bytesInUse).toBe(0);
  });
});
