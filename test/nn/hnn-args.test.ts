// Options of `npm run hnn`: defaults, every option, and the refusals naming the bad option.

import { describe, expect, it } from "vitest";
import { FheError } from "../../engine/index.js";
import { parseHnnArgs } from "../../nn/node/hnn-args.js";

describe("hnn options", () => {
  it("defaults to hashed features, 4096 buckets, and a model file per feature kind", () => {
    expect(parseHnnArgs([])).toEqual({ features: "hashed", buckets: 4096, epochs: 12, seed: 1, out: "models/hnn-spam-hashed.json" });
    expect(parseHnnArgs(["--features", "use", "--json", "r.json", "--limit", "10"])).toMatchObject({ features: "use", json: "r.json", limit: 10, epochs: 30, out: "models/hnn-spam-use.json" });
  });

  it("refuses unknown, repeated or malformed options", () => {
    for (const argv of [["--feature", "use"], ["--features", "bert"], ["--buckets", "1000"], ["--buckets", "8192"], ["--epochs", "0"], ["--json"], ["--seed", "1", "--seed", "2"]]) {
      expect(() => parseHnnArgs(argv)).toThrow(FheError);
    }
    expect(() => parseHnnArgs(["--buckets", "1000"])).toThrow(/power of two/);
  });
});
