// The client side of the worker protocol: CKKS in a Web Worker or a worker thread, with every
// call a promise and every object serialized bytes. Imports only the protocol and the error
// class (types aside), so a page's main thread loads neither the engine nor its WebAssembly.

import type { DecryptOptions } from "../decryptor.js";
import type { EncodeOptions } from "../encoding/encoder.js";
import type { GaloisKeyOptions } from "../key-generator.js";
import type { ParametersLiteral } from "../parameters-literal.js";
import { checkOptions, describe, FheError } from "../ring/errors.js";
import type { KernelBuildOption } from "../ring/wasm/loader.js";
import {
  errorFromData, eventField, onMessage, transferablesOf, type EvaluationKeyBytes, type RemoteOperand, type RemoteOperation,
  type RemoteParametersInfo, type RequestBodies, type RequestName, type Response, type ResponseResults,
  type WorkerEndpoint,
} from "./protocol.js";

/** Options of {@link RemoteContext.create}. */
export interface RemoteContextOptions {
  /** The parameter set the worker creates (`Parameters.create` rules; a preset or a literal). */
  readonly parameters: ParametersLiteral;
  /** Kernel build in the worker (default "auto"). */
  readonly build?: KernelBuildOption;
}

/** Whether byte arguments are moved to the worker instead of copied. */
export interface TransferOption {
  /**
   * Move the ArrayBuffer under each byte argument to the worker instead of copying it
   * (default false). The caller's arrays, and every other view of those buffers, become
   * empty (detached): pass true only for bytes not needed afterwards.
   */
  readonly transfer?: boolean;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: FheError) => void;
}

function isResponse(data: unknown): data is Response {
  return typeof data === "object" && data !== null && typeof (data as { id?: unknown }).id === "number" &&
    typeof (data as { ok?: unknown }).ok === "boolean";
}

function failureReason(value: unknown): string {
  if (typeof value === "number") return `the worker exited with code ${value}`;
  const message = eventField(value, "message");
  return typeof message === "string" && message !== "" ? `the worker failed: ${message}` : "the worker failed";
}

/**
 * CKKS running in a worker (a browser Web Worker, or a Node `worker_threads` Worker), driven
 * from another thread through promises. The worker script is two lines, the same in both:
 *
 * ```ts
 * import { serveContext } from "wasm-ckks";
 * serveContext(self);                                    // Node: serveContext(parentPort!)
 * ```
 *
 * The worker holds the secret key (it never crosses the channel); ciphertexts and keys cross
 * as serialized bytes (the library's `serialize...` formats, loadable with `loadCiphertext`
 * and friends), results with their buffers transferred rather than copied. Requests run one
 * at a time, in call order. Every failure rejects with an FheError: the worker's own
 * (same code and message), or `WORKER_FAILED` when the worker died or the context was closed.
 */
export class RemoteContext {
  readonly #endpoint: WorkerEndpoint;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: FheError | undefined;
  #info: RemoteParametersInfo | undefined;

