// The demo server's protocol and robustness on 127.0.0.1 (a random port), with a small
// CryptoNets-shaped model on small insecure parameters: a session and a prediction that decrypts
// to the plaintext model's outputs; size limits (413); malformed, truncated and foreign
// ciphertexts and keys (400 with the library's FheError code, the server still serving);
// missing Galois keys; unknown sessions (404); the bounded queue (503); session expiry and
// eviction (404 after); wrong methods and paths.

import { spawn } from "node:child_process";
import { connect } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemoServer, type DemoServer, type DemoServerOptions } from "../../demo/server/app.js";
import { encodeKeyUpload, type DemoConfig } from "../../demo/server/protocol.js";
import { argmax, fetchConfig, openSession, requestPrediction } from "../../demo/client/demo-client.js";
import {
  FheError, loadCiphertext, loadGaloisKeys, serializeCiphertext, serializeGaloisKeys, serializeSwitchingKey, type ParametersLiteral,
} from "../../engine/index.js";
import { encryptSingle, unpackSingle, type CompiledModel, type SinglePlan } from "../../nn/index.js";
import { makeContext, type CkksContext } from "../helpers/ckks.js";
import { randomArray, seededRandom, smallCryptoNets } from "../helpers/nn-models.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const literal: ParametersLiteral = { logN: 11, logScale: 29, depth: 7, allowInsecureParametersForTesting: true };

interface Client {
  readonly c: CkksContext;
  readonly relinearization: Uint8Array;
  readonly galois: Uint8Array;
}

