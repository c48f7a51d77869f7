// The e-mail tokenizer and feature hasher: FNV-1a known vectors, header/body handling, quoted-
// printable, HTML and URLs, word rules, the log1p + L2 features, and bad input (non-strings,
// empty messages, binary junk, 10 MB messages, bad bucket counts, bad JSON configurations).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fnv1a32 } from "../../nn/text/fnv1a.js";
import { maxBodyLength, maxHeaderLength } from "../../nn/text/message.js";
import { HashingTokenizer, type HashingTokenizerConfig } from "../../nn/text/tokenizer.js";
import { expectFheError } from "../helpers/ckks.js";

const tokenizer = new HashingTokenizer();
const tokens = (text: string) => tokenizer.tokens(text);

/** FNV-1a over bytes, the textbook definition. */
function fnvReference(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Number((BigInt(h ^ b) * 16777619n) % 2n ** 32n);
  return h >>> 0;
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32-bit vectors", () => {
    const vectors: [string, number][] = [
      ["", 0x811c9dc5], ["a", 0xe40c292c], ["b", 0xe70c2de5], ["c", 0xe60c2c52],
      ["foo", 0xa9f37ed7], ["foob", 0x3f5076ef], ["fooba", 0x39aaa18a], ["foobar", 0xbf9cf968],
    ];
    for (const [text, hash] of vectors) expect(fnv1a32(text)).toBe(hash);
  });

  it("hashes the UTF-8 bytes, lone surrogates as U+FFFD like TextEncoder (fast-check)", () => {
    const encoder = new TextEncoder();
    const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), { maxLength: 12 });
    fc.assert(fc.property(units, (codes) => {
      const text = String.fromCharCode(...codes);
      expect(fnv1a32(text)).toBe(fnvReference(encoder.encode(text)));
    }), { numRuns: 500 });
  });
});

describe("HashingTokenizer.tokens", () => {
  it("prefixes the words of informative header fields and drops routing fields", () => {
    const mail = [
      "From spammer@example.com  Thu Aug 22 13:17:22 2002",
      "Received: from mail.example.com by relay",
      "Message-ID: <abc123@example.com>",
      "Subject: FREE Money",
      "From: Bob <bob@example.org>",
      "X-Mailer: Outlook",
      "Date: Wed, 21 Aug 2002",
      "",
      "Hello world",
    ].join("\n");
    expect(tokens(mail)).toEqual([
      "subject:free", "subject:money", "from:bob", "from:bob", "from:example", "from:org", "x-mailer:outlook", "hello", "world",
    ]);
  });

  it("splits at the first blank line with CRLF, unfolds continuation lines, and ignores blank lines later", () => {
    const mail = "Subject: first\r\n\tsecond\r\nTo: a@b.cd\r\n\r\nbody text\r\n\r\nSubject: notaheader";
    expect(tokens(mail)).toEqual(["subject:first", "subject:second", "to:cd", "body", "text", "subject", "notaheader"]);
  });

  it("reads a text without a header block as body, and a header block without a body as headers", () => {
    expect(tokens("Win a prize now\n\nSubject: x")).toEqual(["win", "prize", "now", "subject"]);
    expect(tokens("Subject: only a subject")).toEqual(["subject:only", "subject:subject"]);
  });

  it("decodes quoted-printable bodies when the header or a MIME part declares it", () => {
    const body = "caf=E9 soft=\nbreak =3D";
    expect(tokens(`Content-Transfer-Encoding: quoted-printable\n\n${body}`)).toEqual(["café", "softbreak"]);
    expect(tokens(`Subject: xy\n\n--b\nContent-Transfer-Encoding: Quoted-Printable\n\n${body}`))
      .toEqual(["subject:xy", "content", "transfer", "encoding", "quoted", "printable", "café", "softbreak"]);
    expect(tokens(`Subject: xy\n\n${body}`)).toEqual(["subject:xy", "caf", "e9", "soft", "break", "3d"]);
  });

  it("strips HTML tags, keeps a token for the tags that matter, removes comments, decodes references", () => {
    const html = '<HTML><BODY><!-- hidden words --><FONT color=red>Buy</font> <a href="x">n&#111;w</A><img src=y><br/>caf&eacute; <b>bold</b><!-- unclosed';
    expect(tokens(html)).toEqual(["<font", "<a", "<img", "buy", "now", "caf", "bold"]);
    expect(tokens("write to <me@example.com> if a < b")).toEqual(["write", "to", "me", "example", "com", "if"]);
  });

  it("reduces URLs to their host", () => {
    const body = "see http://user:pw@WWW.Example.com:8080/path?q=1#x and HTTPS://198.51.100.7/a, ftp://files.example.org./f http://";
    expect(tokens(body)).toEqual(["url:www.example.com", "url:###.##.###.#", "url:files.example.org", "see", "and"]);
    const long = `http://${"a".repeat(40)}.example.com/`;
    expect(tokens(long)).toEqual([`url:${`${"a".repeat(40)}.example.com`.slice(-30)}`]);
  });

  it("keeps words of 2 to 30 letters, digits and $ ! ', lower-cased, numbers as their shape", () => {
    expect(tokens("I don't want FREE!!! $100 or 555-1234 'quoted' ÉCOLE x2 2002")).toEqual(
      ["don't", "want", "free!!!", "$###", "or", "###", "####", "quoted", "école", "x2", "####"]);
    const thirty = "a".repeat(30);
    expect(tokens(`${thirty} ${thirty}b a 1`)).toEqual([thirty]);
  });

  it("drops base64 lines (attachments) but keeps ordinary long words out by length", () => {
    const base64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=";
    expect(tokens(`Subject: xy\n\nsee attached\n${base64}\n${base64.slice(0, 60)}\nbye`)).toEqual(["subject:xy", "see", "attached", "bye"]);
  });
});

