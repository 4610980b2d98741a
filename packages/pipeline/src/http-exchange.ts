/**
 * The pipeline's own request/answer pair, independent of the runtime. Every endpoint is written once
 * against {@link HttpRequest} → {@link HttpAnswer}; the public Web handlers (`Request` → `Response`)
 * wrap it, and the Node, Express and Fastify adapters call it directly on Node's `IncomingMessage`.
 *
 * Why not Web `Request`/`Response` all the way: on Node they are undici objects. Building a `Request`
 * (a `Headers` copy, a `ReadableStream` body) and a `Response` per call cost more CPU than the
 * webhook's durable write: measured in the same run, a Fastify route behind that bridge that only
 * read the body and answered JSON served 0.32× the requests of the bare route.
 *
 * @module
 */
import { readBodyLimited } from "./http-body.js";

/** What an endpoint reads of a request. */
export interface HttpRequest {
  /** Upper case, as sent (`POST`). */
  readonly method: string;
  /** The absolute URL (scheme and host as the server saw them). */
  readonly url: string;
  /** A header's value (several joined with `, `), or `null`. `name` is lower case. */
  header(name: string): string | null;
  /**
   * The address of the peer that sent the request over TCP (Node's `socket.remoteAddress`), or
   * `undefined` where the runtime does not say (a Web `Request` carries none). Behind a proxy this is
   * the proxy: its forwarded headers say who the client is.
   */
  readonly remoteAddress?: string | undefined;
  /**
   * The body's bytes, read at most once per request and only when asked (a request refused before
   * is never buffered).
   *
   * @throws {BodyTooLargeError} past `limit` bytes (checked on `Content-Length`, then while reading).
   */
  body(limit: number): Promise<Uint8Array>;
}

/** What an endpoint answers. Header names are lower case. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** One endpoint. */
export type HttpHandler = (request: HttpRequest) => Promise<HttpAnswer>;

/** A Web handler: `Request` in, `Response` out. */
export type WebHandler = (request: Request) => Promise<Response>;

/** A Web `Request` seen as an {@link HttpRequest} (nothing is copied). */
export function fromWebRequest(request: Request): HttpRequest {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    body: (limit) => readBodyLimited(request, limit),
  };
}

/** An answer as a Web `Response`. */
export function toWebResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The endpoint behind each Web handler made by {@link toWebHandler}, for the Node adapters. */
const ENDPOINTS = new WeakMap<WebHandler, HttpHandler>();

/** The Web handler of an endpoint. */
export function toWebHandler(handler: HttpHandler): WebHandler {
  const web: WebHandler = async (request) => toWebResponse(await handler(fromWebRequest(request)));
  ENDPOINTS.set(web, handler);
  return web;
}

/**
 * The endpoint a Web handler of the pipeline wraps, or `undefined` for any other handler (the Node
 * adapters then bridge through Web `Request`/`Response`, which works for every handler).
 */
export function endpointOf(handler: WebHandler): HttpHandler | undefined {
  return ENDPOINTS.get(handler);
}
