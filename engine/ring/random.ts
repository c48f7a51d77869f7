import "./dispose-symbols.js";
import { FheError } from "./errors.js";
import { defaultHeap, type WasmHeap } from "./wasm/heap.js";
import { checkDomain, checkSeed, seededMessage, seedBytes, TurboShake128 } from "./xof.js";

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


/** A fresh random seed from the CSPRNG. */
export function freshSeed(): Uint8Array {
  const seed = new Uint8Array(seedBytes);
  cryptoRandom.fill(seed);
  return seed;
}

/**
 * Deterministic byte stream TurboSHAKE128(u16le(|domain|) || domain || seed) (RFC 9861,
 * domain byte 0x1F): the same seed and domain give the same bytes on every platform.
 */
export class SeededStream implements RandomSource, Disposable {
  private readonly xof: TurboShake128;

  constructor(seed: Uint8Array, domain: string, heap: WasmHeap = defaultHeap()) {
    checkSeed(seed, "expand seed");
    checkDomain(domain, "expand seed");
    this.xof = new TurboShake128(heap, seededMessage(seed, domain));
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
