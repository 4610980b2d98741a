/**
 * Serves the pipeline's endpoints on Node's `http` objects, for the Node, Express and Fastify
 * adapters. A handler of the pipeline runs directly on the `IncomingMessage` (its endpoint: see
 * `http-exchange.ts`; no Web `Request`/`Response` is built); any other Web handler is bridged through
 * Web `Request`/`Response`. Either way the body is read from Node's stream when the handler first asks
 * for it (after its method and authentication checks), into one buffer bounded while it arrives (a
 * `Content-Length` over the limit is refused before reading): a Web `ReadableStream` bridged chunk by
 * chunk over Node's stream cost about 100 µs per request. A body left unread or over the limit is
 * drained and discarded rather than the socket destroyed, so the client still gets its answer, and
 * that answer closes the connection.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { BodyAlreadyReadError, BodyTooLargeError } from "../http-body.js";
import { endpointOf, type HttpRequest, type WebHandler } from "../http-exchange.js";
import { isAbsoluteForm } from "./routes.js";

/** The largest body an adapter reads when it is not told (the pipeline's default `http.maxBodyBytes`). */
export const DEFAULT_ADAPTER_BODY_LIMIT = 1_048_576;

/**
 * Reads `source` to its end, at most `limit` bytes (`BodyTooLargeError` past it, the rest drained;
 * `BodyAlreadyReadError` when it ended before, having announced a body).
 */
export function readNodeBody(
  source: Readable & { headers?: IncomingMessage["headers"] },
  limit: number,
): Promise<Buffer> {
  const declared = source.headers?.["content-length"];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    source.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  if (source.readableEnded) {
    // Ended before we read it: empty, unless it announced a body (then someone else read it).
    const headers = source.headers ?? {};
    const announced =
      headers["transfer-encoding"] !== undefined ||
      (declared !== undefined && declared !== "" && declared !== "0");
    if (announced) return Promise.reject(new BodyAlreadyReadError());
    return Promise.resolve(Buffer.alloc(0));
  }
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
  const target = originalUrl ?? request.url ?? "/";
  // An absolute-form target (`POST http://host/path HTTP/1.1`, RFC 9112 §3.2.2) is the URL itself:
  // its host, not the Host header's, is the request's.
  if (isAbsoluteForm(target)) return target;
  // TLS served by Node itself (`https.createServer`): the URL says so, for same-origin checks and
  // the cookie's `Secure`. Behind a proxy, the collect endpoint reads X-Forwarded-Proto instead.
  const scheme = (request.socket as { encrypted?: boolean } | undefined)?.encrypted
    ? "https"
    : "http";
  const url = `${scheme}://${request.headers.host ?? "localhost"}${target}`;
  // A Host header that is not a host (`a b`, `[::1`) must not make the request unanswerable.
  return URL.canParse(url) ? url : `${scheme}://localhost${target}`;
}

/** The request's headers as Web `Headers`, repeated headers kept. */
function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers.append(raw[i] as string, raw[i + 1] as string);
  }
  return headers;
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
function nodeHeadersOf(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [existing as string, value].flat();
  });
  return headers;
}

/** The response's body, read once. */
async function bodyOf(response: Response): Promise<Uint8Array | undefined> {
  if (response.body === null) return undefined;
  return new Uint8Array(await response.arrayBuffer());
}

/** The options of {@link answerNodeRequest}. */
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

/** An answer as Node writes it (repeated headers as arrays). */
export interface NodeAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Uint8Array | undefined;
}

/**
 * A header of a Node request as Web `Headers.get` gives it: every value, joined by `, ` (cookies by
 * `; `, as both Node and undici join them). Not `request.headers`: for `authorization`,
 * `content-type`, `user-agent` and a few more, Node keeps the first value and drops the others, so
 * a request with two `Authorization` lines would pass on its first where the Web handler refuses it.
 */
function nodeHeader(request: IncomingMessage, name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === "cookie") return request.headers.cookie ?? null;
  return request.headersDistinct[lower]?.join(", ") ?? null;
}

/** A Node request as the pipeline's endpoints read it, and whether its body was left unread. */
function nodeExchange(
  request: IncomingMessage,
  options: NodeRequestOptions,
): { request: HttpRequest; unread(): boolean } {
  const method = request.method ?? "GET";
  let url: string | null = null;
  let whole = method === "GET" || method === "HEAD" || options.body !== undefined;
  if (method === "GET" || method === "HEAD") request.resume();
  let read: Promise<Uint8Array> | null = null;
  const body = (limit: number): Promise<Uint8Array> => {
    read ??= (async () => {
      const most = Math.min(limit, options.limit ?? DEFAULT_ADAPTER_BODY_LIMIT);
      if (options.body !== undefined) {
        // Read by the framework already (Express's parsers), maybe re-serialized: the bytes that
        // arrived count too, by their Content-Length.
        const declared = request.headers["content-length"];
        if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > most) {
          throw new BodyTooLargeError(most);
        }
        const given = options.body ?? new Uint8Array(0);
        const bytes = typeof given === "string" ? Buffer.from(given, "utf8") : given;
        if (bytes.byteLength > most) throw new BodyTooLargeError(most);
        return bytes;
      }
      if (method === "GET" || method === "HEAD") return new Uint8Array(0);
      const source = Object.assign(options.stream ?? request, { headers: request.headers });
      const bytes = await readNodeBody(source, most);
      whole = true;
      return bytes;
    })();
    return read;
  };
  return {
    request: {
      method,
      get url() {
        url ??= urlOf(request, options.url);
        return url;
      },
      header: (name) => nodeHeader(request, name),
      remoteAddress: request.socket?.remoteAddress,
      body,
    },
    unread: () => !whole,
  };
}

/**
 * Answers a Node request with `handler`: the pipeline's own handlers run on the Node request itself,
 * any other Web handler through Web `Request`/`Response`. The handler reads the body only if it
 * needs it, so 405, 401 and 415 come before the body is buffered, and a body over the limit is 413.
 * An answer given while the body was not read to its end closes the connection (the rest is drained
 * meanwhile): the client may still be sending, and a connection left half-read would hold a graceful
 * `server.close()` open.
 */
export async function answerNodeRequest(
  handler: WebHandler,
  request: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<NodeAnswer> {
  const endpoint = endpointOf(handler);
  if (endpoint === undefined) {
    const response = await runWebHandler(handler, request, options);
    return {
      status: response.status,
      headers: nodeHeadersOf(response),
      body: await bodyOf(response),
    };
  }
  const exchange = nodeExchange(request, options);
  const answer = await endpoint(exchange.request);
  const body = answer.body ?? undefined;
  // Written, never changed, by Node and Fastify: no copy unless a header is added.
  const headers = answer.headers as Record<string, string>;
  if (!exchange.unread()) return { status: answer.status, headers, body };
  (options.stream ?? request).resume();
  return { status: answer.status, headers: { ...headers, connection: "close" }, body };
}

/** Runs a Web handler for a Node request through Web `Request`/`Response` (see {@link answerNodeRequest}). */
async function runWebHandler(
  handler: WebHandler,
  request: IncomingMessage,
  options: NodeRequestOptions,
): Promise<Response> {
  const bridged = bridgeRequest(request, options);
  const answer = await handler(bridged.request);
  if (bridged.unread()) {
    (options.stream ?? request).resume();
    answer.headers.set("connection", "close");
  }
  return answer;
}

/** Writes an answer to Node's `ServerResponse`. */
export function writeNodeAnswer(answer: NodeAnswer, target: ServerResponse): void {
  target.writeHead(answer.status, answer.headers);
  target.end(answer.body);
}
