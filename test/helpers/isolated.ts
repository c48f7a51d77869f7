// Runs a snippet against the engine in a worker thread with a time limit, for calls that may
// hang (a synchronous infinite loop cannot be interrupted in the test's own thread, but a
// worker can be terminated). The engine's TypeScript sources are transpiled once per process
// into a temporary directory (typescript.transpileModule, no type checking).

import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let built: { entry: string; worker: string; dir: string } | undefined;

/** Removes the transpiled engine (call from afterAll). */
export function cleanUpIsolated(): void {
  if (built !== undefined) rmSync(built.dir, { recursive: true, force: true });
  built = undefined;
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Transpiles engine/ to plain ES modules (once) and writes the worker script. */
function build(): { entry: string; worker: string; dir: string } {
  if (built !== undefined) return built;
  const out = mkdtempSync(join(tmpdir(), "ckks-isolated-"));
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  for (const file of listTs(join(root, "engine"))) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = join(out, relative(root, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  const worker = join(out, "worker.mjs");
  writeFileSync(worker, `
import { parentPort, workerData } from "node:worker_threads";
const lib = await import(workerData.entry);
const setup = new Function("lib", workerData.setup);
const context = setup(lib);
parentPort.postMessage({ status: "ready" });
const body = new Function("lib", "context", workerData.body);
try {
  const value = body(lib, context);
  parentPort.postMessage({ status: "returned", type: value === null ? "null" : typeof value });
} catch (error) {
  parentPort.postMessage({
    status: "threw",
    name: error && error.constructor ? error.constructor.name : typeof error,
    isFheError: error instanceof lib.FheError,
    code: error && error.code,
    message: String(error && error.message !== undefined ? error.message : error),
  });
}
`);
  built = { entry: pathToFileURL(join(out, "engine", "index.js")).href, worker, dir: out };
  return built;
}

export type IsolatedOutcome =
  | { status: "returned"; type: string }
  | { status: "threw"; name: string; isFheError: boolean; code: unknown; message: string }
  | { status: "timeout"; ms: number };

/**
 * Runs `setup` (a function body receiving `lib`, the engine's exports, returning a context)
 * untimed, then `body` (receiving `lib` and `context`) with a limit of `timeoutMs`.
 */
export async function runIsolated(setup: string, body: string, timeoutMs = 5000): Promise<IsolatedOutcome> {
  const { entry, worker: script } = build();
  const worker = new Worker(script, { workerData: { entry, setup, body } });
  try {
    return await new Promise<IsolatedOutcome>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      worker.on("message", (message: IsolatedOutcome | { status: "ready" }) => {
        if (message.status === "ready") {
          timer = setTimeout(() => resolve({ status: "timeout", ms: timeoutMs }), timeoutMs);
          return;
        }
        clearTimeout(timer);
        resolve(message);
      });
      worker.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await worker.terminate();
  }
}
