/**
 * Converts between Node's `http` objects and Web `Request`/`Response`, for the Node, Express and
 * Fastify adapters. The body is read from Node's stream into one buffer, bounded while it arrives
 * (a `Content-Length` over the limit is refused before reading), and the `Request` is built on that
 * buffer: a Web `ReadableStream` bridged over Node's stream cost about 100 µs per request, three times
 * the rest of the conversion. Over the limit, the rest of the body is drained and discarded rather
 * than the socket destroyed, so the client still gets its answer, and that answer closes the
 * connection.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { answerText } from "../http-answers.js";
import { BodyTooLargeError } from "../http-body.js";

/** The largest body an adapter reads when it is not told (the pipeline's default `http.maxBodyBytes`). */
export const DEFAULT_ADAPTER_BODY_LIMIT = 1_048_576;

/** Reads `source` to its end, at most `limit` bytes (`BodyTooLargeError` past it, the rest drained). */
export function readNodeBody(
  source: Readable & { headers?: IncomingMessage["headers"] },
  limit: number,
): Promise<Buffer> {
  const declared = source.headers?.["content-length"];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    source.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  if (source.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        source.resume(); // drain and discard the rest
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
    };
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onError);
  });
}

function urlOf(request: IncomingMessage, originalUrl?: string): string {
  // TLS served by Node itself (`https.createServer`): the URL says so, for same-origin checks and
  // the cookie's `Secure`. Behind a proxy, the collect endpoint reads X-Forwarded-Proto instead.
  const scheme = (request.socket as { encrypted?: boolean } | undefined)?.encrypted
    ? "https"
    : "http";
  const url = `${scheme}://${request.headers.host ?? "localhost"}${originalUrl ?? request.url ?? "/"}`;
  // A Host header that is not a host (`a b`, `[::1`) must not make the request unanswerable.
  return URL.canParse(url) ? url : `${scheme}://localhost${originalUrl ?? request.url ?? "/"}`;
}

/** The request's headers as Web `Headers`, repeated headers kept. */
export function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers.append(raw[i] as string, raw[i + 1] as string);
  }
  return headers;
}

/**
 * A Web `Request` for a Node request. The body is `options.body` when a framework already read it,
 * else read from `stream` (default: the request itself) up to `options.limit` bytes; past it, the
 * `Request`'s body fails with `BodyTooLargeError` when read (the handlers answer 413).
 */
export async function toWebRequest(
  request: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<Request> {
  return (await bridgeRequest(request, options)).request;
}

/** The Web `Request` and whether its body was over the limit (and so never fully read). */
async function bridgeRequest(
  request: IncomingMessage,
  options: NodeRequestOptions,
): Promise<{ request: Request; overLimit: boolean }> {
  const method = request.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers: headersOf(request) };
  let overLimit = false;
  if (method !== "GET" && method !== "HEAD") {
    try {
      init.body = (options.body ??
        (await readNodeBody(
          Object.assign(options.stream ?? request, { headers: request.headers }),
          options.limit ?? DEFAULT_ADAPTER_BODY_LIMIT,
        ))) as BodyInit;
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Over the limit (the rest is being drained): the handler still decides the answer in its
      // order (405, 401, 415 before 413); reading this body fails with the same error.
      overLimit = true;
      init.body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(error) });
      init.duplex = "half";
    }
  } else {
    request.resume();
  }
  return { request: new Request(urlOf(request, options.url), init as RequestInit), overLimit };
}

/** The response's headers as Node wants them (repeated headers, e.g. `set-cookie`, as arrays). */
export function nodeHeadersOf(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [existing as string, value].flat();
  });
  return headers;
}

/** The response's body: the text the pipeline's answers were built from, else read once. */
export async function bodyOf(response: Response): Promise<string | Uint8Array | undefined> {
  if (response.body === null) return undefined;
  return answerText(response) ?? new Uint8Array(await response.arrayBuffer());
}

/** The options of {@link runWebHandler}. */
export interface NodeRequestOptions {
  /** The body, when a framework already read it (Express's parsers). */
  body?: Uint8Array | string | null;
  /** The URL path the framework saw (Express's `originalUrl`). */
  url?: string;
  /** The most bytes read (default {@link DEFAULT_ADAPTER_BODY_LIMIT}); more is answered 413. */
  limit?: number;
  /** Where the body streams from, when not the request itself (Fastify hands it to its parser). */
  stream?: Readable;
}

/**
 * Runs a Web handler for a Node request. A body over the limit reaches the handler as one that fails
 * when read (so 401, 405 and 415 still come first, and 413 otherwise), and the answer closes the
 * connection: the client may still be sending the rest, and a connection left half-read would hold a
 * graceful `server.close()` open for as long as the client keeps it.
 */
export async function runWebHandler(
  handler: (request: Request) => Promise<Response>,
  request: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<Response> {
  const { request: webRequest, overLimit } = await bridgeRequest(request, options);
  const answer = await handler(webRequest);
  if (overLimit) answer.headers.set("connection", "close");
  return answer;
}

/** Writes a Web `Response` to Node's `ServerResponse`. */
export async function writeWebResponse(response: Response, target: ServerResponse): Promise<void> {
  const headers = nodeHeadersOf(response);
  const body = await bodyOf(response);
  target.writeHead(response.status, headers);
  target.end(body);
}
