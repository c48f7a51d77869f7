// The fast path of seeded serialization: a ciphertext stores c_1 as its seed only while c_1 is
// still the seed's expansion. The library records c_1's CRC-32 right after it expands c_1
// (encryption, loading); serialization then checks that digest (one pass over c_1 in the
// kernel) instead of expanding the seed again, and falls back to the expansion when the digest
// is missing (a ciphertext built by hand) or differs (c_1 changed through the ring layer).
// The digest is a CRC-32, not a cryptographic hash: an accidental change of c_1 keeps it with
// probability 2^-32, and a change crafted to keep it (CRC-32 is linear) is not detected; only
// the owner of the object, through the internal ring layer, can make either.

import type { CiphertextState } from "./ciphertext.js";
import type { RnsPoly } from "./ring/poly.js";
import { crc32InHeap } from "./serialization/crc32.js";

function digestOf(poly: RnsPoly): { crc: number; bytes: number } {
  const bytes = 4 * poly.n * poly.basis.size;
  return { crc: crc32InHeap(poly.ring.heap, poly.limbAddress(0), bytes), bytes };
}

/** Records the digest of c_1. Precondition: c_1 was just expanded from `state.seed` by the library. */
export function recordSeedDigest(state: CiphertextState): void {
  state.seedDigest = state.seed === undefined || state.degree !== 1 ? undefined : digestOf(state.polys[1]!);
}

/** True when a digest was recorded and c_1 still has it (same bytes, same CRC-32). */
export function seedDigestHolds(state: CiphertextState): boolean {
  const recorded = state.seedDigest;
  if (recorded === undefined || state.seed === undefined || state.degree !== 1) return false;
  const now = digestOf(state.polys[1]!);
  return now.bytes === recorded.bytes && now.crc === recorded.crc;
}
