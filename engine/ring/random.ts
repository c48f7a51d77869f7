import { FheError } from "./errors.js";
import { defaultHeap, type WasmHeap } from "./wasm/heap.js";
import { seededMessage, Shake128 } from "./xof.js";

/** A source of uniformly random bytes. */
export interface RandomSource {
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): void;
}

const maxGetRandomValuesBytes = 65536;

/** The platform CSPRNG (`crypto.getRandomValues`), the only source of fresh randomness. */
export const cryptoRandom: RandomSource = {
  fill(bytes: Uint8Array): void {
    const crypto = globalThis.crypto;
    if (crypto === undefined || typeof crypto.getRandomValues !== "function") {
      throw new FheError("WASM_UNAVAILABLE", "draw randomness", "crypto.getRandomValues is not available");
    }
    for (let offset = 0; offset < bytes.length; offset += maxGetRandomValuesBytes) {
      crypto.getRandomValues(bytes.subarray(offset, Math.min(bytes.length, offset + maxGetRandomValuesBytes)));
    }
  },
};

/** Seed length for seeded expansion, in bytes. */
export const seedBytes = 32;

/** A fresh random seed from the CSPRNG. */
export function freshSeed(): Uint8Array {
  const seed = new Uint8Array(seedBytes);
  cryptoRandom.fill(seed);
  return seed;
}

/** Throws unless `seed` is a Uint8Array of {@link seedBytes} bytes. */
export function checkSeed(seed: unknown, operation: string): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== seedBytes) {
    throw new FheError("INVALID_ARGUMENT", operation, `the seed must be a Uint8Array of ${seedBytes} bytes`);
  }
}

/**
 * Deterministic byte stream SHAKE128(u16le(|domain|) || domain || seed): the same seed and
 * domain give the same bytes on every platform.
 */
export class SeededStream implements RandomSource, Disposable {
  private readonly xof: Shake128;

  constructor(seed: Uint8Array, domain: string, heap: WasmHeap = defaultHeap()) {
    checkSeed(seed, "expand seed");
    this.xof = new Shake128(heap, seededMessage(seed, domain));
  }

  fill(bytes: Uint8Array): void {
    this.xof.fill(bytes);
  }

  dispose(): void {
    this.xof.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
