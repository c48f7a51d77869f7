// SHAKE128 (FIPS 202) and TurboSHAKE128 (RFC 9861: the same sponge with 12 rounds, twice as
// fast) with the Keccak permutation running in the kernels. Seeded expansion of uniform
// polynomials uses TurboSHAKE128: identical on every platform for the same seed.

import "./dispose-symbols.js";
import type { RnsBasis } from "./basis.js";
import { describe, FheError } from "./errors.js";
import { bitLength } from "./modular.js";
import { checkOperands } from "./operands.js";
import type { RnsPoly } from "./poly.js";
import { WasmHeap } from "./wasm/heap.js";

const rate = 168;
const stateBytes = 200;
const roundConstants = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

const constantTables = new WeakMap<WasmHeap, number>();

/** Address of the Keccak constant table in `heap` (written once per heap). */
function keccakConstants(heap: WasmHeap): number {
  let address = constantTables.get(heap);
  if (address === undefined) {
    address = heap.allocate(192, "initialise Keccak");
    new BigUint64Array(heap.memory.buffer, address, 24).set(roundConstants);
    constantTables.set(heap, address);
  }
  return address;
}

/**
 * A SHAKE128 instance over `message`, squeezed with {@link fill}. Its state lives in the heap:
 * call dispose() when done (a forgotten instance keeps its 200 bytes).
 */
export class Shake128 implements Disposable {
  private readonly state: number;
  private readonly constants: number;
  private offset = rate; // bytes of the current output block already used
  private disposed = false;

  /**
   * @param rounds Keccak rounds: 24 (SHAKE128) or 12 (TurboSHAKE128).
   * @param domain the domain-separation byte of the padding: 0x1F for SHAKE128; 0x01..0x7F
   *   for TurboSHAKE128.
   */
  constructor(private readonly heap: WasmHeap, message: Uint8Array, private readonly rounds = 24, domain = 0x1f) {
    if (!(heap instanceof WasmHeap)) throw new FheError("INVALID_ARGUMENT", "create SHAKE128", "heap must be a WasmHeap");
    if (!(message instanceof Uint8Array)) {
      throw new FheError("INVALID_ARGUMENT", "create SHAKE128", `the message must be a Uint8Array, got ${describe(message)}`);
    }
    this.constants = keccakConstants(heap);
    this.state = heap.allocate(stateBytes, "create SHAKE128");
    heap.zero(this.state, stateBytes);
    const padded = new Uint8Array(Math.floor(message.length / rate) * rate + rate);
    padded.set(message);
    padded[message.length]! ^= domain;
    padded[padded.length - 1]! ^= 0x80;
    for (let block = 0; block < padded.length; block += rate) {
      if (block > 0) heap.kernels.keccakPermute(this.state, this.constants, rounds);
      const bytes = new Uint8Array(heap.memory.buffer, this.state, rate);
      for (let i = 0; i < rate; i++) bytes[i]! ^= padded[block + i]!;
    }
  }

  /** Fills `out` with the next output bytes. */
  fill(out: Uint8Array): void {
    this.assertLive();
    let written = 0;
    while (written < out.length) {
      if (this.offset === rate) {
        this.heap.kernels.keccakPermute(this.state, this.constants, this.rounds);
        this.offset = 0;
      }
      const take = Math.min(rate - this.offset, out.length - written);
      out.set(new Uint8Array(this.heap.memory.buffer, this.state + this.offset, take), written);
      this.offset += take;
      written += take;
    }
  }

  /**
   * Fills the n words at `address` with uniform residues mod q by rejection (see
   * asm/keccak.ts expandUniform). Only valid before any {@link fill}.
   */
  expandUniform(address: number, n: number, q: number): void {
    this.assertLive();
    if (this.offset !== rate) throw new FheError("INVALID_ARGUMENT", "expand seed", "the stream was already read");
    this.heap.kernels.expandUniform(address, n, q, 2 ** bitLength(q) - 1, this.state, this.constants, this.rounds);
    this.offset = rate;
  }

