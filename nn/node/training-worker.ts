// Worker thread of encrypted training (Node, piscina, one worker per pool): holds one shard of
// the encrypted data with its own copy of the evaluation keys in its own WebAssembly heap, and
// computes that shard's partial gradients. Never receives the secret key.

import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { setMemoryWarning } from "../../engine/memory.js";
import type { Parameters } from "../../engine/parameters.js";
import { defaultHeap } from "../../engine/ring/wasm/heap.js";
import { FheError } from "../../engine/ring/errors.js";
import { loadCiphertext, loadGaloisKeys, loadParameters, loadSwitchingKey, serializeCiphertext } from "../../engine/serialization/serialize.js";
import { GradientShard } from "../training/gradient.js";
import { unbundle } from "../wire.js";
import type { TrainingWorkerResult, TrainingWorkerTask } from "./training-protocol.js";

setMemoryWarning({ threshold: 1_000_000 });

let state: { params: Parameters; shard: GradientShard } | undefined;

export default function run(task: TrainingWorkerTask): TrainingWorkerResult {
  const started = performance.now();
  if (task.kind === "load") {
    const params = loadParameters(task.params, { allowInsecureParametersForTesting: task.insecure });
    const evaluator = new Evaluator(params, { relinearizationKey: loadSwitchingKey(params, task.relinearizationKey), galoisKeys: loadGaloisKeys(params, task.galoisKeys) });
    const data = unbundle(task.data).map((bytes, i) => ({ index: task.indices[i]!, ciphertext: loadCiphertext(params, bytes) }));
    state = { params, shard: new GradientShard(evaluator, task.layout, data) };
    return { kind: "loaded", ms: performance.now() - started, heapBytes: defaultHeap().bytesReserved };
  }
  if (state === undefined) throw new FheError("INVALID_ARGUMENT", "compute gradient", "the worker holds no shard: send a load task first");
  using v = task.v === undefined ? undefined : loadCiphertext(state.params, task.v);
  using h = state.shard.gradient(v, task.step, task.sigmoid);
  return { kind: "gradient", h: h === undefined ? undefined : serializeCiphertext(h), ms: performance.now() - started, heapBytes: defaultHeap().bytesReserved };
}
