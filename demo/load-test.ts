// `npm run test:load`: 20 concurrent simulated clients against the demo server (a child process
// on 127.0.0.1), the page's protocol: each opens its own session (key upload) and then sends
// test digits one after another for a bounded time, decrypting every answer and checking its
// argmax against the plaintext model. The server's RSS is sampled every second; after warm-up
// (every client answered twice, then 5 s) it must stay within 10% of its value then. Exits 1 on
// a wrong answer, a failed request, a server crash, or growing memory.
//
// Environment: LOAD_CLIENTS (20), LOAD_SECONDS (60), LOAD_KEYSETS (default: one per client; fewer
// share key generation round-robin, every client still opening its own session).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Decryptor } from "../engine/decryptor.js";
import { Encoder } from "../engine/encoding/encoder.js";
import { Encryptor } from "../engine/encryptor.js";
import { KeyGenerator } from "../engine/key-generator.js";
import { Parameters } from "../engine/parameters.js";
import { loadCiphertext, serializeCiphertext, serializeGaloisKeys, serializeSwitchingKey } from "../engine/serialization/serialize.js";
import { loadMnist } from "../nn/data/mnist.js";
import { packSingle, unpackSingle } from "../nn/layout.js";
import { Sequential } from "../nn/sequential.js";
import { argmax, fetchConfig, openSession, requestPrediction } from "./client/demo-client.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const clients = Number(process.env.LOAD_CLIENTS ?? 20);
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const keySets = Math.min(clients, Number(process.env.LOAD_KEYSETS ?? clients));

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<number> {
  const server = spawn(process.execPath, [join(root, "dist", "demo", "server.js")], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  let serverLines = 0;
  let exited: number | null | undefined;
  server.on("exit", (code) => {
    exited = code;
  });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout.setEncoding("utf8");
    server.stdout.on("data", (text: string) => {
      serverLines += text.split("\n").length - 1;
      const found = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (found !== null) resolve(found[1]!);
    });
    server.on("exit", () => reject(new Error("the server exited before listening")));
  });
  try {
    const config = await fetchConfig(url);
    const params = Parameters.create(config.parameters);
    const model = Sequential.fromJSON(readFileSync(join(root, "models", "cryptonets.json"), "utf8"));
    const data = loadMnist({ split: "test", limit: 200 });
    const images = Array.from({ length: data.count }, (_, i) => data.images.subarray(784 * i, 784 * (i + 1)));
    const expected = images.map((image) => argmax(model.predictPlain(image)));
    const encoder = new Encoder(params);
    const keygenStart = performance.now();
    const sets = Array.from({ length: keySets }, () => {
      const keygen = new KeyGenerator(params);
      return {
        encryptor: new Encryptor(params, keygen.secretKey), decryptor: new Decryptor(params, keygen.secretKey),
        relinearization: serializeSwitchingKey(keygen.createRelinearizationKey()),
        galois: serializeGaloisKeys(keygen.createGaloisKeys({ steps: [...config.rotationSteps], conjugate: false })),
      };
    });
    console.log(`${keySets} key sets generated in ${((performance.now() - keygenStart) / 1000).toFixed(1)} s; ${clients} clients for ${seconds} s against ${url}`);

    const start = performance.now();
    const deadline = start + seconds * 1000;
    const samples: { t: number; rss: number }[] = [];
    const sampler = setInterval(() => {
      if (exited === undefined) samples.push({ t: performance.now(), rss: rssOf(server.pid!) });
    }, 1000);
    const done = new Array<number>(clients).fill(0);
    let warmedAt: number | undefined;
    const stats = { answers: 0, wrong: 0, failed: 0, busy: 0, uploadBytes: 0, requestMs: [] as number[], evaluationMs: [] as number[] };
    const runClient = async (c: number): Promise<void> => {
      const set = sets[c % keySets]!;
      let session: string;
      try {
        const opened = await openSession(url, set.relinearization, set.galois);
        session = opened.session;
        stats.uploadBytes = opened.bytes;
      } catch (error) {
        stats.failed++;
        console.log(`client ${c}: session failed: ${String(error)}`);
        return;
      }
      for (let k = 0; performance.now() < deadline; k++) {
        const i = (c * 7 + k) % images.length;
        const ct = (() => {
          using pt = encoder.encode(packSingle(config.inputLayout, images[i]!), { level: config.inputLevel, slots: config.inputLayout.slots });
          using x = set.encryptor.encrypt(pt);
          return serializeCiphertext(x);
        })();
        try {
          const answer = await requestPrediction(url, session, ct);
          using y = loadCiphertext(params, answer.ciphertext);
          using pt = set.decryptor.decrypt(y);
          const predicted = argmax(unpackSingle(config.outputLayout, encoder.decode(pt)));
          stats.answers++;
          if (predicted !== expected[i]) {
            stats.wrong++;
            console.log(`client ${c}: digit ${i} decrypted to ${predicted}, the plaintext model says ${expected[i]}`);
          }
          stats.requestMs.push(answer.ms);
          stats.evaluationMs.push(answer.evaluationMs);
          done[c]!++;
          if (warmedAt === undefined && done.every((n) => n >= 2)) warmedAt = performance.now() + 5000;
        } catch (error) {
          stats.failed++;
          console.log(`client ${c}: request failed: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, c) => runClient(c)));
    clearInterval(sampler);
    const wall = (performance.now() - start) / 1000;
    const after = warmedAt === undefined ? [] : samples.filter((s) => s.t >= warmedAt!);
    const base = after[0]?.rss ?? 0;
    const peak = Math.max(0, ...after.map((s) => s.rss));
    const flat = after.length >= 5 && peak <= 1.1 * base;
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;
    console.log(`answers ${stats.answers} in ${wall.toFixed(1)} s (${(stats.answers / wall).toFixed(2)}/s), wrong ${stats.wrong}, failed ${stats.failed}, ` +
      `server ${exited === undefined ? "alive" : `exited (${exited})`}, ${serverLines} server log lines`);
    console.log(`key upload ${stats.uploadBytes} B per session; request round trip median ${median(stats.requestMs).toFixed(0)} ms under load ` +
      `(queue included), server evaluation median ${median(stats.evaluationMs).toFixed(0)} ms`);
    console.log(`server RSS: start ${mib(samples[0]?.rss ?? 0)}, after warm-up ${mib(base)}, peak after warm-up ${mib(peak)} ` +
      `(${after.length} samples, ${base > 0 ? (100 * (peak / base - 1)).toFixed(1) : "?"}% above), overall peak ${mib(Math.max(0, ...samples.map((s) => s.rss)))}: ${flat ? "flat" : "NOT flat"}`);
    const ok = stats.wrong === 0 && stats.failed === 0 && exited === undefined && flat && stats.answers > 0;
    console.log(ok ? "load test passed" : "load test FAILED");
    return ok ? 0 : 1;
  } finally {
    server.kill("SIGINT");
  }
}

process.exitCode = await main();
