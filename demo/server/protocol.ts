// The demo's wire protocol, shared by the server, the page and the load test's clients (no Node
// or DOM API): the configuration the server publishes, the framing of the key upload, and the
// JSON error body.
//
//   GET  /api/config              -> DemoConfig (JSON)
//   GET  /api/digits              -> DemoDigit[] (JSON: test digits to pick from)
//   POST /api/sessions            body: encodeKeyUpload(relinearization key, Galois keys) -> { session }
//   POST /api/sessions/:id/predict body: a serialized ciphertext (the image) -> serialized ciphertext (the logits),
//                                  headers x-evaluation-ms and x-queue-ms
// Errors: { error: { code, message } } with 400 (code: the library's FheError code), 404
// (UNKNOWN_SESSION, NOT_FOUND), 405, 413 (PAYLOAD_TOO_LARGE), 503 (SERVER_BUSY).

import type { ParametersLiteral } from "../../engine/parameters-literal.js";
import { FheError } from "../../engine/ring/errors.js";
import type { SingleLayout } from "../../nn/layout.js";

export interface DemoConfig {
  /** The parameters to create (RemoteContext.create) and their fingerprint. */
  readonly parameters: ParametersLiteral;
  readonly fingerprint: string;
  /** Galois keys to create: createGaloisKeys({ steps: rotationSteps, conjugate: false }). */
  readonly rotationSteps: readonly number[];
  /** Encrypt the image at this level, packed in inputLayout (packSingle). */
  readonly inputLevel: number;
  readonly inputLayout: SingleLayout;
  /** Where the ten logits are in the decrypted slots (unpackSingle). */
  readonly outputLayout: SingleLayout;
  /** Largest accepted bodies, bytes. */
  readonly maxKeyUploadBytes: number;
  readonly maxCiphertextBytes: number;
}

/** A test digit: 784 grey levels as bytes (value / 255 in [0, 1]), row-major 28 x 28. */
export interface DemoDigit {
  readonly label: number;
  readonly pixels: readonly number[];
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** One body for the two keys: the relinearization key's length (u32, little-endian), it, then the Galois keys. */
export function encodeKeyUpload(relinearizationKey: Uint8Array, galoisKeys: Uint8Array): Uint8Array {
  const body = new Uint8Array(4 + relinearizationKey.length + galoisKeys.length);
  new DataView(body.buffer).setUint32(0, relinearizationKey.length, true);
  body.set(relinearizationKey, 4);
  body.set(galoisKeys, 4 + relinearizationKey.length);
  return body;
}

/** The two keys of an upload (views into `body`); CORRUPT_DATA when the framing does not fit. */
export function decodeKeyUpload(body: Uint8Array): { readonly relinearizationKey: Uint8Array; readonly galoisKeys: Uint8Array } {
  const length = body.length >= 4 ? new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true) : -1;
  if (length < 0 || 4 + length > body.length) {
    throw new FheError("CORRUPT_DATA", "open session",
      `the key upload of ${body.length} bytes is not a u32 length, the relinearization key and the Galois keys: build it with encodeKeyUpload`);
  }
  return { relinearizationKey: body.subarray(4, 4 + length), galoisKeys: body.subarray(4 + length) };
}
