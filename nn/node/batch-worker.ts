// Worker-thread side of batch inference (Node, piscina): each worker has its own WebAssembly
// heap. Client tasks (encrypt, decrypt) receive the client's secret key as bytes; server tasks
// (infer) receive only the parameters, the relinearization key and the model, never a secret.
// Sessions are cached per worker by id, so keys are loaded once per worker.

import { move, transferableSymbol, valueSymbol } from "piscina";
import { Decryptor } from "../../engine/decryptor.js";
import { Encoder } from "../../engine/encoding/encoder.js";
import { Encryptor } from "../../engine/encryptor.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { setMemoryWarning } from "../../engine/memory.js";
import type { Parameters } from "../../engine/parameters.js";
import type { Ciphertext } from "../../engine/ciphertext.js";
import { loadCiphertext, loadGaloisKeys, loadParameters, loadSecretKey, loadSwitchingKey, serializeCiphertext } from "../../engine/serialization/serialize.js";
import { decryptBatch, encryptBatchElements } from "../client.js";
import { batchLayout } from "../layout.js";
import type { CompiledModel } from "../compiled-model.js";
import { Sequential } from "../sequential.js";
import { EncryptedTensor } from "../tensor.js";
import { bundle, BundleBuilder, bundleTransfer, releaseBundle, unbundle, type ByteBundle } from "../wire.js";
import { shapeSize } from "../layers/layer.js";
import type { WorkerTask, WorkerResult } from "./protocol.js";

interface ClientSession { params: Parameters; encoder: Encoder; encryptor: Encryptor; decryptor: Decryptor }
interface ServerSession { params: Parameters; evaluator: Evaluator; compiled: CompiledModel }

// A batch tensor holds one ciphertext per element (784 for an MNIST image): far above the
// default forgotten-object warning threshold, and every one is disposed explicitly here.
setMemoryWarning({ threshold: 1_000_000 });

const clients = new Map<string, ClientSession>();
const servers = new Map<string, ServerSession>();

function clientSession(task: Extract<WorkerTask, { kind: "encrypt" | "decrypt" }>): ClientSession {
  let s = clients.get(task.session.id);
  if (s === undefined) {
    const params = loadParameters(task.session.params, { allowInsecureParametersForTesting: task.session.insecure });
    const secretKey = loadSecretKey(params, task.session.secretKey);
    s = { params, encoder: new Encoder(params), encryptor: new Encryptor(params, secretKey), decryptor: new Decryptor(params, secretKey) };
    clients.set(task.session.id, s);
  }
  return s;
}

function serverSession(task: Extract<WorkerTask, { kind: "infer" }>): ServerSession {
  let s = servers.get(task.session.id);
  if (s === undefined) {
    const params = loadParameters(task.session.params, { allowInsecureParametersForTesting: task.session.insecure });
    const relinearizationKey = loadSwitchingKey(params, task.session.relinearizationKey);
    const { complex, galoisKeys: galoisBytes } = task.session;
    const compiled = Sequential.fromJSON(task.session.model).compile({ params, packing: complex ? "complex" : "batch" });
    const galoisKeys = galoisBytes === undefined ? undefined : loadGaloisKeys(params, galoisBytes);
    s = { params, evaluator: new Evaluator(params, galoisKeys === undefined ? { relinearizationKey } : { relinearizationKey, galoisKeys }), compiled };
    servers.set(task.session.id, s);
  }
  return s;
}

function result(value: WorkerResult, data: ByteBundle | undefined): unknown {
  if (data === undefined) return value;
  const transfer = bundleTransfer(data);
  return move({
    get [transferableSymbol]() { return transfer; },
    get [valueSymbol]() { return value; },
  } as unknown as ArrayBuffer);
}

/** The ciphertexts of a bundle; none is left behind when one fails to load. */
function loadAll(params: Parameters, data: ByteBundle): Ciphertext[] {
  const cts: Ciphertext[] = [];
  try {
    for (const bytes of unbundle(data)) cts.push(loadCiphertext(params, bytes));
    return cts;
  } catch (error) {
    for (const ct of cts) ct.dispose();
    throw error;
  }
}

export default function run(task: WorkerTask): unknown {
  const started = performance.now();
  if (task.kind === "encrypt") {
    const s = clientSession(task);
    const size = task.samples.length / task.count;
    const samples = Array.from({ length: task.count }, (_, i) => task.samples.subarray(i * size, (i + 1) * size));
    // Encrypted, serialized into the bundle and freed one by one: the heap holds one ciphertext
    // and the JS side one serialized copy at a time, not the whole batch twice.
    const layout = batchLayout(task.shape, task.count, s.params.maxSlots, task.complex);
    const builder = new BundleBuilder(shapeSize(task.shape));
    for (const ct of encryptBatchElements(s.encryptor, s.encoder, layout, samples, { level: task.level })) {
      try {
        builder.add(serializeCiphertext(ct));
      } finally {
        ct.dispose();
      }
    }
    const data = builder.finish();
    return result({ kind: "encrypted", data, ms: performance.now() - started }, data);
  }
  if (task.kind === "infer") {
    const s = serverSession(task);
    const cts = loadAll(s.params, task.data);
    releaseBundle(task.data);
    using input = new EncryptedTensor(s.compiled.inputLayout(task.count), cts);
    const loaded = performance.now();
    using output = s.compiled.predict(s.evaluator, input, { consumeInput: true });
    const evaluated = performance.now();
    const data = bundle(output.ciphertexts.map((ct) => serializeCiphertext(ct)));
    return result({ kind: "inferred", data, ms: performance.now() - started, evaluationMs: evaluated - loaded }, data);
  }
  const s = clientSession(task);
  const cts = loadAll(s.params, task.data);
  using tensor = new EncryptedTensor(batchLayout(task.shape, task.count, s.params.maxSlots, task.complex), cts);
  const outputs = decryptBatch(s.decryptor, s.encoder, tensor);
  const flat = new Float64Array(outputs.length * (outputs[0]?.length ?? 0));
  outputs.forEach((o, i) => flat.set(o, i * o.length));
  return { kind: "decrypted", outputs: flat, ms: performance.now() - started } satisfies WorkerResult;
}
