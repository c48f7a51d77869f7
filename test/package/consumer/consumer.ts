// Compiled (not run) by package.slow.test.ts against the installed package's declarations with
// lib es2022 only: no DOM, no @types/node, skipLibCheck off.
import { Decryptor, Encoder, Encryptor, Evaluator, FheError, KeyGenerator, Parameters, presets } from "wasm-ckks";
import { Ring, add, type RnsPoly } from "wasm-ckks/ring";
import { RemoteContext, type EvaluationKeyBytes } from "wasm-ckks/worker";
import { Sequential } from "wasm-ckks/nn";

export function roundTrip(values: readonly number[]): Float64Array {
  const params = Parameters.create(presets.inference13);
  using keygen = new KeyGenerator(params).secretKey;
  const encoder = new Encoder(params);
  const keys = new KeyGenerator(params, keygen);
  const ct = new Encryptor(params, keys.createPublicKey()).encrypt(encoder.encode(values));
  using sum = new Evaluator(params).add(ct, ct);
  return encoder.decode(new Decryptor(params, keygen).decrypt(sum));
}

export async function remote(context: RemoteContext): Promise<EvaluationKeyBytes> {
  return context.generateKeys();
}

export function ringAdd(ring: Ring, a: RnsPoly, b: RnsPoly): void {
  add(a, a, b);
  void ring;
}

export { FheError, Sequential };
