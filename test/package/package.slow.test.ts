// Slow suite: the package as npm publishes it. `npm pack` (which builds through prepack), the
// tarball's contents and manifest, an install into an empty project, every subpath imported by
// name and run (smoke path, a RemoteContext in a worker thread), and the declarations compiled
// by a user with lib es2022 only (no DOM, no @types/node, skipLibCheck off).

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = join(root, "test", "package", "consumer");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface PackedFile {
  readonly path: string;
}

describe("the packed package", () => {
  let dir: string;
  let files: string[];
  let manifest: Record<string, unknown>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ckks-pack-"));
    const report = execFileSync(npm, ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" });
    const [packed] = JSON.parse(report.slice(report.indexOf("["))) as [{ filename: string; files: PackedFile[] }];
    files = packed.files.map((f) => f.path);
    const project = join(dir, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
    for (const name of ["check.mjs", "serve.mjs", "consumer.ts", "tsconfig.json"]) copyFileSync(join(fixtures, name), join(project, name));
    execFileSync(npm, ["install", join(dir, packed.filename), "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project, stdio: "ignore" });
    manifest = JSON.parse(readFileSync(join(project, "node_modules", "wasm-ckks", "package.json"), "utf8")) as Record<string, unknown>;
  }, 300_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("ships the license and built code, no source maps, no training scripts, no TypeScript sources", () => {
    expect(files).toContain("LICENSE");
    expect(files).toContain("dist/engine/index.js");
    expect(files).toContain("dist/engine/ring/index.d.ts");
    expect(files).toContain("dist/engine/worker/index.js");
    expect(files).toContain("models/cryptonets.json");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("dist/nn/train/"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("has a publishable manifest: not private, MIT, no prepare script, a build in prepack", () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe("MIT");
    const scripts = manifest.scripts as Record<string, string>;
    expect(scripts.prepare).toBeUndefined();
    expect(scripts.prepack).toMatch(/build/);
    expect(Object.keys(manifest.exports as object)).toEqual(expect.arrayContaining([".", "./ring", "./worker", "./nn"]));
  });

  it("imports by name in an empty project and runs, also in a worker thread", () => {
    const smokePath = pathToFileURL(join(root, "test", "helpers", "smoke-path.mjs")).href;
    const output = execFileSync(process.execPath, ["check.mjs", smokePath], { cwd: join(dir, "consumer"), encoding: "utf8" });
    const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
      smoke: { mulRelinError: number; rotateError: number; liveAtEnd: number; liveAtStart: number };
      remote: number[];
      topLevelHasRingAdd: boolean;
      ring: boolean;
      sameError: boolean;
      nn: boolean;
    };
    expect(result.smoke.mulRelinError).toBeLessThan(1e-3);
    expect(result.smoke.rotateError).toBeLessThan(1e-3);
    expect(result.smoke.liveAtEnd).toBe(result.smoke.liveAtStart);
    expect(result.remote).toEqual([2, 3, 4, 1]);
    expect(result.topLevelHasRingAdd).toBe(false);
    expect(result.ring).toBe(true);
    expect(result.sameError).toBe(true);
    expect(result.nn).toBe(true);
  });

  it("type-checks for a user with lib es2022 only", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: join(dir, "consumer"), encoding: "utf8" });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
