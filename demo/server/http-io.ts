// Request bodies read under a size limit, and the JSON and binary answers of the demo server.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorBody } from "./protocol.js";

/** An answer that is not 200: its status, error code and message (see protocol.ts). */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The request's body, at most `limit` bytes: a larger declared or streamed body rejects with 413
 * PAYLOAD_TOO_LARGE without buffering more than the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = (): HttpError => new HttpError(413, "PAYLOAD_TOO_LARGE", `cannot read request: the body is larger than ${limit} bytes`);
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        request.removeAllListeners("data");
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      const body = Buffer.concat(chunks, length);
      resolve(new Uint8Array(body.buffer, body.byteOffset, body.length));
    });
    request.on("error", reject);
    // A client gone before the end of its body: settle (no-op after "end"), keep nothing.
    request.on("close", () => reject(new HttpError(400, "ABORTED", "cannot read request: the client closed the connection before the end of the body")));
  });
}

export function sendJson(response: ServerResponse, status: number, value: unknown, close = false): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store",
    ...(close ? { connection: "close" } : {}),
  });
  response.end(body);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  // A refused body may still be arriving: close the connection rather than read it.
  sendJson(response, error.status, body, error.status === 413);
}

export function sendBytes(response: ServerResponse, bytes: Uint8Array, headers: Record<string, string>): void {
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length, "cache-control": "no-store", ...headers });
  response.end(bytes);
}
