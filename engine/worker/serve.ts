// The worker side of a RemoteContext: holds one parameter set, the secret key and the
// evaluator, and answers requests one at a time in arrival order. Ciphertexts exist in the
// worker only while a request runs (each request is one tidy scope); they arrive and leave
// as serialized bytes.

import { Ciphertext } from "../ciphertext.js";
import { Decryptor } from "../decryptor.js";
import { Encoder } from "../encoding/encoder.js";
import { Encryptor } from "../encryptor.js";
import { Evaluator } from "../evaluator/evaluator.js";
import { KeyGenerator } from "../key-generator.js";
import type { GaloisKeys, SecretKey, SwitchingKey } from "../keys.js";
import { dispose, tidy } from "../memory.js";
import { Parameters } from "../parameters.js";
import { describe, FheError } from "../ring/errors.js";
import { defaultHeapAsync } from "../ring/wasm/heap.js";
import {
  loadCiphertext, serializeCiphertext, serializeGaloisKeys, serializeParameters, serializePublicKey,
  serializeSwitchingKey,
} from "../serialization/serialize.js";
import {
  onMessage, remoteOperations, transferablesOf, type ErrorData, type RemoteOperand, type RequestBodies,
  type RequestName, type ResponseResults, type WorkerEndpoint,
} from "./protocol.js";

interface Keys {
  readonly secretKey: SecretKey;
  readonly relinearizationKey: SwitchingKey;
  readonly galoisKeys: GaloisKeys;
  readonly encryptor: Encryptor;
  readonly decryptor: Decryptor;
}

interface Session {
  readonly params: Parameters;
  readonly encoder: Encoder;
  evaluator: Evaluator;
  keys: Keys | undefined;
}

type Handlers = { [K in RequestName]: (body: RequestBodies[K]) => ResponseResults[K] | Promise<ResponseResults[K]> };

const operationNames: Record<RequestName, string> = {
  init: "start the worker's context",
  generateKeys: "generate keys in the worker",
  encrypt: "encrypt in the worker",
  evaluate: "evaluate in the worker",
  decrypt: "decrypt in the worker",
};

function isRequestName(value: unknown): value is RequestName {
  return typeof value === "string" && Object.hasOwn(operationNames, value);
}

function errorData(error: unknown, operation: string): ErrorData {
  if (error instanceof FheError) return { code: error.code, operation: error.operation, reason: error.reason };
  const text = error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
  return { code: "WORKER_FAILED", operation, reason: `unexpected error in the worker (${text})` };
}

/**
 * Serves a {@link RemoteContext} on `endpoint`: call it once at the top of the worker script,
 * with `self` in a browser Web Worker or `parentPort` from `node:worker_threads` in Node.
 * Messages that are not requests of the protocol (no numeric `id`) are ignored, so the same
 * channel may carry other traffic.
 */
