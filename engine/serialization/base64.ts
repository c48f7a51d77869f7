import { FheError } from "../ring/errors.js";

const chunk = 0x8000;

/** Standard base64 (RFC 4648) of bytes, for storing serialized objects in text (web storage, JSON). */
export function toBase64(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new FheError("INVALID_ARGUMENT", "encode base64", "expected a Uint8Array");
  let binary = "";
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** Bytes of a standard base64 string; anything else is a CORRUPT_DATA error. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new FheError("CORRUPT_DATA", "decode base64", "the text is not standard base64");
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
