// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the integrity check of serialized
// objects: it catches accidental corruption (bit flips, truncation), not tampering.

const table = (() => {
  const entries = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    entries[i] = c >>> 0;
  }
  return entries;
})();

/** CRC-32 of `bytes` (the value of crc32("123456789") is 0xCBF43926). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
