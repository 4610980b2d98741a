/**
 * Reading a request body under a size limit, while it streams: the limit is checked on every chunk
 * (and on `Content-Length` before the first), so an oversized body is refused without being buffered.
 *
 * @module
 */

/** The body is larger than the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * The body was read before the endpoint asked for it: something of the app's own (a framework's
 * body parser, a middleware) consumed it first, so the bytes cannot be had. The server's mounting
 * is wrong, not the request.
 */
export class BodyAlreadyReadError extends Error {
  constructor() {
    super("The request body was read before the endpoint (mount it before any body parser)");
    this.name = "BodyAlreadyReadError";
  }
}

/**
 * Reads `request`'s body as bytes, or throws {@link BodyTooLargeError} past `maxBytes`
 * ({@link BodyAlreadyReadError} when something read it already).
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.bodyUsed || request.body?.locked) throw new BodyAlreadyReadError();
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(maxBytes);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** True for `application/json` and `application/*+json` (parameters such as `charset` allowed). */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The charset labels decoded as UTF-8 (US-ASCII is its first 128 code points). */
const UTF8_LABELS = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

/**
 * True when `contentType` declares no charset, or UTF-8 (`utf-8`, `utf8`, any case, quoted or not)
 * or US-ASCII (a subset of it).
 * The endpoints decode the body as UTF-8 and store it as received, and JSON between systems is
 * UTF-8 (RFC 8259 §8.1): a body in another charset (UTF-16, Latin-1) is refused with 415 before
 * anything is stored, rather than quarantined as JSON that does not parse.
 */
export function isUtf8Charset(contentType: string | null): boolean {
  if (contentType === null) return true;
  for (const parameter of contentType.split(";").slice(1)) {
    const equals = parameter.indexOf("=");
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const value = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (!UTF8_LABELS.has(value)) return false;
  }
  return true;
}

/**
 * True when the body is sent as it is: no `Content-Encoding`, or `identity`. The endpoints store the
 * raw body byte for byte and decompress nothing (Chargebee and the tracker never compress), so a
 * compressed body is refused with 415 (RFC 9110 §15.5.16) before anything is stored, the same way
 * behind every adapter, rather than quarantined as bytes that are not UTF-8.
 */
export function isIdentityEncoding(contentEncoding: string | null): boolean {
  if (contentEncoding === null) return true;
  const codings = contentEncoding
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "");
  return codings.every((coding) => coding === "identity");
}