describe("HashingTokenizer features", () => {
  it("are log1p(count) per FNV-1a bucket divided by the L2 norm", () => {
    const small = new HashingTokenizer({ buckets: 16 });
    const text = "Subject: Hi there\n\nhello hello world";
    const counts = new Float64Array(16);
    for (const token of ["subject:hi", "subject:there", "hello", "hello", "world"]) counts[fnv1a32(token) % 16]! += 1;
    const damped = counts.map(Math.log1p);
    const expected = damped.map((v) => v / norm(damped));
    expect(small.analyze(text)).toEqual({ features: expected, tokenCount: 5 });
    expect(small.features(text)).toEqual(expected);
  });

  it("lie in [0, 1] with unit norm, or [-1, 1] with the sign trick, the same for a seed-free input (fast-check)", () => {
    const signed = new HashingTokenizer({ buckets: 64, signed: true });
    const plain = new HashingTokenizer({ buckets: 64 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      for (const t of [plain, signed]) {
        const { features, tokenCount } = t.analyze(text);
        expect(features.length).toBe(64);
        expect(features.every((v) => Number.isFinite(v) && v >= (t.signed ? -1 : 0) && v <= 1)).toBe(true);
        if (tokenCount === 0) expect(features.every((v) => v === 0)).toBe(true);
        else if (!t.signed) expect(norm(features)).toBeCloseTo(1, 12);
        expect(t.features(text)).toEqual(features);
      }
    }));
  });

  it("with the sign trick, count −1 for tokens whose hash has bit 31 set", () => {
    const signed = new HashingTokenizer({ buckets: 16, signed: true });
    const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    const counts = new Float64Array(16);
    for (const w of words) counts[fnv1a32(w) % 16]! += fnv1a32(w) >= 2 ** 31 ? -1 : 1;
    const damped = counts.map((c) => Math.sign(c) * Math.log1p(Math.abs(c)));
    expect(signed.features(words.join(" "))).toEqual(damped.map((v) => v / norm(damped)));
    expect(counts.some((c) => c < 0)).toBe(true);
  });

  it("featuresBatch gives one row per text", () => {
    const texts = ["Subject: a\n\nfree money", "", "hello there"];
    expect(tokenizer.featuresBatch(texts)).toEqual(texts.map((t) => tokenizer.features(t)));
  });
});

