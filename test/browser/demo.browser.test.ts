// The web demo end to end in headless Chromium (Debian's chromium through playwright-core): the
// demo server on 127.0.0.1, the page generating keys in its worker and uploading them once,
// then a picked test digit and a digit drawn with the mouse encrypted, evaluated on the server and
// decrypted; the shown digit is the plaintext model's prediction (for the drawing: on the pad's
// ink as the page digitizes it). Prints the figures and the longest main-thread task during
// the round trip (Long Tasks API; printed, not asserted: no timings in tests). With
// DEMO_SCREENSHOT=path it also saves a screenshot of the page (the README's).

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digitize } from "../../demo/client/digitize.js";
import { startDemoServer, type DemoServer } from "../../demo/server/app.js";
import { compileDemoModel, demoDigits, demoParameters } from "../../demo/server/model.js";
import type { CompiledModel } from "../../nn/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";

describe("the web demo in headless Chromium", () => {
  let compiled: CompiledModel;
  let server: DemoServer;
  let browser: Browser;
  const logs: string[] = [];
  const digits = demoDigits();

  beforeAll(async () => {
    if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    compiled = compileDemoModel(root);
    server = await startDemoServer({ compiled, parameters: demoParameters, root, digits, log: (line) => logs.push(line) });
    browser = await chromium.launch({ executablePath, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    compiled?.dispose();
  });

  it("a picked test digit, then a drawn one: the page shows the plaintext model's predictions; the server logged only sizes and ids", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.addInitScript(() => {
      const tasks: { start: number; duration: number }[] = [];
      (globalThis as unknown as { longTasks: typeof tasks }).longTasks = tasks;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await page.goto(server.url);
    await page.waitForSelector("body[data-state=ready]", { timeout: 120_000 });
    const digit = digits[7]!;
    const before = await page.evaluate(() => performance.now());
    await page.click(`#digits canvas[data-label="${digit.label}"]`);
    await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
    const after = await page.evaluate(() => performance.now());
    const shown = Number(await page.textContent("#prediction"));
    const scores = compiled.model.predictPlain(digit.pixels.map((p) => p / 255));
    const expected = scores.indexOf(Math.max(...scores));
    expect(errors).toEqual([]);
    expect(shown).toBe(expected);
    const longest = await page.evaluate(([from, to]) => {
      const tasks = (globalThis as unknown as { longTasks: { start: number; duration: number }[] }).longTasks;
      return Math.max(0, ...tasks.filter((t) => t.start + t.duration >= from! && t.start <= to!).map((t) => t.duration));
    }, [before, after]);
    const figures = await page.$$eval("#figures tr", (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent).join(" | ")));
    console.log(`[web demo] digit ${digit.label}: shown ${shown}, plaintext ${expected}; longest main-thread task during the round trip ${longest} ms ` +
      `(0: none over 50 ms)\n  ${figures.join("\n  ")}\n  server log:\n  ${logs.join("\n  ")}`);
    // The server's log: sizes, ids and times only.
    expect(logs.some((l) => /session [0-9a-f]{8} opened: keys \d+ B/.test(l))).toBe(true);
    expect(logs.some((l) => /ciphertext \d+ B in/.test(l))).toBe(true);
    if (process.env.DEMO_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.DEMO_SCREENSHOT });

    // A drawn digit: a stroke on the pad, classified; the shown digit is the plaintext model's
    // prediction on the pad's ink as digitize makes it.
    await page.click("#clear");
    const pad = (await page.locator("#pad").boundingBox())!;
    await page.mouse.move(pad.x + 150, pad.y + 40);
    await page.mouse.down();
    for (const [x, y] of [[140, 100], [132, 170], [128, 240]] as const) await page.mouse.move(pad.x + x, pad.y + y, { steps: 8 });
    await page.mouse.up();
    const ink = await page.evaluate(() => {
      const canvas = document.getElementById("pad") as HTMLCanvasElement;
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      return Array.from({ length: canvas.width * canvas.height }, (_, i) => data[4 * i]! / 255);
    });
    await page.click("#classify");
    await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
    const drawnScores = compiled.model.predictPlain(digitize(ink, 280, 280));
    expect(Number(await page.textContent("#prediction"))).toBe(drawnScores.indexOf(Math.max(...drawnScores)));
    expect(errors).toEqual([]);
  });
});
