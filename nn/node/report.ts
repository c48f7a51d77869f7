// Shared helpers of the Node entry points: model file lookup and parameter descriptions.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Parameters } from "../../engine/parameters.js";

/** The shipped model file for a name ("cryptonets", "cryptodl"), or the path itself. */
export function modelFile(nameOrPath: string): string {
  if (nameOrPath === "cryptonets" || nameOrPath === "cryptodl") {
    // dist/nn/node → repository root/models
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const file = `${root}models/${nameOrPath}.json`;
    if (!existsSync(file)) throw new Error(`the shipped model ${file} is missing: run npm run train -- --model ${nameOrPath}`);
    return file;
  }
  if (!existsSync(nameOrPath)) throw new Error(`model file ${nameOrPath} not found`);
  return nameOrPath;
}

/** "N = 2^13, 4096 slots, scale 2^29, depth 5, log QP 215.0, 128-bit" and the like. */
export function describeParameters(params: Parameters): string {
  return `N = 2^${params.logN}, ${params.maxSlots} slots, scale 2^${params.logScale}, depth ${params.maxLevel}, log QP ${params.logQP.toFixed(1)}, ${params.insecure ? "INSECURE (test only)" : "128-bit security (HE standard)"}`;
}
