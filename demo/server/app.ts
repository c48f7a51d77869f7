// The demo server: runs the encrypted CryptoNets model (single packing) on ciphertexts from the
// page. It holds evaluation keys per session and never a secret key; its log shows sizes, ids
// and times, never a value. Listens on 127.0.0.1 only.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RotationKeys } from "../../engine/circuits/rotation-keys.js";
import { Evaluator } from "../../engine/evaluator/evaluator.js";
import { FheError } from "../../engine/ring/errors.js";
import { loadCiphertext, loadGaloisKeys, loadSwitchingKey, serializeCiphertext } from "../../engine/serialization/serialize.js";
import type { CompiledModel } from "../../nn/compiled-model.js";
import type { SinglePlan } from "../../nn/single/plan.js";
import { EncryptedTensor } from "../../nn/tensor.js";
import { HttpError, readBody, sendBytes, sendError, sendJson } from "./http-io.js";
import { decodeKeyUpload, type DemoConfig, type DemoDigit } from "./protocol.js";
import { WorkQueue } from "./queue.js";
import { SessionStore, type SessionKeys } from "./sessions.js";
import { sendFile, staticFile } from "./static-files.js";

export interface DemoServerOptions {
  /** The model, compiled with { packing: "single" } (the page's client needs its plan). */
  readonly compiled: CompiledModel;
  /** The parameters' literal (what the page's worker creates): presets.inference13Deep for "auto". */
  readonly parameters: DemoConfig["parameters"];
  /** Repository root: the page's files are served from demo/public and dist/. */
  readonly root: string;
  readonly digits?: readonly DemoDigit[];
  /** Port on 127.0.0.1 (default 0: a free port). */
  readonly port?: number;
  readonly maxKeyUploadBytes?: number;
  readonly maxCiphertextBytes?: number;
  readonly maxSessions?: number;
  readonly sessionTtlMs?: number;
  /** Evaluations at once (they run on this thread: 1 by default) and how many may wait. */
  readonly maxConcurrent?: number;
  readonly maxQueued?: number;
  readonly log?: (line: string) => void;
}

export interface DemoServer {
  readonly url: string;
  readonly sessions: number;
  close(): Promise<void>;
}

const short = (id: string): string => id.slice(0, 8);

/** Starts the server; close() stops it and frees every session. */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const { compiled, root } = options;
  const plan = compiled.plan as SinglePlan;
  const { params } = compiled;
  const log = options.log ?? ((line: string) => console.log(line));
  const config: DemoConfig = {
    parameters: options.parameters, fingerprint: params.fingerprint, rotationSteps: plan.rotationSteps,
    inputLevel: plan.input.level, inputLayout: plan.inputLayout, outputLayout: plan.outputLayout,
    maxKeyUploadBytes: options.maxKeyUploadBytes ?? 32 * 2 ** 20, maxCiphertextBytes: options.maxCiphertextBytes ?? 2 ** 20,
  };
  const sessions = new SessionStore({
    maxSessions: options.maxSessions ?? 64, ttlMs: options.sessionTtlMs ?? 15 * 60_000,
    onDrop: (id, why) => log(`session ${short(id)} ${why}; keys freed`),
  });
  const queue = new WorkQueue(options.maxConcurrent ?? 1, options.maxQueued ?? 64);
  const sweep = setInterval(() => sessions.expire(), 10_000);
  sweep.unref();

  function openSession(body: Uint8Array): { session: string } {
    const { relinearizationKey, galoisKeys } = decodeKeyUpload(body);
    const start = performance.now();
    const relinearization = loadSwitchingKey(params, relinearizationKey);
    let galois;
    try {
      galois = loadGaloisKeys(params, galoisKeys);
    } catch (error) {
      relinearization.dispose();
      throw error;
    }
    const keys: SessionKeys = {
      evaluator: new Evaluator(params, { relinearizationKey: relinearization, galoisKeys: galois }), keyBytes: body.length,
      dispose: () => {
        relinearization.dispose();
        galois.dispose();
      },
    };
    try {
      RotationKeys.require(keys.evaluator, plan.rotationSteps, plan.inputLayout.slots, "open session");
    } catch (error) {
      keys.dispose();
      throw error;
    }
    const session = sessions.add(keys);
    log(`session ${short(session)} opened: keys ${body.length} B (relinearization ${relinearizationKey.length} B, ` +
      `${galois.elements.length} Galois keys ${galoisKeys.length} B), loaded in ${(performance.now() - start).toFixed(0)} ms; ${sessions.size} sessions`);
    return { session };
  }

  function predict(id: string, body: Uint8Array, queuedAt: number): { bytes: Uint8Array; evaluationMs: number; queueMs: number } {
    const keys = sessions.get(id);
    if (keys === undefined) throw new HttpError(404, "UNKNOWN_SESSION", `cannot predict: no session ${short(id)} (unknown or expired): open one with POST /api/sessions`);
    const start = performance.now();
    using ct = loadCiphertext(params, body);
    using input = new EncryptedTensor(plan.inputLayout, [ct]);
    using output = compiled.predict(keys.evaluator, input);
    const bytes = serializeCiphertext(output.ciphertexts[0]!);
    const evaluationMs = performance.now() - start;
    const queueMs = start - queuedAt;
    log(`session ${short(id)}: ciphertext ${body.length} B in (level ${input.level}), ${bytes.length} B out, ` +
      `evaluation ${evaluationMs.toFixed(0)} ms, queued ${queueMs.toFixed(0)} ms`);
    return { bytes, evaluationMs, queueMs };
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const predictMatch = /^\/api\/sessions\/([0-9a-f-]{1,64})\/predict$/.exec(pathname);
    if (method === "GET" && pathname === "/api/config") return sendJson(response, 200, config);
    if (method === "GET" && pathname === "/api/digits") return sendJson(response, 200, options.digits ?? []);
    if (pathname === "/api/sessions" || predictMatch !== null) {
      if (method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", `cannot ${method} ${pathname}: use POST`);
      if (predictMatch === null) {
        const body = await readBody(request, config.maxKeyUploadBytes);
        const answer = await queue.run(() => openSession(body));
        if (answer === undefined) throw new HttpError(503, "SERVER_BUSY", "cannot open session: too many requests waiting; retry later");
        return sendJson(response, 200, answer);
      }
      const body = await readBody(request, config.maxCiphertextBytes);
      const queuedAt = performance.now();
      const answer = await queue.run(() => predict(predictMatch[1]!, body, queuedAt));
      if (answer === undefined) throw new HttpError(503, "SERVER_BUSY", "cannot predict: too many requests waiting; retry later");
      return sendBytes(response, answer.bytes, { "x-evaluation-ms": answer.evaluationMs.toFixed(1), "x-queue-ms": answer.queueMs.toFixed(1) });
    }
    const file = method === "GET" ? staticFile(root, pathname) : undefined;
    if (file === undefined) throw new HttpError(404, "NOT_FOUND", `cannot ${method} ${pathname}: no such resource`);
    sendFile(response, file);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof FheError) return sendError(response, new HttpError(400, error.code, error.message));
      if (error instanceof HttpError) return sendError(response, error);
      log(`internal error on ${request.method} ${request.url}: ${error instanceof Error ? error.stack : String(error)}`);
      sendError(response, new HttpError(500, "INTERNAL", "cannot answer: internal error (see the server log)"));
    });
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get sessions() {
      return sessions.size;
    },
    close: () => new Promise<void>((resolve) => {
      clearInterval(sweep);
      server.closeAllConnections();
      server.close(() => {
        sessions.clear();
        resolve();
      });
    }),
  };
}
