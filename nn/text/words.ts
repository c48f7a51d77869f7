// Words: runs of letters, decimal digits and the characters $ ! ' (so "free!!!", "$100" and
// "don't" stay whole), lower-cased, without leading or trailing apostrophes, 2 to 30 characters
// long; a run without letters is a number and stands for its shape ("$100" -> "$###").

/** Shortest word kept, in UTF-16 code units. */
export const minTokenLength = 2;
/** Longest word kept, in UTF-16 code units; longer runs (encoded blobs, junk) are dropped. */
export const maxTokenLength = 30;

const word = /[\p{L}\p{Nd}$!']+/gu;
const letter = /\p{L}/u;
const digit = /\p{Nd}/gu;

/** `token` with every decimal digit replaced by "#" when it has no letter, else unchanged. */
export function shapeOfNumber(token: string): string {
  return letter.test(token) ? token : token.replace(digit, "#");
}

/** Pushes `prefix` + each word of `text` (see the file comment) in order. */
export function pushWords(text: string, prefix: string, tokens: string[]): void {
  for (const match of text.toLowerCase().matchAll(word)) {
    let token = match[0];
    let start = 0;
    let end = token.length;
    while (start < end && token.charCodeAt(start) === 0x27 /* ' */) start++;
    while (end > start && token.charCodeAt(end - 1) === 0x27) end--;
    if (end - start < minTokenLength || end - start > maxTokenLength) continue;
    if (start > 0 || end < token.length) token = token.slice(start, end);
    tokens.push(prefix + shapeOfNumber(token));
  }
}
