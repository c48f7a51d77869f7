// Command-line options of `npm run hnn`.

import { FheError } from "../../engine/ring/errors.js";

export type FeatureKind = "hashed" | "use";

export interface HnnArgs {
  readonly features: FeatureKind;
  /** Where to write the JSON report (optional). */
  readonly json?: string;
  /** Hash buckets of the hashed features (a power of two). */
  readonly buckets: number;
  readonly epochs: number;
  readonly seed: number;
  /** Evaluate encrypted only the first `limit` test messages (default: all). */
  readonly limit?: number;
  /** Where the trained model is written (default models/hnn-spam-<features>.json). */
  readonly out: string;
}

export const usage =
  "usage: npm run hnn -- --features hashed|use [--json FILE] [--buckets 4096] [--epochs E] [--seed S] [--limit N] [--out FILE]";

function invalid(reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", "parse the hnn options", `${reason}\n${usage}`);
}

function integer(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw invalid(`${flag} needs an integer of at least ${min}, got ${text === undefined ? "nothing" : JSON.stringify(text)}`);
  }
  return value;
}

const flags = ["--features", "--json", "--buckets", "--epochs", "--seed", "--limit", "--out"];

/** Parses `argv` (the arguments after the script); FheError INVALID_ARGUMENT names the bad option. */
export function parseHnnArgs(argv: readonly string[]): HnnArgs {
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    if (!flags.includes(flag)) throw invalid(`unknown option ${JSON.stringify(flag)}`);
    if (values.has(flag)) throw invalid(`${flag} is given twice`);
    values.set(flag, argv[i + 1]);
  }
  const features = values.get("--features") ?? "hashed";
  if (features !== "hashed" && features !== "use") throw invalid(`--features must be hashed or use, got ${JSON.stringify(features)}`);
  const buckets = values.has("--buckets") ? integer("--buckets", values.get("--buckets"), 16) : 4096;
  if ((buckets & (buckets - 1)) !== 0 || buckets > 4096) throw invalid(`--buckets must be a power of two from 16 to 4096, got ${buckets}`);
  const json = values.get("--json");
  if (values.has("--json") && (json === undefined || json === "")) throw invalid("--json needs a file name");
  const out = values.get("--out") ?? `models/hnn-spam-${features}.json`;
  return {
    features, buckets, out,
    epochs: values.has("--epochs") ? integer("--epochs", values.get("--epochs"), 1) : features === "hashed" ? 12 : 30,
    seed: values.has("--seed") ? integer("--seed", values.get("--seed"), 0) : 1,
    ...(json === undefined ? {} : { json }),
    ...(values.has("--limit") ? { limit: integer("--limit", values.get("--limit"), 1) } : {}),
  };
}
