// Command-line options of `npm run train`.

import { FheError } from "../../engine/index.js";
import type { ArchitectureName } from "./architectures.js";

export type DatasetName = "mnist" | "fashion";

export interface TrainArgs {
  readonly model: ArchitectureName;
  /** Default: the architecture's own. */
  readonly epochs?: number;
  readonly seed: number;
  readonly out: string;
  readonly dataset: DatasetName;
  /** Train on the first `limit` training items only (a quick trial); default all 60,000. */
  readonly limit?: number;
}

export const usage =
  "usage: npm run train -- --model cryptonets|cryptodl [--epochs E] [--seed S] [--out FILE] [--dataset mnist|fashion] [--limit N]";

function invalid(reason: string): FheError {
  return new FheError("INVALID_ARGUMENT", "parse the training options", `${reason}\n${usage}`);
}

function positiveInteger(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw invalid(`${flag} needs an integer of at least ${min}, got ${text === undefined ? "nothing" : JSON.stringify(text)}`);
  }
  return value;
}

/** Parses `argv` (the arguments after the script). Throws `FheError` ("INVALID_ARGUMENT") naming the bad option. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    if (!["--model", "--epochs", "--seed", "--out", "--dataset", "--limit"].includes(flag)) throw invalid(`unknown option ${JSON.stringify(flag)}`);
    if (values.has(flag)) throw invalid(`${flag} is given twice`);
    values.set(flag, argv[i + 1]);
  }
  const model = values.get("--model");
  if (model !== "cryptonets" && model !== "cryptodl") {
    throw invalid(`--model must be cryptonets or cryptodl, got ${model === undefined ? "nothing" : JSON.stringify(model)}`);
  }
  const dataset = values.get("--dataset") ?? "mnist";
  if (dataset !== "mnist" && dataset !== "fashion") throw invalid(`--dataset must be mnist or fashion, got ${JSON.stringify(dataset)}`);
  const out = values.has("--out") ? values.get("--out") : `models/${model}${dataset === "fashion" ? "-fashion" : ""}.json`;
  if (out === undefined || out === "") throw invalid("--out needs a file name");
  return {
    model, dataset, out,
    seed: values.has("--seed") ? positiveInteger("--seed", values.get("--seed"), 0) : 1,
    ...(values.has("--epochs") ? { epochs: positiveInteger("--epochs", values.get("--epochs"), 1) } : {}),
    ...(values.has("--limit") ? { limit: positiveInteger("--limit", values.get("--limit"), 1) } : {}),
  };
}
