// CKKS off the main thread: RemoteContext driving serveContext in a Node worker thread (the
// built package in dist/, as a user's worker script loads it; npm test builds it first).
// Bytes from the worker load on this thread and back, errors keep their codes, a dead or
// closed worker rejects what is pending.

import { MessageChannel, Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Encoder, Encryptor, Evaluator, loadCiphertext, loadGaloisKeys, loadParameters, loadPublicKey, loadSwitchingKey,
  serializeCiphertext, serveContext,
} from "../../engine/index.js";
import { FheError, RemoteContext, remoteOperations, type RemoteOperation } from "../../engine/worker/index.js";
import { testLiterals } from "../helpers/ckks.js";

const workerUrl = new URL("../helpers/context-worker.mjs", import.meta.url);
const x = [0.5, 0.25, -1, 2];
const y = [2, 4, 8, -0.5];

function worstError(actual: ArrayLike<number>, expected: readonly number[]): number {
  return Math.max(...expected.map((v, i) => Math.abs(actual[i]! - v)));
}

async function expectRejection(promise: Promise<unknown>, code: string): Promise<FheError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FheError);
  expect((error as FheError).code).toBe(code);
  expect((error as FheError).message).toMatch(/^cannot /);
  return error as FheError;
}

describe("RemoteContext in a worker thread", () => {
  const workers: Worker[] = [];
  let remote: RemoteContext;

  function startWorker(): Worker {
    const worker = new Worker(workerUrl);
    workers.push(worker);
    return worker;
  }

  beforeAll(async () => {
    remote = await RemoteContext.create(startWorker(), { parameters: testLiterals.single });
    await remote.generateKeys({ steps: [1, -1] });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  });

  it("encrypts, multiplies, rescales, rotates and decrypts in the worker", async () => {
    const [cx, cy] = await Promise.all([remote.encrypt(x), remote.encrypt(new Float64Array(y))]);
    const product = await remote.evaluate("rescale", [await remote.evaluate("mulRelin", [cx, cy])]);
    const rotated = await remote.evaluate("rotate", [cx, -1]);
    const sum = await remote.evaluate("add", [product, rotated]);
    expect(worstError(await remote.decrypt(product), x.map((v, i) => v * y[i]!))).toBeLessThan(1e-3);
    expect(worstError(await remote.decrypt(rotated), [x[3]!, ...x.slice(0, 3)])).toBeLessThan(1e-3);
    expect(worstError(await remote.decrypt(sum), x.map((v, i) => v * y[i]! + x[(i + 3) % 4]!))).toBeLessThan(1e-3);
    const scaled = await remote.evaluate("multiplyConstant", [cx, 3]);
    expect(worstError(await remote.decrypt(scaled), x.map((v) => 3 * v))).toBeLessThan(1e-3);
  });

  it("reports its parameters, and its bytes and evaluation keys work on another thread", async () => {
    const params = loadParameters(remote.parameters.parameters, { allowInsecureParametersForTesting: true });
    expect(params.fingerprint).toBe(remote.parameters.fingerprint);
    expect(remote.parameters.maxSlots).toBe(params.maxSlots);
    expect(remote.parameters.maxLevel).toBe(params.maxLevel);
    // An evaluator here (a server, say) with the uploaded keys; encryption and decryption in the worker.
    const keys = await remote.generateKeys({ steps: [1] });
    const evaluator = new Evaluator(params, {
      relinearizationKey: loadSwitchingKey(params, keys.relinearizationKey),
      galoisKeys: loadGaloisKeys(params, keys.galoisKeys),
    });
    const cx = loadCiphertext(params, await remote.encrypt(x));
    const result = serializeCiphertext(evaluator.rotate(evaluator.rescale(evaluator.mulRelin(cx, cx)), 1));
    expect(worstError(await remote.decrypt(result), [...x.slice(1), x[0]!].map((v) => v * v))).toBeLessThan(1e-3);
    // The public key encrypts here for the worker's secret key.
    const encryptor = new Encryptor(params, loadPublicKey(params, keys.publicKey));
    const here = serializeCiphertext(encryptor.encrypt(new Encoder(params).encode(y)));
    expect(worstError(await remote.decrypt(here), y)).toBeLessThan(1e-3);
  });

  it("copies byte arguments by default and moves them with transfer: true", async () => {
    const ct = await remote.encrypt(x);
    const length = ct.byteLength;
    await remote.decrypt(ct);
    expect(ct.byteLength).toBe(length);
    await remote.evaluate("negate", [ct], { transfer: true });
    expect(ct.byteLength).toBe(0);
  });

  it("rejects with the worker's FheError and keeps serving", async () => {
    const ct = await remote.encrypt(x);
    await expectRejection(remote.evaluate("rotate", [ct, 3]), "MISSING_KEY");
    await expectRejection(remote.evaluate("bogus" as RemoteOperation, [ct]), "INVALID_ARGUMENT");
    await expectRejection(remote.evaluate("add", [ct, "text" as unknown as number]), "INVALID_ARGUMENT");
    await expectRejection(remote.evaluate("add", [ct]), "INVALID_ARGUMENT");
    await expectRejection(remote.decrypt(ct.slice(0, ct.length - 7)), "CORRUPT_DATA");
    await expectRejection(remote.encrypt([1, Number.NaN]), "INVALID_ARGUMENT");
    await expectRejection(remote.encrypt(7 as unknown as number[]), "INVALID_ARGUMENT");
    await expectRejection(remote.generateKeys({ steps: [1.5] }), "INVALID_ARGUMENT");
    expect(worstError(await remote.decrypt(ct), x)).toBeLessThan(1e-3);
  });

  it("runs over the two ports of a MessageChannel (endpoints with addEventListener)", async () => {
    const { port1, port2 } = new MessageChannel();
    serveContext(port2);
    const local = await RemoteContext.create(port1, { parameters: testLiterals.single });
    await local.generateKeys({ steps: [1] });
    expect(worstError(await local.decrypt(await local.evaluate("rotate", [await local.encrypt(x), 1])), [...x.slice(1), x[0]!])).toBeLessThan(1e-3);
    port1.close();
  });

  it("offers only evaluator methods that exist", () => {
    const evaluator = Evaluator.prototype as unknown as Record<string, unknown>;
    for (const name of remoteOperations) expect(typeof evaluator[name]).toBe("function");
  });

  it("refuses invalid parameters and calls before keys exist", async () => {
    await expectRejection(RemoteContext.create(startWorker(), { parameters: { logN: 11, logScale: 30, depth: 4 } }), "INVALID_PARAMETERS");
    const fresh = await RemoteContext.create(startWorker(), { parameters: testLiterals.single });
    await expectRejection(fresh.encrypt(x), "MISSING_KEY");
    await expectRejection(fresh.decrypt(new Uint8Array(8)), "MISSING_KEY");
    await expectRejection(RemoteContext.create({} as never, { parameters: testLiterals.single }), "INVALID_ARGUMENT");
    await expectRejection(RemoteContext.create(startWorker(), undefined as never), "INVALID_PARAMETERS");
  });

  it("rejects pending and later calls with WORKER_FAILED when the worker ends or the context closes", async () => {
    const worker = startWorker();
    const doomed = await RemoteContext.create(worker, { parameters: testLiterals.single });
    const pending = doomed.generateKeys();
    await worker.terminate();
    await expectRejection(pending, "WORKER_FAILED");
    await expectRejection(doomed.encrypt(x), "WORKER_FAILED");
    const closing = await RemoteContext.create(startWorker(), { parameters: testLiterals.single });
    const before = closing.generateKeys();
    closing.close();
    await expectRejection(before, "WORKER_FAILED");
    await expectRejection(closing.generateKeys(), "WORKER_FAILED");
  });
});
