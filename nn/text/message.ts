// An e-mail as the tokenizer sees it: the header fields and the body, each cut to a fixed
// maximum length so that any input costs bounded work, and the body's quoted-printable
// encoding undone when the message declares it.

/** Characters of the header block read at most (64 KiB); the rest of it is ignored. */
export const maxHeaderLength = 64 * 1024;
/** Characters of the body read at most (256 KiB); the rest of it is ignored. */
export const maxBodyLength = 256 * 1024;

export interface HeaderField {
  /** Lower-case field name, such as "subject". */
  readonly name: string;
  /** The value with continuation lines unfolded. */
  readonly value: string;
}

export interface Message {
  readonly headers: readonly HeaderField[];
  /** The body (at most {@link maxBodyLength} characters), quoted-printable decoded if declared. */
  readonly body: string;
}

/**
 * The first line of a header block: a field "Name: value" (letters, digits and hyphens, and no
 * "//" after the colon, so that a body starting with a URL is a body), or an mbox line "From
 * sender date". Tested on the first 1,000 characters only, so that it costs no more.
 */
const headerStart = /^(?:From \S+.* (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) |[A-Za-z0-9-]+:(?!\/\/))/;
const fieldLine = /^([!-9;-~]+):(.*)$/;
const blankLine = /\r?\n\r?\n/;
const quotedPrintable = /content-transfer-encoding:\s*quoted-printable/i;

/**
 * Splits `text` at its first blank line (LF LF, or with CR LF) into header block and body. A
 * text whose first line is neither a header field nor an mbox "From " line has no header block:
 * all of it is body. A header block without a following blank line leaves an empty body.
 * The body is quoted-printable decoded ({@link decodeQuotedPrintable}) when the header or a
 * MIME part header in the body says "Content-Transfer-Encoding: quoted-printable".
 */
export function parseMessage(text: string): Message {
  if (!headerStart.test(text.slice(0, 1000))) return { headers: [], body: decodeBody(text.slice(0, maxBodyLength), false) };
  const blank = blankLine.exec(text);
  const headerEnd = blank === null ? text.length : blank.index;
  const bodyStart = blank === null ? text.length : blank.index + blank[0].length;
  const headers = parseFields(text.slice(0, Math.min(headerEnd, maxHeaderLength)));
  const declared = headers.some((f) => f.name === "content-transfer-encoding" && /quoted-printable/i.test(f.value));
  return { headers, body: decodeBody(text.slice(bodyStart, bodyStart + maxBodyLength), declared) };
}

function parseFields(block: string): HeaderField[] {
  const fields: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      last.value += line;
      continue;
    }
    const match = fieldLine.exec(line);
    if (match !== null) fields.push({ name: match[1]!.toLowerCase(), value: match[2]! });
  }
  return fields;
}

function decodeBody(body: string, declared: boolean): string {
  return declared || quotedPrintable.test(body) ? decodeQuotedPrintable(body) : body;
}

/**
 * Undoes quoted-printable encoding cheaply: removes soft line breaks ("=" at the end of a line)
 * and turns each "=XX" (two hex digits) into the character U+00XX, one character per byte, so a
 * multi-byte UTF-8 sequence becomes several Latin-1 characters. Other text is unchanged.
 */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