describe("HashingTokenizer on bad input", () => {
  it("refuses a text that is not a string", () => {
    for (const bad of [undefined, null, 42, Buffer.from("hi"), ["a"], { text: "a" }]) {
      expect(expectFheError(() => tokenizer.features(bad as never), "INVALID_ARGUMENT", "tokenize text").message).toContain("text must be a string");
      expectFheError(() => tokenizer.tokens(bad as never), "INVALID_ARGUMENT", "tokenize text");
    }
    expectFheError(() => tokenizer.featuresBatch("abc" as never), "INVALID_ARGUMENT", "tokenize texts");
    expect(expectFheError(() => tokenizer.featuresBatch(["a", 3 as never]), "INVALID_ARGUMENT", "tokenize texts").message).toContain("texts[1] must be a string");
  });

  it("gives the zero vector and token count 0 for an empty message or one without informative tokens", () => {
    for (const text of ["", "\n\n", "Received: from x\nMessage-ID: <1@x>\n\n", "a b c . ! ?"]) {
      const { features, tokenCount } = tokenizer.analyze(text);
      expect(tokenCount).toBe(0);
      expect(features).toEqual(new Float64Array(1024));
    }
  });

  it("survives binary junk: random bytes as Latin-1 give bounded, well-formed tokens (fast-check)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      const text = Buffer.from(bytes).toString("latin1");
      const list = tokens(text);
      expect(list.length).toBeLessThanOrEqual(text.length / 2);
      for (const token of list) {
        const core = token.replace(/^[a-z-]+:(?!\/)/, "").replace(/^</, "");
        expect(core.length).toBeGreaterThanOrEqual(1);
        expect(core.length).toBeLessThanOrEqual(30);
      }
      expect(tokenizer.features(text).every(Number.isFinite)).toBe(true);
    }), { numRuns: 200 });
  });

  it("reads at most 256 KiB of a 10 MB body, deterministically", () => {
    const header = "Subject: big\n\n";
    const body = "free money now ".repeat(Math.ceil(10 * 2 ** 20 / 15));
    const huge = header + body;
    expect(huge.length).toBeGreaterThan(10 * 2 ** 20);
    const cut = huge.slice(0, header.length + maxBodyLength);
    const list = tokens(huge);
    expect(list).toEqual(tokens(cut));
    expect(list.length).toBe(1 + 3 * Math.floor(maxBodyLength / 15) + 1);   // "subject:big", whole triples, then "free"
    expect(tokenizer.features(huge)).toEqual(tokenizer.features(huge));
  });

  it("bounds hostile 10 MB inputs: one line, endless headers, unclosed tags and comments, entity and URL floods", () => {
    const tenMB = 10 * 2 ** 20;
    const flood = (unit: string) => unit.repeat(Math.ceil(tenMB / unit.length));
    const longHeader = `Subject: ${flood("spam ")}`;
    // 13,105 whole "spam " units fit after "Subject: ", then the cut leaves "sp", a token too.
    expect(tokens(longHeader).length).toBe(Math.floor((maxHeaderLength - "Subject: ".length) / 5) + 1);
    for (const text of [flood("x"), flood("<a "), flood("<!--"), flood("http://"), flood("&#"), flood("=\n"), flood("From x "), `X: y\n\n${flood("<font ")}`]) {
      const list = tokens(text);
      expect(list.length).toBeLessThanOrEqual((maxHeaderLength + maxBodyLength) / 2);
      expect(tokens(text)).toEqual(list);
    }
  });

  it("refuses bucket counts that are not a power of two in [2^4, 2^16], and bad options", () => {
    for (const buckets of [0, 3, 8, 1000, 2 ** 17, 1024.5, NaN, "1024", null]) {
      expect(expectFheError(() => new HashingTokenizer({ buckets: buckets as never }), "INVALID_ARGUMENT", "create HashingTokenizer").message)
        .toContain("buckets must be a power of two in [2^4, 2^16]");
    }
    for (const buckets of [16, 65536]) expect(new HashingTokenizer({ buckets }).features("hi there").length).toBe(buckets);
    expectFheError(() => new HashingTokenizer({ signed: 1 as never }), "INVALID_ARGUMENT", "create HashingTokenizer");
    expectFheError(() => new HashingTokenizer(null as never), "INVALID_ARGUMENT", "create HashingTokenizer");
  });
});

describe("HashingTokenizer JSON configuration", () => {
  it("round-trips through toJSON / fromJSON and JSON text", () => {
    const original = new HashingTokenizer({ buckets: 256, signed: true });
    const config = JSON.parse(JSON.stringify(original)) as HashingTokenizerConfig;
    expect(config).toEqual({ kind: "hashing-tokenizer", version: 1, hash: "fnv1a32", buckets: 256, signed: true });
    const loaded = HashingTokenizer.fromJSON(config);
    expect([loaded.buckets, loaded.signed]).toEqual([256, true]);
    expect(loaded.features("Subject: x\n\nfree money")).toEqual(original.features("Subject: x\n\nfree money"));
  });

  it("refuses anything else as CORRUPT_DATA", () => {
    const good = new HashingTokenizer().toJSON();
    const bad: unknown[] = [
      null, "x", [good], { ...good, extra: 1 }, { ...good, kind: "bag" }, { ...good, version: 2 }, { ...good, hash: "murmur3" },
      { ...good, buckets: 1000 }, { ...good, signed: "no" }, { kind: good.kind, version: 1, hash: good.hash, buckets: 1024 },
    ];
    for (const config of bad) expectFheError(() => HashingTokenizer.fromJSON(config), "CORRUPT_DATA", "load HashingTokenizer");
  });
});
