// The demo page: keys in a Web Worker (RemoteContext), one key upload per session, then per digit
// encrypt (worker), send the ciphertext, decrypt the answer (worker), show the prediction, the
// ten scores and the time and bytes of each step. The main thread only draws and waits.

import { RemoteContext } from "../../engine/worker/index.js";
import { packSingle, unpackSingle } from "../../nn/layout.js";
import type { DemoConfig, DemoDigit } from "../server/protocol.js";
import { argmax, fetchConfig, openSession, requestPrediction } from "./demo-client.js";
import { digitize } from "./digitize.js";

const base = location.origin;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>("pad");
const padContext = pad.getContext("2d", { willReadFrequently: true })!;
const classify = $<HTMLButtonElement>("classify");
const status = (text: string): void => {
  $("status").textContent = text;
};
const figures = new Map<string, [string, string]>();
const kib = (bytes: number): string => bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;

function figure(step: string, ms: number | undefined, bytes?: number): void {
  figures.set(step, [ms === undefined ? "" : `${ms.toFixed(0)} ms`, bytes === undefined ? "" : kib(bytes)]);
  $("figures").querySelector("tbody")!.innerHTML = [...figures].map(([name, [t, b]]) => `<tr><td>${name}</td><td>${t}</td><td>${b}</td></tr>`).join("");
}

function showImage(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const small = new OffscreenCanvas(28, 28);
  const context = small.getContext("2d")!;
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * pixels[i]!);
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  const target = canvas.getContext("2d")!;
  target.imageSmoothingEnabled = false;
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function showScores(scores: Float64Array, predicted: number): void {
  const svg = $("scores");
  const [w, h, bar] = [360, 150, 30];
  // Bars from the lowest score (logits can be negative), labelled with the score.
  const [low, high] = [Math.min(...scores), Math.max(...scores)];
  svg.innerHTML = Array.from(scores, (s, d) => {
    const height = Math.max(1, ((s - low) / Math.max(high - low, 1e-9)) * (h - 20));
    const x = d * (w / 10) + 3;
    return `<rect x="${x}" y="${h - height}" width="${bar}" height="${height}" fill="${d === predicted ? "#2b6cde" : "#9aa5b8"}"/>` +
      `<text x="${x + bar / 2}" y="${h + 16}" text-anchor="middle" font-size="13">${d}</text>` +
      `<text x="${x + bar / 2}" y="${h - height - 3}" text-anchor="middle" font-size="9" fill="#4a5263">${s.toFixed(1)}</text>`;
  }).join("");
}

// Drawing: thick white strokes on black, like MNIST's ink.
let drawing = false;
let drawn: Float64Array | undefined;
padContext.lineCap = "round";
padContext.lineJoin = "round";
padContext.lineWidth = 22;
padContext.strokeStyle = "#fff";
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  padContext.beginPath();
  padContext.moveTo(e.offsetX, e.offsetY);
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  padContext.lineTo(e.offsetX, e.offsetY);
  padContext.stroke();
});
const endStroke = (): void => {
  if (!drawing) return;
  drawing = false;
  const { data } = padContext.getImageData(0, 0, pad.width, pad.height);
  const ink = new Float64Array(pad.width * pad.height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i]! / 255;
  drawn = digitize(ink, pad.width, pad.height);
  document.querySelectorAll("#digits canvas").forEach((c) => c.classList.remove("picked"));
  showImage($<HTMLCanvasElement>("input"), drawn);
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointerleave", endStroke);
$("clear").addEventListener("click", () => {
  padContext.clearRect(0, 0, pad.width, pad.height);
  drawn = undefined;
});

async function start(): Promise<void> {
  const config: DemoConfig = await fetchConfig(base);
  const digits = await (await fetch(`${base}/api/digits`)).json() as DemoDigit[];
  for (const digit of digits) {
    const thumb = document.createElement("canvas");
    [thumb.width, thumb.height, thumb.title] = [28, 28, `test digit ${digit.label}`];
    thumb.dataset.label = String(digit.label);
    showImage(thumb, digit.pixels.map((p) => p / 255));
    thumb.addEventListener("click", () => {
      drawn = Float64Array.from(digit.pixels, (p) => p / 255);
      document.querySelectorAll("#digits canvas").forEach((c) => c.classList.toggle("picked", c === thumb));
      showImage($<HTMLCanvasElement>("input"), drawn);
      void run();
    });
    $("digits").append(thumb);
  }

  status("Generating keys in a Web Worker…");
  let t = performance.now();
  const worker = new Worker(new URL("./ckks-worker.js", import.meta.url), { type: "module" });
  const remote = await RemoteContext.create(worker, { parameters: config.parameters });
  if (remote.parameters.fingerprint !== config.fingerprint) throw new Error("the worker's parameters differ from the server's");
  const keys = await remote.generateKeys({ steps: [...config.rotationSteps], conjugate: false });
  figure("key generation (worker)", performance.now() - t);
  status("Uploading the evaluation keys…");
  const session = await openSession(base, keys.relinearizationKey, keys.galoisKeys);
  figure(`key upload (once; ${config.rotationSteps.length} Galois keys + relinearization)`, session.ms, session.bytes);

  let busy = false;
  async function run(): Promise<void> {
    if (busy || drawn === undefined) return;
    busy = true;
    classify.disabled = true;
    document.body.dataset.state = "busy";
    status("Encrypting, evaluating on the server, decrypting…");
    try {
      const roundTrip = performance.now();
      t = performance.now();
      const ciphertext = await remote.encrypt(packSingle(config.inputLayout, drawn), { level: config.inputLevel, slots: config.inputLayout.slots });
      const encryptMs = performance.now() - t;
      const answer = await requestPrediction(base, session.session, ciphertext);
      t = performance.now();
      const slots = await remote.decrypt(answer.ciphertext);
      const scores = unpackSingle(config.outputLayout, slots);
      const decryptMs = performance.now() - t;
      const predicted = argmax(scores);
      const totalMs = performance.now() - roundTrip;
      $("prediction").textContent = String(predicted);
      showScores(scores, predicted);
      figure("encrypt (worker)", encryptMs);
      figure("request: ciphertext up", undefined, answer.requestBytes);
      figure("server evaluation", answer.evaluationMs);
      figure("response: encrypted scores down", undefined, answer.responseBytes);
      figure("request to response (network + queue + evaluation)", answer.ms);
      figure("decrypt (worker)", decryptMs);
      figure("round trip", totalMs);
      document.body.dataset.roundTripMs = totalMs.toFixed(1);
      status("Done: the server saw only ciphertexts.");
      document.body.dataset.state = "done";
    } catch (error) {
      status(`Failed: ${error instanceof Error ? error.message : String(error)}`);
      document.body.dataset.state = "failed";
    } finally {
      busy = false;
      classify.disabled = false;
    }
  }
  classify.addEventListener("click", () => void run());
  classify.disabled = false;
  status("Ready: draw a digit and press Encrypt and classify, or pick a test digit.");
  document.body.dataset.state = "ready";
}

start().catch((error: unknown) => {
  status(`Failed: ${error instanceof Error ? error.message : String(error)}`);
  document.body.dataset.state = "failed";
});
