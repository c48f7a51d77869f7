// Messages between the batch-inference pool and its workers.

import type { ByteBundle } from "../wire.js";

/** What a client worker needs: parameters and the secret key, as bytes. */
export interface ClientSessionBytes {
  readonly id: string;
  readonly params: Uint8Array;
  /** The caller created the parameters with allowInsecureParametersForTesting (tests only). */
  readonly insecure: boolean;
  readonly secretKey: Uint8Array;
}

/**
 * What a server worker needs: parameters, the relinearization key, the model JSON and, for complex
 * packing, the Galois keys holding the conjugation key; no secret.
 */
export interface ServerSessionBytes {
  readonly id: string;
  readonly params: Uint8Array;
  readonly insecure: boolean;
  readonly relinearizationKey: Uint8Array;
  readonly model: string;
  /** Complex batch packing (two samples per slot). */
  readonly complex: boolean;
  readonly galoisKeys?: Uint8Array;
}

export type WorkerTask =
  | { readonly kind: "encrypt"; readonly session: ClientSessionBytes; readonly shape: readonly number[]; readonly level: number; readonly count: number; readonly complex: boolean; readonly samples: Float64Array }
  | { readonly kind: "infer"; readonly session: ServerSessionBytes; readonly count: number; readonly data: ByteBundle }
  | { readonly kind: "decrypt"; readonly session: ClientSessionBytes; readonly shape: readonly number[]; readonly count: number; readonly complex: boolean; readonly data: ByteBundle };

export type WorkerResult =
  | { readonly kind: "encrypted"; readonly data: ByteBundle; readonly ms: number }
  | { readonly kind: "inferred"; readonly data: ByteBundle; readonly ms: number; readonly evaluationMs: number }
  | { readonly kind: "decrypted"; readonly outputs: Float64Array; readonly ms: number };
