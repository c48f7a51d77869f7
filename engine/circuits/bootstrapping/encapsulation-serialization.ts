// Serialization of sparse-secret encapsulation keys (the client uploads them with its other
// bootstrapping keys). Seeded by default: the uniform parts a_j of the key s -> s' are stored as
// their 32-byte seed, the key s' -> s as a seeded switching key, so the bytes are about half of
// the keys in memory. Layout after the header: u32 Hamming weight, u32 the extra prime p', the
// seed, u16 the number of digits (base primes), each b_j over Q_0 p' (and a_j in full form),
// then the switching key s' -> s.

import { checkClaimedParameters, type Parameters } from "../../parameters.js";
import { checkOptions, FheError } from "../../ring/errors.js";
import type { RnsPoly } from "../../ring/poly.js";
import { seedBytes } from "../../ring/xof.js";
import { ByteWriter, Kind, seededFlag, writeHeader } from "../../serialization/format.js";
import { collecting, expandSeeded, readBody, readSwitchingKey, seedMismatch, writeSwitchingKey, type SerializeOptions } from "../../serialization/serialize.js";
import { checkSecretSpace } from "../../security.js";
import { EncapsulationKeys, encapsulationSeedDomain, smallBasis } from "./encapsulation.js";

/** Serializes encapsulation keys (seeded unless `seeded: false`). Throws DISPOSED for disposed keys. */
export function serializeEncapsulationKeys(keys: EncapsulationKeys, options: SerializeOptions = {}): Uint8Array {
  const operation = "serialize encapsulation keys";
  checkOptions(options, operation);
  if (!(keys instanceof EncapsulationKeys)) throw new FheError("INVALID_ARGUMENT", operation, "expected EncapsulationKeys");
  checkClaimedParameters(keys.params, operation, "EncapsulationKeys");
  const { params } = keys;
  const parts = keys.parts(operation);
  const seeded = options.seeded !== false;
  const writer = new ByteWriter();
  writeHeader(writer, Kind.encapsulationKeys, seeded ? seededFlag : 0, params.fingerprint);
  writer.u32(parts.hammingWeight);
  const basis = smallBasis(params);
  writer.u32(basis.primes[basis.size - 1]!);
  writer.bytes(parts.seed);
  writer.u16(parts.toEphemeral.length);
  for (const { b, a } of parts.toEphemeral) {
    writer.poly(b);
    if (!seeded) writer.poly(a);
  }
  writeSwitchingKey(writer, parts.toMain, seeded);
  return writer.finish();
}

/**
 * Loads encapsulation keys saved by {@link serializeEncapsulationKeys} for `params`:
 * MISMATCHED_OPERANDS for other parameters, CORRUPT_DATA for modified or truncated bytes (the
 * checksum, the extra prime, the digit count, a full-form a_j that is not its seed's expansion),
 * INVALID_PARAMETERS for a Hamming weight below the 2^256-secrets minimum.
 */
export function loadEncapsulationKeys(params: Parameters, data: Uint8Array): EncapsulationKeys {
  const operation = "load encapsulation keys";
  const { reader, seeded } = readBody(params, data, Kind.encapsulationKeys, operation);
  const hammingWeight = reader.u32();
  if (hammingWeight < 1 || hammingWeight > params.n) reader.fail(`the Hamming weight ${hammingWeight} is not in [1, ${params.n}]`);
  checkSecretSpace(params.n, hammingWeight, operation);
  const basis = smallBasis(params);
  const extra = reader.u32();
  if (extra !== basis.primes[basis.size - 1]) reader.fail(`the extra prime ${extra} is not these parameters' (${basis.primes[basis.size - 1]})`);
  const seed = reader.bytes(seedBytes);
  const count = reader.u16();
  if (count !== params.basePrimeCount) reader.fail(`the key s -> s' has one digit per base prime (${params.basePrimeCount}), not ${count}`);
  const toEphemeral = collecting((keep) => {
    const pairs: { b: RnsPoly; a: RnsPoly }[] = [];
    for (let j = 0; j < count; j++) {
      const b = keep(reader.poly(params.ring, basis));
      const a = keep(expandSeeded(params, basis, seed, encapsulationSeedDomain(j)));
      if (!seeded) reader.matchPoly(a, seedMismatch(`the uniform part a of digit ${j}`));
      pairs.push({ b, a });
    }
    return pairs;
  });
  try {
    const toMain = readSwitchingKey(reader, params, seeded);
    try {
      if (toMain.galoisElement !== 0) reader.fail("the key s' -> s is not a plain switching key (it carries a Galois element)");
      reader.end();
    } catch (error) {
      toMain.dispose();
      throw error;
    }
    return EncapsulationKeys.fromParts(params, { hammingWeight, seed, toEphemeral, toMain });
  } catch (error) {
    for (const { a, b } of toEphemeral) {
      a.dispose();
      b.dispose();
    }
    throw error;
  }
}
