import { shake128 } from "@noble/hashes/sha3.js";
import { FheError } from "./errors.js";

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

/**
 * Deterministic byte stream SHAKE128(domain || seed): the same seed and domain give the same
 * bytes on every platform. Used to expand uniform polynomials from a short seed.
 */
export class SeededStream implements RandomSource {
  private readonly xof;

  constructor(seed: Uint8Array, domain: string) {
    if (!(seed instanceof Uint8Array) || seed.length !== seedBytes) {
      throw new FheError("INVALID_ARGUMENT", "expand seed", `the seed must be a Uint8Array of ${seedBytes} bytes`);
    }
    const label = new TextEncoder().encode(domain);
    const header = new Uint8Array([label.length & 255, label.length >>> 8]);
    this.xof = shake128.create({}).update(header).update(label).update(seed);
  }

  fill(bytes: Uint8Array): void {
    this.xof.xofInto(bytes);
  }
}
