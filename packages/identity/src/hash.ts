/**
 * SHA-256 of normalized values: what TikTok expects for emails and phones, and how keys are stored
 * when the graph must hold no raw PII.
 *
 * @module
 */
import { hash } from "node:crypto";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `value` already is a SHA-256 digest in lower-case hex (64 characters). */
export function isSha256Hex(value: string): boolean {
  return value.length === 64 && SHA256_HEX.test(value);
}

/**
 * SHA-256 of the UTF-8 bytes of `value`, in lower-case hex. A value that already is 64-char
 * lower-case hex is returned unchanged, so hashing twice is harmless. Normalize first
 * ({@link normalizeEmail}, {@link normalizePhone}): the hash of `Jane@x.io` differs from `jane@x.io`'s.
 *
 * @example
 * hashIdentityValue("jane@example.org"); // 64 hex characters
 */
export function hashIdentityValue(value: string): string {
  if (isSha256Hex(value)) return value;
  return hash("sha256", value, "hex");
}
