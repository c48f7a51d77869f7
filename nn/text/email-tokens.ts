// The tokens of an e-mail: words of the informative header fields, prefixed with the field's
// name so they hash apart from body words, then the body's URL hosts, kept HTML tags and words.

import { replaceUrls, stripHtml } from "./markup.js";
import { parseMessage } from "./message.js";
import { pushWords } from "./words.js";

/**
 * Header fields whose words are kept, as "name:word" ("subject:free"): what the sender wrote or
 * chose (subject, addresses, the mailer, the priority, the content type). Routing and
 * list-management fields (Received, Message-ID, Date, Return-Path, Delivered-To, List-*, ...)
 * describe the delivery, not the message, and are dropped. RFC 2047 encoded words
 * ("=?utf-8?Q?...?=") are not decoded: their charset and text split into words as they are.
 */
export const informativeHeaders: ReadonlySet<string> = new Set([
  "subject", "from", "to", "cc", "reply-to", "content-type", "x-mailer", "user-agent",
  "x-priority", "x-msmail-priority", "importance", "organization",
]);

/** Lines made only of base64 characters, 40 or more: attachments and encoded parts, no words. */
const base64Line = /^[A-Za-z0-9+/]{40,}={0,2}\r?$/gm;

/**
 * The tokens of `text` (precondition: a string), header tokens first; the counts, not the
 * order, make the features. At most {@link maxHeaderLength} + {@link maxBodyLength}
 * characters are read, so a message yields at most about 160 Ki tokens (each token needs at
 * least two characters).
 */
export function emailTokens(text: string): string[] {
  const message = parseMessage(text);
  const tokens: string[] = [];
  for (const field of message.headers) {
    if (informativeHeaders.has(field.name)) pushWords(field.value, `${field.name}:`, tokens);
  }
  const body = stripHtml(replaceUrls(message.body.replace(base64Line, ""), tokens), tokens);
  pushWords(body, "", tokens);
  return tokens;
}
