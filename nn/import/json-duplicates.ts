// JSON.parse keeps the last of two equal keys of an object without a word, so a header that
// names a tensor twice would silently lose one. This scan finds such keys in one linear pass.

/**
 * The first key that occurs twice in one object of `text`, or undefined. Precondition: `text`
 * is valid JSON (JSON.parse accepted it), so strings and brackets are well formed. Keys are
 * compared after unescaping ("a" and "\u0061" are the same key).
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: the keys seen so far in an object, null for an array.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const keys = open[open.length - 1];
      if (keys !== undefined && keys !== null && nextSignificant(text, end + 1) === 0x3a /* : */) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

/** The index of the quote closing the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
  return i;
}

/** The code of the first non-whitespace character at or after `from` (NaN at the end). */
function nextSignificant(text: string, from: number): number {
  let i = from;
  while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  return text.charCodeAt(i);
}
