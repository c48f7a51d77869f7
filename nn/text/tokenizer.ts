// A feature hasher for e-mails: tokens (email-tokens.ts) hashed with 32-bit FNV-1a into a fixed
// number of buckets, counts damped by log1p and the vector scaled to unit length. The client of
// an encrypted classifier runs this before encrypting; a model file records toJSON() so its
// features are made the same way at training and at prediction. No Node API, no dependency.

import { describe, FheError, isInteger } from "../../engine/ring/errors.js";
import { emailTokens } from "./email-tokens.js";
import { fnv1a32 } from "./fnv1a.js";

/** Fewest buckets (2^4). */
export const minBuckets = 16;
/** Most buckets (2^16). */
export const maxBuckets = 65536;

export interface HashingTokenizerOptions {
  /** Feature count: a power of two in [2^4, 2^16]. Default 1024. */
  readonly buckets?: number;
  /**
   * The sign trick (Weinberger et al.): bit 31 of a token's hash makes it count −1 instead of
   * +1, so collisions cancel on average. Default false.
   */
  readonly signed?: boolean;
}

/** The JSON form of a tokenizer: everything that determines its features. */
export interface HashingTokenizerConfig {
  readonly kind: "hashing-tokenizer";
  /** The tokenization rules and limits of this library (1); a change to them gets a new version. */
  readonly version: 1;
  readonly hash: "fnv1a32";
  readonly buckets: number;
  readonly signed: boolean;
}

/** The features of one text and how many tokens made them (0: the zero vector). */
export interface TextFeatures {
  readonly features: Float64Array;
  readonly tokenCount: number;
}

const configKeys = ["kind", "version", "hash", "buckets", "signed"];

/**
 * Turns e-mails (raw text, headers included, or just a body) into fixed-length feature vectors.
 *
 * Tokens: header and body split at the first blank line; words of informative header fields
 * prefixed with the field name ("subject:free"); the body cut to 256 KiB, quoted-printable
 * decoded when declared, base64 lines dropped, URLs reduced to "url:host", HTML tags removed
 * with a token "<a", "<img", "<font"... for tags that matter; words are lower-cased runs of
 * letters, digits and $ ! ', 2 to 30 characters, numbers replaced by their shape ("$###").
 *
 * Features: token t adds s(t) to bucket fnv1a32(t) mod buckets, where s(t) = 1, or with the
 * sign trick ±1 from bit 31 of the hash; each bucket's sum c becomes sign(c) · log1p(|c|) and
 * the vector is divided by its L2 norm. Without the sign trick every feature is in [0, 1], with
 * it in [−1, 1]; a text with no token (an empty message, only routing headers) gives the zero
 * vector, with `tokenCount` 0 from {@link analyze}.
 */
export class HashingTokenizer {
  readonly buckets: number;
  readonly signed: boolean;

  /** Bad options are INVALID_ARGUMENT. */
  constructor(options: HashingTokenizerOptions = {}) {
    const operation = "create HashingTokenizer";
    if (options === null || typeof options !== "object") {
      throw new FheError("INVALID_ARGUMENT", operation, `options must be an object such as { buckets: 1024 }, got ${describe(options)}`);
    }
    const buckets = options.buckets === undefined ? 1024 : options.buckets;
    const signed = options.signed === undefined ? false : options.signed;
    if (!isInteger(buckets) || buckets < minBuckets || buckets > maxBuckets || (buckets & (buckets - 1)) !== 0) {
      throw new FheError("INVALID_ARGUMENT", operation, `buckets must be a power of two in [2^4, 2^16] (16 to 65536), got ${describe(buckets)}`);
    }
    if (typeof signed !== "boolean") throw new FheError("INVALID_ARGUMENT", operation, `signed must be a boolean, got ${describe(signed)}`);
    this.buckets = buckets;
    this.signed = signed;
    Object.freeze(this);
  }

  /** The tokens of `text` (a string, else INVALID_ARGUMENT), header tokens first. */
  tokens(text: string): string[] {
    return emailTokens(checkText(text, "tokenize text"));
  }

  /** The feature vector of `text` and its token count. */
  analyze(text: string): TextFeatures {
    const tokens = this.tokens(text);
    const features = new Float64Array(this.buckets);
    const mask = this.buckets - 1;
    for (const token of tokens) {
      const h = fnv1a32(token);
      features[h & mask]! += this.signed && h >= 2 ** 31 ? -1 : 1;
    }
    let squares = 0;
    for (let i = 0; i < features.length; i++) {
      const c = features[i]!;
      const damped = c < 0 ? -Math.log1p(-c) : Math.log1p(c);
      features[i] = damped;
      squares += damped * damped;
    }
    if (squares > 0) {
      const norm = Math.sqrt(squares);
      for (let i = 0; i < features.length; i++) features[i]! /= norm;
    }
    return { features, tokenCount: tokens.length };
  }

  /** The feature vector of `text` (`buckets` values). */
  features(text: string): Float64Array {
    return this.analyze(text).features;
  }

  /** One feature vector per text, in order; a non-string element is INVALID_ARGUMENT naming its index. */
  featuresBatch(texts: readonly string[]): Float64Array[] {
    if (!Array.isArray(texts)) throw new FheError("INVALID_ARGUMENT", "tokenize texts", `texts must be an array of strings, got ${describe(texts)}`);
    texts.forEach((text: unknown, i) => checkText(text, "tokenize texts", `texts[${i}]`));
    return texts.map((text) => this.features(text));
  }

  toJSON(): HashingTokenizerConfig {
    return { kind: "hashing-tokenizer", version: 1, hash: "fnv1a32", buckets: this.buckets, signed: this.signed };
  }

  /** The tokenizer a {@link toJSON} result describes; anything else is CORRUPT_DATA. */
  static fromJSON(config: unknown): HashingTokenizer {
    const operation = "load HashingTokenizer";
    const corrupt = (reason: string) => new FheError("CORRUPT_DATA", operation, reason);
    if (config === null || typeof config !== "object" || Array.isArray(config)) throw corrupt(`the configuration must be an object, got ${describe(config)}`);
    const fields = config as Record<string, unknown>;
    const extra = Object.keys(fields).find((key) => !configKeys.includes(key));
    if (extra !== undefined) throw corrupt(`unknown field ${describe(extra)} (known fields: ${configKeys.join(", ")})`);
    const missing = configKeys.find((key) => !Object.hasOwn(fields, key));
    if (missing !== undefined) throw corrupt(`the field ${missing} is missing`);
    if (fields.kind !== "hashing-tokenizer") throw corrupt(`kind must be "hashing-tokenizer", got ${describe(fields.kind)}`);
    if (fields.version !== 1) throw corrupt(`version ${describe(fields.version)} is not supported: this library tokenizes by version 1`);
    if (fields.hash !== "fnv1a32") throw corrupt(`hash must be "fnv1a32", got ${describe(fields.hash)}`);
    try {
      return new HashingTokenizer({ buckets: fields.buckets as number, signed: fields.signed as boolean });
    } catch (error) {
      throw error instanceof FheError ? corrupt(error.reason) : error;
    }
  }
}

function checkText(text: unknown, operation: string, what = "text"): string {
  if (typeof text !== "string") throw new FheError("INVALID_ARGUMENT", operation, `${what} must be a string, got ${describe(text)}`);
  return text;
}
