/**
 * Converts between Node's `http` objects and Web `Request`/`Response`, for the Node, Express and
 * Fastify adapters. The body is read from Node's stream when the handler first asks for it (after
 * its method and authentication checks), into one buffer bounded while it arrives (a
 * `Content-Length` over the limit is refused before reading), handed to the handler as a single
 * chunk: a Web `ReadableStream` bridged chunk by chunk over Node's stream cost about 100 µs per
 * request, three times the rest of the conversion. A body left unread or over the limit is drained
 * and discarded rather than the socket destroyed, so the client still gets its answer, and that
 * answer closes the connection.
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
 * else read from `stream` (default: the request itself) when the handler first reads it, up to
 * `options.limit` bytes; past it, reading fails with `BodyTooLargeError` (the handlers answer 413).
 */
export async function toWebRequest(
  request: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<Request> {
  return bridgeRequest(request, options).request;
}

/**
 * The Web `Request`, and `unread()`: true while its body was not read to its end (never asked for,
 * or over the limit), so the connection may still carry the rest of it.
 */
function bridgeRequest(
  request: IncomingMessage,
  options: NodeRequestOptions,
): { request: Request; unread(): boolean } {
  const method = request.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers: headersOf(request) };
  let whole = true;
  if (method === "GET" || method === "HEAD") {
    request.resume();
  } else if (options.body !== undefined) {
    init.body = options.body as BodyInit;
  } else {
    // Read only when the handler asks (after its method and authentication checks), into one
    // buffer bounded while it arrives: a request refused first is never buffered.
    whole = false;
    const source = Object.assign(options.stream ?? request, { headers: request.headers });
    const limit = options.limit ?? DEFAULT_ADAPTER_BODY_LIMIT;
    init.body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const bytes = await readNodeBody(source, limit);
            whole = true;
            if (bytes.byteLength > 0) controller.enqueue(bytes);
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
        cancel: () => {
          source.resume(); // drain and discard
        },
      },
      { highWaterMark: 0 },
    );
    init.duplex = "half";
  }
  return {
    request: new Request(urlOf(request, options.url), init as RequestInit),
    unread: () => !whole,
  };
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
 * Runs a Web handler for a Node request. The handler reads the body only if it needs it, so 405, 401
 * and 415 come before the body is buffered, and a body over the limit is 413. An answer given while
 * the body was not read to its end closes the connection (the rest is drained meanwhile): the client
 * may still be sending, and a connection left half-read would hold a graceful `server.close()` open.
 */
export async function runWebHandler(
  handler: (request: Request) => Promise<Response>,
  request: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<Response> {
  const bridged = bridgeRequest(request, options);
  const answer = await handler(bridged.request);
  if (bridged.unread()) {
    (options.stream ?? request).resume();
    answer.headers.set("connection", "close");
  }
  return answer;
}

/** Writes a Web `Response` to Node's `ServerResponse`. */
export async function writeWebResponse(response: Response, target: ServerResponse): Promise<void> {
  const headers = nodeHeadersOf(response);
  const body = await bodyOf(response);
  target.writeHead(response.status, headers);
  target.end(body);
}
