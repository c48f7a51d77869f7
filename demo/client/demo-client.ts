// The client side of the demo protocol over fetch (browsers and Node): open a session with the
// evaluation keys, send one ciphertext, get the encrypted logits back. Every call measures its
// bytes and time; a non-200 answer throws DemoRequestError with the server's code.

import { encodeKeyUpload, type DemoConfig, type ErrorBody } from "../server/protocol.js";

export class DemoRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = await response.json().catch(() => undefined) as ErrorBody | undefined;
  throw new DemoRequestError(response.status, body?.error.code ?? "HTTP_" + response.status, body?.error.message ?? response.statusText);
}

export async function fetchConfig(base: string): Promise<DemoConfig> {
  return await (await check(await fetch(`${base}/api/config`))).json() as DemoConfig;
}

export interface SessionAnswer {
  readonly session: string;
  readonly bytes: number;
  readonly ms: number;
}

/** Uploads the seeded relinearization and Galois keys once; the session id refers to them. */
export async function openSession(base: string, relinearizationKey: Uint8Array, galoisKeys: Uint8Array): Promise<SessionAnswer> {
  const body = encodeKeyUpload(relinearizationKey, galoisKeys) as Uint8Array<ArrayBuffer>;
  const start = performance.now();
  const response = await check(await fetch(`${base}/api/sessions`, { method: "POST", body, headers: { "content-type": "application/octet-stream" } }));
  const { session } = await response.json() as { session: string };
  return { session, bytes: body.length, ms: performance.now() - start };
}

export interface PredictionAnswer {
  /** The encrypted logits (a serialized ciphertext). */
  readonly ciphertext: Uint8Array;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Request sent to response read, as the client saw it. */
  readonly ms: number;
  /** Reported by the server: evaluation alone, and the wait in its queue. */
  readonly evaluationMs: number;
  readonly queueMs: number;
}

export async function requestPrediction(base: string, session: string, ciphertext: Uint8Array): Promise<PredictionAnswer> {
  const start = performance.now();
  const response = await check(await fetch(`${base}/api/sessions/${session}/predict`, {
    method: "POST", body: ciphertext as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/octet-stream" },
  }));
  const answer = new Uint8Array(await response.arrayBuffer());
  return {
    ciphertext: answer, requestBytes: ciphertext.length, responseBytes: answer.length, ms: performance.now() - start,
    evaluationMs: Number(response.headers.get("x-evaluation-ms")), queueMs: Number(response.headers.get("x-queue-ms")),
  };
}

/** Index of the largest score. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