describe("demo server", () => {
  let c: CkksContext;
  let compiled: CompiledModel;
  let plan: SinglePlan;
  let client: Client;
  let server: DemoServer | undefined;
  const logs: string[] = [];

  beforeAll(() => {
    c = makeContext(literal);
    compiled = smallCryptoNets(3).compile({ params: c.params, packing: "single", rotationBase: 4 });
    plan = compiled.plan as SinglePlan;
    const galois = c.keygen.createGaloisKeys({ steps: [...plan.rotationSteps], conjugate: false });
    client = { c, relinearization: serializeSwitchingKey(c.relinearizationKey), galois: serializeGaloisKeys(galois) };
    galois.dispose();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(options: Partial<DemoServerOptions> = {}): Promise<string> {
    server = await startDemoServer({ compiled, parameters: literal, root, log: (line) => logs.push(line), ...options });
    return server.url;
  }

  function image(seed: number): number[] {
    return randomArray(144, seededRandom(seed)).map((v) => (v + 1) / 2);
  }

  function encryptImage(sample: readonly number[], level = plan.input.level): Uint8Array {
    using x = encryptSingle(c.skEncryptor, c.encoder, compiled.singleInputLayout(), sample, { level });
    return serializeCiphertext(x.ciphertexts[0]!);
  }

  async function post(url: string, body: Uint8Array | string, method = "POST"): Promise<{ status: number; code?: string; message?: string }> {
    const response = await fetch(url, { method, ...(method === "POST" ? { body: body as Uint8Array<ArrayBuffer> } : {}) });
    const text = await response.text();
    const json = text.startsWith("{") ? JSON.parse(text) as { error?: { code: string; message: string } } : {};
    return { status: response.status, ...(json.error ?? {}) };
  }

  /** The code the library itself throws for `attempt`. */
  function libraryCode(attempt: () => unknown): string {
    try {
      attempt();
    } catch (error) {
      if (error instanceof FheError) return error.code;
      throw error;
    }
    throw new Error("expected the library to refuse");
  }

  it("a session and two predictions: the answers decrypt to the plaintext model's outputs; the log has sizes and ids only", async () => {
    const url = await start();
    const config: DemoConfig = await fetchConfig(url);
    expect(config.fingerprint).toBe(c.params.fingerprint);
    expect(config.rotationSteps).toEqual(plan.rotationSteps);
    expect(config.inputLevel).toBe(plan.input.level);
    const session = await openSession(url, client.relinearization, client.galois);
    for (const seed of [1, 2]) {
      const sample = image(seed);
      const answer = await requestPrediction(url, session.session, encryptImage(sample));
      using ct = loadCiphertext(c.params, answer.ciphertext);
      using pt = c.decryptor.decrypt(ct);
      const got = unpackSingle(config.outputLayout, c.encoder.decode(pt));
      const want = compiled.model.predictPlain(sample);
      want.forEach((v, k) => expect(Math.abs(v - got[k]!)).toBeLessThan(0.02 * Math.max(...want.map(Math.abs))));
      expect(argmax(got)).toBe(argmax(want));
      expect(answer.evaluationMs).toBeGreaterThan(0);
    }
    const sessionLines = logs.filter((l) => l.includes(session.session.slice(0, 8)));
    expect(sessionLines.length).toBe(3);
    for (const line of sessionLines) expect(line).toMatch(/^session [0-9a-f]{8}(:| opened:) [a-zA-Z ]*(keys|ciphertext) \d+ B/);
  });

  it("size limits: a key upload or a ciphertext over the limit is 413 PAYLOAD_TOO_LARGE; a body cut short leaves the server serving", async () => {
    const url = await start({ maxKeyUploadBytes: 4096, maxCiphertextBytes: 1000 });
    expect(await post(`${url}/api/sessions`, encodeKeyUpload(client.relinearization, client.galois))).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    expect(await post(`${url}/api/sessions/${"0".repeat(8)}/predict`, new Uint8Array(5000))).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    const { port } = new URL(url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write("POST /api/sessions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 4000\r\n\r\n" + "x".repeat(10));
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
    });
    expect(await post(`${url}/api/sessions`, new Uint8Array(3))).toMatchObject({ status: 400, code: "CORRUPT_DATA" });
  });

  it("malformed, truncated and foreign ciphertexts are 400 with the library's code; the session goes on serving", async () => {
    const url = await start();
    const { session } = await openSession(url, client.relinearization, client.galois);
    const predict = `${url}/api/sessions/${session}/predict`;
    const good = encryptImage(image(4));
    const corrupted = good.slice();
    corrupted[good.length >> 1]! ^= 0xff;
    const other = makeContext({ ...literal, logScale: 28 } as ParametersLiteral);
    const foreign = (() => {
      using pt = other.encoder.encode([0.5]);
      using ct = other.encryptor.encrypt(pt);
      return serializeCiphertext(ct);
    })();
    const cases: [string, Uint8Array][] = [
      ["random bytes", Uint8Array.from(randomArray(3000, seededRandom(9)), (v) => Math.floor((v + 1) * 127))],
      ["truncated", good.subarray(0, good.length - 100)],
      ["corrupted", corrupted],
      ["empty", new Uint8Array(0)],
      ["foreign parameters", foreign],
      ["wrong level", encryptImage(image(4), plan.input.level - 1)],
    ];
    for (const [what, bytes] of cases) {
      const answer = await post(predict, bytes);
      expect(answer.status, what).toBe(400);
      if (what !== "wrong level") expect(answer.code, what).toBe(libraryCode(() => loadCiphertext(c.params, bytes)));
      else expect(answer.code).toBe("INVALID_ARGUMENT");
      expect(answer.message, what).toMatch(/^cannot /);
    }
    expect((await requestPrediction(url, session, good)).responseBytes).toBeGreaterThan(0);
  });

  it("malformed, foreign or incomplete keys are 400 with the library's code (MISSING_KEY naming the step)", async () => {
    const url = await start();
    const other = makeContext({ ...literal, logScale: 28 } as ParametersLiteral);
    const foreignGalois = other.keygen.createGaloisKeys({ steps: [...plan.rotationSteps], conjugate: false });
    const missing = plan.rotationSteps[0]!;
    const partial = c.keygen.createGaloisKeys({ steps: plan.rotationSteps.filter((s) => s !== missing), conjugate: false });
    const cases: [string, Uint8Array, string][] = [
      ["no framing", new Uint8Array(3), "CORRUPT_DATA"],
      ["length past the end", encodeKeyUpload(client.relinearization, client.galois).subarray(0, 100), "CORRUPT_DATA"],
      ["truncated Galois keys", encodeKeyUpload(client.relinearization, client.galois.subarray(0, 5000)),
        libraryCode(() => loadGaloisKeys(c.params, client.galois.subarray(0, 5000)))],
      ["foreign Galois keys", encodeKeyUpload(client.relinearization, serializeGaloisKeys(foreignGalois)),
        libraryCode(() => loadGaloisKeys(c.params, serializeGaloisKeys(foreignGalois)))],
      ["a Galois key missing", encodeKeyUpload(client.relinearization, serializeGaloisKeys(partial)), "MISSING_KEY"],
    ];
    for (const [what, body, code] of cases) {
      const answer = await post(`${url}/api/sessions`, body);
      expect(answer, what).toMatchObject({ status: 400, code });
      if (what === "a Galois key missing") expect(answer.message).toContain(`steps: [${missing}]`);
    }
    foreignGalois.dispose();
    partial.dispose();
    expect(server!.sessions).toBe(0);
  });

  it("unknown session: 404 UNKNOWN_SESSION; wrong method 405; unknown path 404; the library's files are served", async () => {
    const url = await start();
    expect(await post(`${url}/api/sessions/0123abcd-0000/predict`, encryptImage(image(5)))).toMatchObject({ status: 404, code: "UNKNOWN_SESSION" });
    expect(await post(`${url}/api/sessions`, "", "GET")).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(await post(`${url}/api/nothing`, "", "GET")).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(await post(`${url}/../package.json`, "", "GET")).toMatchObject({ status: 404 });
    expect(await post(`${url}/dist/engine/../../package.json`, "", "GET")).toMatchObject({ status: 404 });
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it("bounded queue: with one running and none waiting, concurrent requests beyond it are 503 SERVER_BUSY; the others answer", async () => {
    const url = await start({ maxConcurrent: 1, maxQueued: 0 });
    const { session } = await openSession(url, client.relinearization, client.galois);
    const bytes = encryptImage(image(6));
    // Twelve requests at once from another process (this one blocks while the server evaluates).
    const script = `
      const chunks = [];
      process.stdin.on("data", (c) => chunks.push(c)).on("end", async () => {
        const body = Buffer.concat(chunks);
        const statuses = await Promise.all(Array.from({ length: 12 }, () => fetch(process.argv[1], { method: "POST", body }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        })));
        console.log(JSON.stringify(statuses));
      });`;
    const child = spawn(process.execPath, ["-e", script, `${url}/api/sessions/${session}/predict`], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdin.end(bytes);
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    await new Promise((resolve) => child.on("close", resolve));
    const statuses = JSON.parse(Buffer.concat(out).toString()) as number[];
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect((await requestPrediction(url, session, bytes)).responseBytes).toBeGreaterThan(0);
  });

  it("sessions expire after their TTL and the least recently used is evicted beyond the bound (then 404)", async () => {
    const url = await start({ sessionTtlMs: 1000, maxSessions: 2 });
    const bytes = encryptImage(image(7));
    const first = await openSession(url, client.relinearization, client.galois);
    const second = await openSession(url, client.relinearization, client.galois);
    await requestPrediction(url, first.session, bytes); // first is now the most recently used
    const third = await openSession(url, client.relinearization, client.galois);
    expect(server!.sessions).toBe(2);
    await expect(requestPrediction(url, second.session, bytes)).rejects.toMatchObject({ status: 404, code: "UNKNOWN_SESSION" });
    await requestPrediction(url, third.session, bytes);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await expect(requestPrediction(url, third.session, bytes)).rejects.toMatchObject({ status: 404, code: "UNKNOWN_SESSION" });
    expect(server!.sessions).toBe(0);
    expect(logs.some((l) => l.includes(`session ${second.session.slice(0, 8)} evicted`))).toBe(true);
    expect(logs.some((l) => l.includes(`session ${third.session.slice(0, 8)} expired`))).toBe(true);
  });
});

