// The library in headless Chromium (Debian's chromium, driven by playwright-core; no browser
// download): the smoke path on a page and in a module Web Worker, each also with
// Symbol.dispose removed before the library loads, a RemoteContext over a MessagePort, and a
// page's encrypted round trip through a RemoteContext worker, with the main thread's longest task measured (printed, not asserted:
// no timings in tests). Needs the build (npm run test:browser runs it first).

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStatic, type StaticServer } from "./static-server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
const fixtures = "/test/browser/fixtures";

interface SmokeRun {
  readonly removed: boolean;
  readonly inWorker: boolean;
  readonly registeredSymbol: boolean;
  readonly smoke: {
    readonly mulRelinError: number;
    readonly rotateError: number;
    readonly disposeIsSymbol: boolean;
    readonly liveAtStart: number;
    readonly liveBefore: number;
    readonly liveAfterSymbolDispose: number;
    readonly liveAtEnd: number;
  };
}

function expectSmoke(run: SmokeRun, withoutDispose: boolean, inWorker: boolean): void {
  expect(run.removed).toBe(withoutDispose);
  expect(run.inWorker).toBe(inWorker);
  expect(run.registeredSymbol).toBe(withoutDispose);
  expect(run.smoke.mulRelinError).toBeLessThan(1e-3);
  expect(run.smoke.rotateError).toBeLessThan(1e-3);
  expect(run.smoke.disposeIsSymbol).toBe(true);
  expect(run.smoke.liveAfterSymbolDispose).toBe(run.smoke.liveBefore - 1);
  expect(run.smoke.liveAtEnd).toBe(run.smoke.liveAtStart);
}

describe("in headless Chromium", () => {
  let server: StaticServer;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(executablePath)) {
      throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    }
    server = await serveStatic(root);
    browser = await chromium.launch({ executablePath, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function freshPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.url}${fixtures}/blank.html`);
    return page;
  }

  /**
   * Calls an export of a fixture module on the page with JSON arguments. A string, not a
   * function: vitest would rewrite a function's import() into its own loader.
   */
  async function callModule(page: Page, module: string, name: string, ...args: unknown[]): Promise<unknown> {
    const url = JSON.stringify(`${server.url}${fixtures}/${module}`);
    return page.evaluate(`import(${url}).then((m) => m.${name}(...${JSON.stringify(args)}))`);
  }

  async function onPage(withoutDispose: boolean): Promise<SmokeRun> {
    return await callModule(await freshPage(), "smoke.mjs", "smoke", withoutDispose) as SmokeRun;
  }

  async function inWorker(withoutDispose: boolean): Promise<SmokeRun> {
    const page = await freshPage();
    const url = `${server.url}${fixtures}/smoke-worker.mjs${withoutDispose ? "?without-dispose" : ""}`;
    const reply = await page.evaluate((script) => new Promise<{ result?: unknown; error?: string }>((resolve) => {
      const worker = new Worker(script, { type: "module" });
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => resolve({ error: event.message || "the worker failed to load" });
    }), url);
    expect(reply.error).toBeUndefined();
    return reply.result as SmokeRun;
  }

  it("runs the smoke path on a page", async () => {
    expectSmoke(await onPage(false), false, false);
  });

  it("runs the smoke path on a page without Symbol.dispose", async () => {
    expectSmoke(await onPage(true), true, false);
  });

  it("runs the smoke path in a Web Worker", async () => {
    expectSmoke(await inWorker(false), false, true);
  });

  it("runs the smoke path in a Web Worker without Symbol.dispose", async () => {
    expectSmoke(await inWorker(true), true, true);
  });

  it("serves a RemoteContext over a MessagePort handed to a worker", async () => {
    const parameters = { logN: 11, logScale: 30, depth: 2, allowInsecureParametersForTesting: true };
    expect(await callModule(await freshPage(), "port.mjs", "overPort", parameters, [1, 2, 3, 4])).toEqual([2, 3, 4, 1]);
  });

  it("round-trips through a RemoteContext worker; prints the main thread's longest task", async () => {
    const page = await freshPage();
    const values = Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 101 - 0.5);
    const parameters = { logN: 13, logScale: 29, depth: 4 };
    const result = await callModule(page, "round-trip.mjs", "roundTrip", parameters, values) as {
      worstError: number; slots: number; longTaskSupported: boolean; [figure: string]: unknown;
    };
    console.log(`browser round trip at inference13 (784 values): ${JSON.stringify(result)}`);
    expect(result.worstError).toBeLessThan(1e-2);
    expect(result.slots).toBe(1024);
    expect(result.longTaskSupported).toBe(true);
    expect(errors).toEqual([]);
  });
});
