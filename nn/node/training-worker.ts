// Worker thread of encrypted training (Node, piscina, one worker per pool): holds one shard of
// the encrypted data with its own copy of the evaluation keys in its own WebAssembly heap, and
// computes that shard's partial gradients (logistic regression or softmax). Never receives the
// secret key.

import type { Ciphertext } from "../../engine/ciphertext.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { setMemoryWarning } from "../../engine/memory.js";
import type { Parameters } from "../../engine/parameters.js";
import { defaultHeap } from "../../engine/ring/wasm/heap.js";
import { FheError } from "../../engine/ring/errors.js";
import { loadCiphertext, loadGaloisKeys, loadParameters, loadSwitchingKey, serializeCiphertext } from "../../engine/serialization/serialize.js";
import { GradientShard } from "../training/gradient.js";
import { SoftmaxShard } from "../training/softmax-gradient.js";
import { planSoftmaxTraining } from "../training/softmax-plan.js";
import { unbundle } from "../wire.js";
import type { ShardLoad, SoftmaxShardLoad, TrainingWorkerResult, TrainingWorkerTask } from "./training-protocol.js";

setMemoryWarning({ threshold: 1_000_000 });

let state: { params: Parameters; shard: GradientShard | SoftmaxShard } | undefined;

function keysOf(task: ShardLoad | SoftmaxShardLoad): { params: Parameters; evaluator: Evaluator } {
  const params = loadParameters(task.params, { allowInsecureParametersForTesting: task.insecure });
  return { params, evaluator: new Evaluator(params, { relinearizationKey: loadSwitchingKey(params, task.relinearizationKey), galoisKeys: loadGaloisKeys(params, task.galoisKeys) }) };
}

/** Loads `bytes` (if any), runs `gradient` on them and returns its ciphertexts serialized, disposing all of them. */
function withCiphertexts(params: Parameters, bytes: readonly Uint8Array[] | undefined, gradient: (v: Ciphertext[] | undefined) => Ciphertext[] | undefined): Uint8Array[] | undefined {
  const v = bytes?.map((b) => loadCiphertext(params, b));
  try {
    const h = gradient(v);
    try {
      return h?.map((ct) => serializeCiphertext(ct));
    } finally {
      h?.forEach((ct) => ct.dispose());
    }
  } finally {
    v?.forEach((ct) => ct.dispose());
  }
}

export default function run(task: TrainingWorkerTask): TrainingWorkerResult {
  const started = performance.now();
  const done = () => ({ ms: performance.now() - started, heapBytes: defaultHeap().bytesReserved });
  if (task.kind === "load") {
    const { params, evaluator } = keysOf(task);
    const parts = unbundle(task.data);
    const { groups } = task.layout;
    if (parts.length !== task.indices.length * groups) throw new FheError("INVALID_ARGUMENT", "load training data", `expected ${task.indices.length} sample sets of ${groups} ciphertexts, got ${parts.length} ciphertexts`);
    const data = task.indices.map((index, i) => ({ index, ciphertexts: parts.slice(i * groups, (i + 1) * groups).map((bytes) => loadCiphertext(params, bytes)) }));
    state = { params, shard: new GradientShard(evaluator, task.layout, data) };
    return { kind: "loaded", ...done() };
  }
  if (task.kind === "loadSoftmax") {
    const { params, evaluator } = keysOf(task);
    const parts = unbundle(task.data);
    const data = task.indices.map((index, i) => ({ index, features: loadCiphertext(params, parts[2 * i]!), labels: loadCiphertext(params, parts[2 * i + 1]!) }));
    state = { params, shard: new SoftmaxShard(evaluator, planSoftmaxTraining(params, task.shape, task.options), task.options, data) };
    return { kind: "loaded", ...done() };
  }
  if (state === undefined) throw new FheError("INVALID_ARGUMENT", "compute gradient", "the worker holds no shard: send a load task first");
  const { params, shard } = state;
  if (task.kind === "gradient" && shard instanceof GradientShard) {
    const h = withCiphertexts(params, task.v, (v) => shard.gradient(v, task.step, task.sigmoid));
    return { kind: "gradient", h, ...done() };
  }
  if (task.kind === "softmaxGradient" && shard instanceof SoftmaxShard) {
    return { kind: "softmaxGradient", h: withCiphertexts(params, task.v, (v) => shard.gradient(v, task.step))!, ...done() };
  }
  throw new FheError("INVALID_ARGUMENT", "compute gradient", `a ${task.kind} task does not match the shard this worker holds`);
}
