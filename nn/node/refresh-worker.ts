// Worker thread that refreshes encrypted-training iterates by bootstrapping (Node, piscina, one
// worker per pool): it holds the bootstrapping keys (Galois keys outside its heap, the
// encapsulation keys, the relinearization key) and no data, and bootstraps the packed iterates
// the coordinator sends (nn/training/refresh.ts). Never receives the secret key.

import { Bootstrapper } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import { loadEncapsulationKeys } from "../../engine/circuits/bootstrapping/encapsulation-serialization.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { setMemoryWarning } from "../../engine/memory.js";
import { OffHeapGaloisKeys } from "../../engine/off-heap-keys.js";
import { FheError } from "../../engine/ring/errors.js";
import { defaultHeap } from "../../engine/ring/wasm/heap.js";
import { loadCiphertext, loadParameters, loadSwitchingKey, serializeCiphertext } from "../../engine/serialization/serialize.js";
import { checkScaleDown, splitBootstrapped } from "../training/refresh.js";
import { unbundle } from "../wire.js";
import type { RefreshWorkerResult, RefreshWorkerTask } from "./refresh-protocol.js";

setMemoryWarning({ threshold: 1_000_000 });

let state: { bootstrapper: Bootstrapper; scaleDown: number } | undefined;

export default function run(task: RefreshWorkerTask): RefreshWorkerResult {
  const started = performance.now();
  const done = () => ({ ms: performance.now() - started, heapBytes: defaultHeap().bytesReserved });
  if (task.kind === "loadBootstrap") {
    const params = loadParameters(task.params, { allowInsecureParametersForTesting: task.insecure });
    const evaluator = new Evaluator(params, { relinearizationKey: loadSwitchingKey(params, task.relinearizationKey) });
    const keys = OffHeapGaloisKeys.fromSerialized(params, unbundle(task.galoisKeys));
    const encapsulation = task.encapsulation === undefined ? undefined : loadEncapsulationKeys(params, task.encapsulation);
    state?.bootstrapper.dispose();
    state = {
      bootstrapper: new Bootstrapper(evaluator, task.shape, encapsulation === undefined ? { keys } : { keys, encapsulation }),
      scaleDown: checkScaleDown(task.scaleDown, "load bootstrapping keys"),
    };
    return { kind: "loaded", outputLevel: state.bootstrapper.plan.outputLevel, ...done() };
  }
  if (state === undefined) throw new FheError("INVALID_ARGUMENT", "refresh weights", "the worker holds no bootstrapping keys: send a loadBootstrap task first");
  using packed = loadCiphertext(state.bootstrapper.params, task.packed);
  const parts = splitBootstrapped(state.bootstrapper, packed, state.scaleDown);
  try {
    return { kind: "refreshed", parts: [serializeCiphertext(parts[0]), serializeCiphertext(parts[1])], ...done() };
  } finally {
    parts.forEach((ct) => ct.dispose());
  }
}