export function serveContext(endpoint: WorkerEndpoint): void {
  let session: Session | undefined;
  const ready = (operation: string): Session => {
    if (session === undefined) throw new FheError("INVALID_ARGUMENT", operation, "the worker has no parameters yet: create the client with RemoteContext.create");
    return session;
  };
  const keysOf = (operation: string): Keys => {
    const keys = ready(operation).keys;
    if (keys === undefined) throw new FheError("MISSING_KEY", operation, "the worker has no keys yet: call generateKeys() first");
    return keys;
  };
  const handlers: Handlers = {
    init: async ({ parameters, build }) => {
      const operation = operationNames.init;
      if (session !== undefined) {
        throw new FheError("INVALID_ARGUMENT", operation, `the worker already serves parameters ${session.params.fingerprint}: start another worker for other parameters`);
      }
      const heap = await defaultHeapAsync(build === undefined ? {} : { build });
      const params = Parameters.create(parameters, { heap });
      session = { params, encoder: new Encoder(params), evaluator: new Evaluator(params), keys: undefined };
      return {
        fingerprint: params.fingerprint, parameters: serializeParameters(params), maxSlots: params.maxSlots,
        maxLevel: params.maxLevel,
      };
    },
    generateKeys: ({ galois }) => {
      const current = ready(operationNames.generateKeys);
      const { params } = current;
      // One scope: if any key cannot be made, the ones already made are freed.
      const made = tidy(() => {
        const keygen = new KeyGenerator(params);
        return {
          secretKey: keygen.secretKey, relinearizationKey: keygen.createRelinearizationKey(),
          galoisKeys: keygen.createGaloisKeys(galois), publicKey: keygen.createPublicKey(),
        };
      });
      const { secretKey, relinearizationKey, galoisKeys, publicKey } = made;
      if (current.keys !== undefined) dispose(current.keys);
      current.keys = {
        secretKey, relinearizationKey, galoisKeys,
        encryptor: new Encryptor(params, secretKey), decryptor: new Decryptor(params, secretKey),
      };
      current.evaluator = new Evaluator(params, { relinearizationKey, galoisKeys });
      const result = {
        publicKey: serializePublicKey(publicKey), relinearizationKey: serializeSwitchingKey(relinearizationKey),
        galoisKeys: serializeGaloisKeys(galoisKeys),
      };
      publicKey.dispose();
      return result;
    },
    encrypt: ({ values, options }) => {
      const { encryptor } = keysOf(operationNames.encrypt);
      const { encoder } = ready(operationNames.encrypt);
      return tidy(() => serializeCiphertext(encryptor.encrypt(encoder.encode(values, options))));
    },
    evaluate: ({ operation, operands }) => {
      const name = operationNames.evaluate;
      const { params, evaluator } = ready(name);
      if (!(remoteOperations as readonly unknown[]).includes(operation)) {
        throw new FheError("INVALID_ARGUMENT", name, `unknown operation ${describe(operation)}; one of ${remoteOperations.join(", ")}`);
      }
      if (!Array.isArray(operands)) throw new FheError("INVALID_ARGUMENT", name, `operands must be an array, got ${describe(operands)}`);
      return tidy(() => {
        const args = operands.map((operand: RemoteOperand, i) => {
          if (operand instanceof Uint8Array) return loadCiphertext(params, operand);
          if (typeof operand === "number") return operand;
          throw new FheError("INVALID_ARGUMENT", name, `operand ${i} must be a serialized ciphertext (Uint8Array) or a number, got ${describe(operand)}`);
        });
        const method = evaluator[operation] as (...args: unknown[]) => unknown;
        const result = method.apply(evaluator, args);
        if (!(result instanceof Ciphertext)) throw new FheError("WORKER_FAILED", name, `${operation} returned ${describe(result)}`);
        return serializeCiphertext(result);
      });
    },
    decrypt: ({ ciphertext, options }) => {
      const { decryptor } = keysOf(operationNames.decrypt);
      const { params, encoder } = ready(operationNames.decrypt);
      return tidy(() => encoder.decode(decryptor.decrypt(loadCiphertext(params, ciphertext), options)));
    },
  };

  const answer = async (data: unknown): Promise<void> => {
    if (typeof data !== "object" || data === null) return;
    const { id, op, body } = data as { id?: unknown; op?: unknown; body?: unknown };
    if (typeof id !== "number") return;
    try {
      if (!isRequestName(op)) throw new FheError("INVALID_ARGUMENT", "answer a worker request", `unknown request ${describe(op)}`);
      if (typeof body !== "object" || body === null) throw new FheError("INVALID_ARGUMENT", operationNames[op], `the request body must be an object, got ${describe(body)}`);
      const handler = handlers[op] as (body: unknown) => unknown;
      const result = await handler(body);
      endpoint.postMessage({ id, ok: true, result }, transferablesOf(result));
    } catch (error) {
      endpoint.postMessage({ id, ok: false, error: errorData(error, isRequestName(op) ? operationNames[op] : "answer a worker request") }, []);
    }
  };
  let queue = Promise.resolve();
  onMessage(endpoint, (data) => {
    queue = queue.then(() => answer(data));
  });
}
