// What the encrypted-training command lines share: the client's keys serialized as uploaded,
// and the server's timed iteration loop with a progress bar.

import { SingleBar, Presets } from "cli-progress";
import { KeyGenerator } from "../../engine/key-generator.js";
import type { Parameters } from "../../engine/parameters.js";
import { serializeGaloisKeys, serializeSwitchingKey } from "../../engine/serialization/serialize.js";
import type { IterationProgress } from "../training/nesterov.js";
import { bundle, type ByteBundle } from "../wire.js";
import type { ShardLoad, SoftmaxShardLoad } from "./training-protocol.js";

/** The client's key generator and its evaluation keys, serialized (seeded) as they would be uploaded. */
export interface ClientKeys {
  readonly keygen: KeyGenerator;
  readonly relinearizationKey: Uint8Array;
  readonly galoisKeys: Uint8Array;
  readonly bytes: number;
  readonly seconds: number;
}

export function createClientKeys(params: Parameters, galoisSteps: readonly number[], options: { readonly conjugate: boolean }): ClientKeys {
  const started = performance.now();
  const keygen = new KeyGenerator(params);
  const relinearizationKey = serializeSwitchingKey(keygen.createRelinearizationKey());
  const galois = keygen.createGaloisKeys({ steps: [...galoisSteps], conjugate: options.conjugate });
  const galoisKeys = serializeGaloisKeys(galois);
  galois.dispose();
  return { keygen, relinearizationKey, galoisKeys, bytes: relinearizationKey.length + galoisKeys.length, seconds: (performance.now() - started) / 1000 };
}

export interface TimedTraining<T> {
  readonly result: T;
  readonly trainSeconds: number;
  readonly perIterationSeconds: readonly number[];
  /** CPU time of the whole process (all threads) during training. */
  readonly trainCpuSeconds: number;
}

/** Runs `train` with a progress bar (a line per iteration when stderr is not a terminal) and times it. */
export async function timedTraining<T>(
  iterations: number, inputLevel: number, train: (onIteration: (progress: IterationProgress) => void) => Promise<T>,
): Promise<TimedTraining<T>> {
  const bar = new SingleBar({ format: "training |{bar}| {value}/{total} iterations | {duration_formatted} elapsed | ETA {eta_formatted} | level {level}", etaBuffer: 3 }, Presets.shades_classic);
  const perIterationSeconds: number[] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let last = started;
  bar.start(iterations, 0, { level: inputLevel });
  const tty = process.stderr.isTTY === true;
  const result = await train((p) => {
    const now = performance.now();
    perIterationSeconds.push((now - last) / 1000);
    last = now;
    bar.update(p.t + 1, { level: p.level });
    if (!tty) console.log(`iteration ${p.t + 1}/${iterations}: ${perIterationSeconds.at(-1)!.toFixed(1)} s, level ${p.level}`);
  });
  bar.stop();
  const cpu = process.cpuUsage(cpuBefore);
  return { result, trainSeconds: (performance.now() - started) / 1000, perIterationSeconds, trainCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** What {@link encryptAndLoad} measured. */
export interface LoadedShards {
  readonly dataBytes: number;
  readonly encryptSeconds: number;
  /** Wall time from the end of encryption until every worker has loaded its keys and data. */
  readonly loadSeconds: number;
}

/**
 * Splits data units 0..count-1 (sample sets or data ciphertexts) into `threads` consecutive shares; for each, encrypts
 * (`encrypt(index)`: the serialized ciphertexts of one index), creates a worker shard (pushed
 * to `shards`, which the caller closes, also on failure) and sends it `loadTask`. Workers load
 * and check their keys and data while the client encrypts the next share.
 */
export async function encryptAndLoad<S extends { load(task: ShardLoad | SoftmaxShardLoad): Promise<void> }>(
  count: number, threads: number, shards: S[], encrypt: (index: number) => Uint8Array[], makeShard: () => S,
  loadTask: (indices: number[], data: ByteBundle) => ShardLoad | SoftmaxShardLoad,
): Promise<LoadedShards> {
  const perShard = Math.ceil(count / threads);
  let dataBytes = 0;
  let encryptSeconds = 0;
  const loads: Promise<void>[] = [];
  for (let first = 0; first < count; first += perShard) {
    const indices = Array.from({ length: Math.min(perShard, count - first) }, (_, i) => first + i);
    const started = performance.now();
    const data = bundle(indices.flatMap(encrypt));
    encryptSeconds += (performance.now() - started) / 1000;
    dataBytes += data.bytes.length;
    const shard = makeShard();
    shards.push(shard);
    loads.push(shard.load(loadTask(indices, data)));
  }
  const started = performance.now();
  await Promise.all(loads);
  return { dataBytes, encryptSeconds, loadSeconds: (performance.now() - started) / 1000 };
}
