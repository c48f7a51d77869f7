// What a body's markup contributes: a URL becomes one token for its host, an HTML tag becomes
// a token for the tags that matter in spam (links, images, fonts, forms...) and nothing else,
// comments and character references are removed or decoded. Every pass is one linear scan.

import { maxTokenLength, shapeOfNumber } from "./words.js";

/** Opening tags that yield a token "<name": links, images, styling, layout, forms, active content. */
export const keptTags: ReadonlySet<string> = new Set([
  "a", "img", "font", "center", "table", "form", "input", "script", "iframe", "style", "map", "area", "object", "embed",
]);

const url = /\b(?:https?|ftp):\/\/[^\s"'<>]*/gi;
/** A tag: "<name" followed by whitespace, "/" or ">", then anything up to ">" without "<". */
const tag = /<(\/?)([a-z][a-z0-9]{0,15})(?=[\s/>])[^<>]*>/gi;
const reference = /&(?:#([0-9]{1,7})|#x([0-9a-f]{1,6})|[a-z][a-z0-9]{1,31});/gi;

/**
 * Replaces every http, https or ftp URL in `text` by a space and pushes "url:" + its host (the
 * authority without user and port, lower-case, trailing dots removed; a host without letters,
 * such as an IP address, has its digits replaced by "#"; a host longer than 30 characters
 * keeps its last 30). Returns the text without the URLs.
 */
export function replaceUrls(text: string, tokens: string[]): string {
  return text.replace(url, (match) => {
    const rest = match.slice(match.indexOf("://") + 3);
    const authority = rest.split(/[/?#\\]/, 1)[0]!;
    let host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:[0-9]*$/, "").replace(/\.+$/, "").toLowerCase();
    if (host.length > maxTokenLength) host = host.slice(host.length - maxTokenLength);
    if (host !== "") tokens.push(`url:${shapeOfNumber(host)}`);
    return " ";
  });
}

/**
 * Removes HTML comments (an unclosed one runs to the end), replaces each tag by a space and
 * pushes "<name" for an opening tag in {@link keptTags}; decodes numeric character references
 * (&#233; &#xE9;) and replaces named ones (&nbsp; &amp; ...) by a space.
 */
export function stripHtml(text: string, tokens: string[]): string {
  return removeComments(text)
    .replace(tag, (_, slash: string, name: string) => {
      const lower = name.toLowerCase();
      if (slash === "" && keptTags.has(lower)) tokens.push(`<${lower}`);
      return " ";
    })
    .replace(reference, (_, decimal: string | undefined, hex: string | undefined) => {
      const code = decimal !== undefined ? parseInt(decimal, 10) : hex !== undefined ? parseInt(hex, 16) : -1;
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    });
}

function removeComments(text: string): string {
  let start = text.indexOf("<!--");
  if (start < 0) return text;
  const parts: string[] = [];
  let from = 0;
  while (start >= 0) {
    parts.push(text.slice(from, start));
    const end = text.indexOf("-->", start + 4);
    if (end < 0) return parts.join(" ");
    from = end + 3;
    start = text.indexOf("<!--", from);
  }
  parts.push(text.slice(from));
  return parts.join(" ");
}
