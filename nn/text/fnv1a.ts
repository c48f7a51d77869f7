// 32-bit FNV-1a (Fowler, Noll, Vo): for each byte, h = (h XOR byte) · 16777619 mod 2^32, from
// the offset basis 2166136261. Tokens are hashed over their UTF-8 bytes, so the values match
// every other FNV-1a implementation (FNV-1a("a") = 0xe40c292c, FNV-1a("foobar") = 0xbf9cf968).

const offsetBasis = 0x811c9dc5;
const prime = 0x01000193;

/**
 * The 32-bit FNV-1a hash of the UTF-8 encoding of `text`, an unsigned integer in [0, 2^32).
 * A lone surrogate is encoded as U+FFFD (EF BF BD), as TextEncoder does.
 */
export function fnv1a32(text: string): number {
  let h = offsetBasis;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, prime);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        byte(0xf0 | (c >> 18));
        byte(0x80 | ((c >> 12) & 0x3f));
        byte(0x80 | ((c >> 6) & 0x3f));
        byte(0x80 | (c & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    byte(0xe0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3f));
    byte(0x80 | (c & 0x3f));
  }
  return h >>> 0;
}