  /**
   * {@link expandUniform} of this stream and `other` (same rounds and heap, both unread) at once:
   * n residues mod q at `address` from this one, mod otherQ at `otherAddress` from the other;
   * the same words as two calls, faster in the SIMD build (the two permutations run side by side).
   */
  expandUniformWith(other: Shake128, address: number, q: number, otherAddress: number, otherQ: number, n: number): void {
    const operation = "expand seed";
    if (!(other instanceof Shake128)) throw new FheError("INVALID_ARGUMENT", operation, `the other stream must be a Shake128, got ${describe(other)}`);
    this.assertLive();
    other.assertLive();
    if (!Number.isSafeInteger(n) || n < 0 || 4 * n > 2 ** 31) throw new FheError("INVALID_ARGUMENT", operation, `n must be an integer in [0, 2^29], got ${describe(n)}`);
    for (const m of [q, otherQ]) {
      if (!Number.isSafeInteger(m) || m < 2 || m >= 2 ** 32) throw new FheError("INVALID_ARGUMENT", operation, `moduli must be integers in [2, 2^32), got ${describe(m)}`);
    }
    const [low, high] = address <= otherAddress ? [address, otherAddress] : [otherAddress, address];
    if (![address, otherAddress].every((a) => Number.isSafeInteger(a) && a >= 0) || low + 4 * n > high) {
      throw new FheError("INVALID_ARGUMENT", operation, "the two outputs must be disjoint ranges of n words at addresses >= 0");
    }
    if (other.heap !== this.heap || other.rounds !== this.rounds || other === this) {
      throw new FheError("INVALID_ARGUMENT", operation, "the other stream must be a different one of the same heap and rounds");
    }
    if (this.offset !== rate || other.offset !== rate) throw new FheError("INVALID_ARGUMENT", operation, "the stream was already read");
    const pair = this.heap.allocate(2 * stateBytes, operation);
    try {
      this.heap.kernels.expandUniformPair(
        address, otherAddress, n, q, 2 ** bitLength(q) - 1, otherQ, 2 ** bitLength(otherQ) - 1, this.state, other.state, pair, this.constants, this.rounds);
    } finally {
      this.heap.zero(pair, 2 * stateBytes);
      this.heap.free(pair, 2 * stateBytes);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.heap.zero(this.state, stateBytes);
    this.heap.free(this.state, stateBytes);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new FheError("DISPOSED", "read SHAKE128", "the stream was disposed");
  }
}

/** TurboSHAKE128 (RFC 9861) over `message` with domain byte 0x1F: Keccak-p[1600, 12 rounds]. */
export class TurboShake128 extends Shake128 {
  constructor(heap: WasmHeap, message: Uint8Array) {
    super(heap, message, 12, 0x1f);
  }
}

/** Throws unless `domain` is a string of at most 1024 characters. */
export function checkDomain(domain: unknown, operation: string): asserts domain is string {
  if (typeof domain !== "string" || domain.length > 1024) {
    throw new FheError("INVALID_ARGUMENT", operation, `the domain label must be a string of at most 1024 characters, got ${describe(domain)}`);
  }
}

/** Throws unless `seed` is a Uint8Array of {@link seedBytes} bytes. */
export function checkSeed(seed: unknown, operation: string): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== seedBytes) {
    throw new FheError("INVALID_ARGUMENT", operation, `the seed must be a Uint8Array of ${seedBytes} bytes, got ${describe(seed)}`);
  }
}

/** Seed length for seeded expansion, in bytes. */
export const seedBytes = 32;

/** The absorbed message for a seeded stream: u16le(label length) || utf8(label) || seed. */
export function seededMessage(seed: Uint8Array, label: string): Uint8Array {
  const text = new TextEncoder().encode(label);
  const message = new Uint8Array(2 + text.length + seed.length);
  message[0] = text.length & 255;
  message[1] = text.length >>> 8;
  message.set(text, 2);
  message.set(seed, 2 + text.length);
  return message;
}

/**
 * Fills every limb i of `out` with uniform residues from TurboSHAKE128 over
 * seededMessage(seed, `${domain}/${i}`): deterministic for (seed, domain, basis).
 */
export function fillUniformSeeded(out: RnsPoly, seed: Uint8Array, domain: string): void {
  const operation = "expand seed";
  checkOperands(operation, [out], "any");
  checkSeed(seed, operation);
  checkDomain(domain, operation);
  const basis: RnsBasis = out.basis;
  const { heap } = out.ring;
  const stream = (i: number) => new TurboShake128(heap, seededMessage(seed, `${domain}/${i}`));
  // Limbs two at a time (one pair of permutations side by side), the last one alone when odd.
  for (let i = 0; i < basis.size; i += 2) {
    using first = stream(i);
    if (i + 1 === basis.size) {
      first.expandUniform(out.limbAddress(i), out.n, basis.moduli[i]!.q);
      continue;
    }
    using second = stream(i + 1);
    first.expandUniformWith(second, out.limbAddress(i), basis.moduli[i]!.q, out.limbAddress(i + 1), basis.moduli[i + 1]!.q, out.n);
  }
}
