// Messages between the encrypted-training coordinator and its refresh (bootstrapping) workers.

import type { BootstrappingLiteral } from "../../engine/circuits/bootstrapping/bootstrapper.js";
import type { ByteBundle } from "../wire.js";

/** The bootstrapping keys (no secret): parameters, relinearization key, Galois keys (one serialized key each), encapsulation keys. */
export interface BootstrapLoad {
  readonly kind: "loadBootstrap";
  readonly params: Uint8Array;
  readonly insecure: boolean;
  readonly relinearizationKey: Uint8Array;
  readonly galoisKeys: ByteBundle;
  readonly encapsulation: Uint8Array | undefined;
  readonly shape: BootstrappingLiteral;
  readonly scaleDown: number;
}

/** One packed ciphertext (level 0) to bootstrap and split. */
export interface RefreshTask {
  readonly kind: "refresh";
  readonly packed: Uint8Array;
}

export type RefreshWorkerTask = BootstrapLoad | RefreshTask;

export type RefreshWorkerResult =
  | { readonly kind: "loaded"; readonly outputLevel: number; readonly ms: number; readonly heapBytes: number }
  | { readonly kind: "refreshed"; readonly parts: readonly [Uint8Array, Uint8Array]; readonly ms: number; readonly heapBytes: number };
