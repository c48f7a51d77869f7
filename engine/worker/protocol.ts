// The message protocol between a RemoteContext (client) and serveContext (the worker), and the
// endpoint abstraction that lets both run over a browser Worker / DedicatedWorkerGlobalScope or
// a Node worker_threads Worker / parentPort. Objects cross as serialized bytes (Uint8Array);
// the sender lists their buffers as transferables so they move instead of being copied.

import type { DecryptOptions } from "../decryptor.js";
import type { EncodeOptions } from "../encoding/encoder.js";
import type { GaloisKeyOptions } from "../key-generator.js";
import type { ParametersLiteral } from "../parameters-literal.js";
import { FheError, type FheErrorCode } from "../ring/errors.js";
import type { KernelBuildOption } from "../ring/wasm/loader.js";

/**
 * One end of a message channel: a browser `Worker` or a worker's `self`, a Node
 * `worker_threads` `Worker` or `parentPort`, or a `MessagePort` of either. Messages arrive
 * through `addEventListener("message", e => e.data)` (then `start()`, for a MessagePort) when
 * the endpoint has it, else through `on("message", data => ...)` (a Node Worker). Declared
 * structurally, so no DOM or Node types are needed.
 */
export interface WorkerEndpoint {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener?(type: string, listener: (event: unknown) => void): void;
  on?(type: string, listener: (value: unknown) => void): unknown;
  /** A MessagePort's: delivery through addEventListener begins only once it is called. */
  start?(): void;
}

/** The Evaluator methods a RemoteContext can call: ciphertext and number operands, a ciphertext result. */
export const remoteOperations = [
  "add", "sub", "negate", "multiply", "square", "relinearize", "mulRelin", "rescale", "dropLevel",
  "rotate", "conjugate", "rotateAndSum", "addConstant", "multiplyConstant",
] as const;

/** One of {@link remoteOperations}. */
export type RemoteOperation = (typeof remoteOperations)[number];

/** An operand of a remote operation: a serialized ciphertext or a number (steps, levels, constants). */
export type RemoteOperand = Uint8Array | number;

/** The evaluation keys generateKeys returns, serialized in seeded form (no secret material). */
export interface EvaluationKeyBytes {
  readonly publicKey: Uint8Array;
  readonly relinearizationKey: Uint8Array;
  readonly galoisKeys: Uint8Array;
}

/** What the worker reports once its parameters are ready. */
export interface RemoteParametersInfo {
  /** The parameters' fingerprint (16 hex digits), as `Parameters.fingerprint`. */
  readonly fingerprint: string;
  /** Serialized parameters (`serializeParameters`), to load the same set elsewhere. */
  readonly parameters: Uint8Array;
  /** Slots a ciphertext holds at most (N / 2). */
  readonly maxSlots: number;
  /** Level of a fresh encryption. */
  readonly maxLevel: number;
}

/** The request bodies, by operation name. */
export interface RequestBodies {
  init: { readonly parameters: ParametersLiteral; readonly build: KernelBuildOption | undefined };
  generateKeys: { readonly galois: GaloisKeyOptions | undefined };
  encrypt: { readonly values: ArrayLike<number>; readonly options: EncodeOptions | undefined };
  evaluate: { readonly operation: RemoteOperation; readonly operands: readonly RemoteOperand[] };
  decrypt: { readonly ciphertext: Uint8Array; readonly options: DecryptOptions | undefined };
}

/** The result of each request, by operation name. */
export interface ResponseResults {
  init: RemoteParametersInfo;
  generateKeys: EvaluationKeyBytes;
  encrypt: Uint8Array;
  evaluate: Uint8Array;
  decrypt: Float64Array;
}

export type RequestName = keyof RequestBodies;

/** An FheError as it crosses the channel. */
export interface ErrorData {
  readonly code: FheErrorCode;
  readonly operation: string;
  readonly reason: string;
}

export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ErrorData };

/** Rebuilds the FheError a worker reported. */
export function errorFromData(error: ErrorData): FheError {
  return new FheError(error.code, error.operation, error.reason);
}

/** The transferable buffers of every byte array inside `value` (arrays and plain objects searched). */
export function transferablesOf(value: unknown, found: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, found);
  } else if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) transferablesOf(item, found);
  }
  return [...found];
}

/** The `key` property of an event object (`data` of a message, `message` of an error), else undefined. */
export function eventField(event: unknown, key: "data" | "message"): unknown {
  return typeof event === "object" && event !== null ? (event as Record<string, unknown>)[key] : undefined;
}

/** Calls `listener` with the data of every message arriving at `endpoint`. */
export function onMessage(endpoint: WorkerEndpoint, listener: (data: unknown) => void): void {
  if (typeof endpoint.addEventListener === "function") {
    endpoint.addEventListener("message", (event) => listener(eventField(event, "data")));
    endpoint.start?.();
  } else if (typeof endpoint.on === "function") {
    endpoint.on("message", listener);
  } else {
    throw new FheError("INVALID_ARGUMENT", "connect to worker",
      "the endpoint has neither addEventListener nor on: pass a Worker, a worker's self or parentPort, or a MessagePort");
  }
}