  private constructor(endpoint: WorkerEndpoint) {
    this.#endpoint = endpoint;
    onMessage(endpoint, (data) => this.#receive(data));
    const fail = (value: unknown): void => this.#fail(new FheError("WORKER_FAILED", "run the worker", failureReason(value)));
    if (typeof endpoint.addEventListener === "function") {
      endpoint.addEventListener("error", fail);
      endpoint.addEventListener("messageerror", () => this.#fail(new FheError("WORKER_FAILED", "run the worker", "a message could not be deserialized")));
    } else if (typeof endpoint.on === "function") {
      endpoint.on("error", fail);
      endpoint.on("exit", fail);
    }
  }

  /**
   * Connects to a worker that runs {@link serveContext} and creates `options.parameters` there
   * (with asynchronous WebAssembly compilation). Precondition: the worker serves no other
   * RemoteContext. Rejects with the worker's FheError for invalid parameters.
   */
  static async create(endpoint: WorkerEndpoint, options: RemoteContextOptions): Promise<RemoteContext> {
    const operation = "create remote context";
    checkOptions(options, operation);
    if (typeof endpoint !== "object" || endpoint === null || typeof endpoint.postMessage !== "function") {
      throw new FheError("INVALID_ARGUMENT", operation, `the endpoint must be a Worker, a MessagePort or a worker's parentPort, got ${describe(endpoint)}`);
    }
    const context = new RemoteContext(endpoint);
    context.#info = await context.#call("init", { parameters: options?.parameters, build: options?.build }, false);
    return context;
  }

  /** What the worker reported about its parameters (fingerprint, serialized form, slots, top level). */
  get parameters(): RemoteParametersInfo {
    return this.#info!;
  }

  /**
   * Generates a fresh secret key in the worker (replacing any earlier one) with the
   * relinearization key, the Galois keys of `galois` (KeyGenerator.createGaloisKeys rules:
   * default ±2^i and conjugation) and a public key, and returns those three serialized in
   * seeded form, for an evaluator elsewhere. The secret key stays in the worker.
   */
  async generateKeys(galois?: GaloisKeyOptions): Promise<EvaluationKeyBytes> {
    return this.#call("generateKeys", { galois }, false);
  }

  /**
   * Encodes `values` (real, at most `parameters.maxSlots` of them; Encoder.encode rules and
   * options) and encrypts them under the worker's secret key: the ciphertext comes back in
   * seeded half-size form. Precondition: {@link generateKeys} resolved.
   */
  async encrypt(values: ArrayLike<number>, options?: EncodeOptions): Promise<Uint8Array> {
    if (!(Array.isArray(values) || ArrayBuffer.isView(values))) {
      throw new FheError("INVALID_ARGUMENT", "encrypt in the worker", `values must be an array or a typed array of numbers, got ${describe(values)}`);
    }
    // A Float64Array is copied once here and its copy moved; other arrays are cloned by postMessage.
    const copied = values instanceof Float64Array;
    return this.#call("encrypt", { values: copied ? values.slice() : values, options }, copied);
  }

  /**
   * Runs `Evaluator[operation](...operands)` in the worker, with its keys from
   * {@link generateKeys}: ciphertexts as bytes, steps, levels and constants as numbers, in the
   * method's order (`evaluate("rotate", [ct, 1])`, `evaluate("mulRelin", [a, b])`). Returns
   * the result ciphertext's bytes. Operand checks and alignment are the Evaluator's.
   */
  async evaluate(operation: RemoteOperation, operands: readonly RemoteOperand[], options: TransferOption = {}): Promise<Uint8Array> {
    checkOptions(options, "evaluate in the worker");
    if (!Array.isArray(operands)) throw new FheError("INVALID_ARGUMENT", "evaluate in the worker", `operands must be an array, got ${describe(operands)}`);
    return this.#call("evaluate", { operation, operands: [...operands] }, options.transfer === true);
  }

  /**
   * Decrypts serialized ciphertext bytes in the worker and decodes the real parts of its
   * slots (as many as it packs). `options` are the Decryptor's (noise flooding) plus
   * `transfer`. Precondition: {@link generateKeys} resolved.
   */
  async decrypt(ciphertext: Uint8Array, options: DecryptOptions & TransferOption = {}): Promise<Float64Array> {
    checkOptions(options, "decrypt in the worker");
    const { transfer, ...decryptOptions } = options;
    return this.#call("decrypt", { ciphertext, options: decryptOptions }, transfer === true);
  }

  /**
   * Stops using the worker: pending and later calls reject with WORKER_FAILED. The worker is
   * the caller's: end it with `worker.terminate()`.
   */
  close(): void {
    this.#fail(new FheError("WORKER_FAILED", "use the remote context", "the context was closed"));
  }

  #call<K extends RequestName>(op: K, body: RequestBodies[K], transfer: boolean): Promise<ResponseResults[K]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<ResponseResults[K]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.#endpoint.postMessage({ id, op, body }, transfer ? transferablesOf(body) : []);
      } catch (error) {
        this.#pending.delete(id);
        const reason = error instanceof Error ? error.message : describe(error);
        reject(new FheError("INVALID_ARGUMENT", `send ${op} to the worker`, `the request cannot be posted (${reason}); pass byte arrays, numbers and plain options only`));
      }
    });
  }

  #receive(data: unknown): void {
    if (!isResponse(data)) return;
    const pending = this.#pending.get(data.id);
    if (pending === undefined) return;
    this.#pending.delete(data.id);
    if (data.ok) pending.resolve(data.result);
    else pending.reject(errorFromData(data.error));
  }

  #fail(error: FheError): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
