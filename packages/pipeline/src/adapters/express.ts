/**
 * `@revtrace/pipeline/express`: the pipeline's handlers as Express middleware. The webhook needs the
 * raw body, and works whether or not a body parser ran before it:
 *
 * - no parser ran: the request stream is read (with the size limit applied while it arrives);
 * - `express.raw()` / `express.text()` ran: their bytes or text are the body;
 * - `express.json({ verify: captureRawBody })` ran: the captured bytes are the body;
 * - plain `express.json()` ran: the raw bytes are gone, so the parsed value is serialized again
 *   (same content, whitespace may differ). That is enough for Chargebee Billing (Basic auth), not for
 *   Retention's signature over the exact bytes: use `captureRawBody` there.
 *
 * @example
 * import express from "express";
 * import { revtraceExpress } from "@revtrace/pipeline/express";
 *
 * const app = express();
 * app.use(revtraceExpress(pipeline)); // POST /webhooks/chargebee, /health/ready, /metrics, …
 * app.listen(3000);
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pipeline, WebHandler } from "../pipeline.js";
import { answerNodeRequest, writeNodeAnswer } from "./node-bridge.js";
import { type RoutePaths, resolvePaths, routePath } from "./routes.js";

export { DEFAULT_PATHS, type RoutePaths } from "./routes.js";

/** The parts of an Express request the adapter reads. */
export type ExpressLikeRequest = IncomingMessage & {
  body?: unknown;
  rawBody?: unknown;
  originalUrl?: string;
  path?: string;
  _body?: boolean;
};
/** An Express-compatible middleware. */
export type ExpressMiddleware = (
  request: ExpressLikeRequest,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * `verify` option for `express.json()` (and `express.raw`/`text`) that keeps the exact bytes on
 * `req.rawBody`: `app.use(express.json({ verify: captureRawBody }))`.
 */
export function captureRawBody(request: IncomingMessage, _response: unknown, buffer: Buffer): void {
  (request as ExpressLikeRequest).rawBody = buffer;
}

/**
 * The body a parser already read, or `undefined` when the stream is to be read (unread, or drained
 * by a middleware that left no `req.body`: the read then tells an empty body from a lost one).
 */
function parsedBody(request: ExpressLikeRequest): Uint8Array | string | undefined {
  const raw = request.rawBody;
  if (raw instanceof Uint8Array || typeof raw === "string") return raw;
  const body = request.body;
  if (body instanceof Uint8Array || typeof body === "string") return body;
  const consumed = request._body === true || request.readableEnded;
  if (consumed && body !== undefined) return JSON.stringify(body);
  if (request._body === true) return "";
  return undefined;
}

/** One Web handler as Express middleware (errors go to `next`). */
export function toExpressHandler(
  handler: WebHandler,
  options: { maxBodyBytes?: number } = {},
): ExpressMiddleware {
  return (request, response, next) => {
    const body = parsedBody(request);
    answerNodeRequest(handler, request, {
      ...(body === undefined ? {} : { body }),
      ...(request.originalUrl ? { url: request.originalUrl } : {}),
      ...(options.maxBodyBytes === undefined ? {} : { limit: options.maxBodyBytes }),
    })
      .then((answer) => writeNodeAnswer(answer, response))
      .catch(next);
  };
}

export function revtraceExpress(
  pipeline: Pipeline,
  paths?: Partial<RoutePaths>,
): ExpressMiddleware {
  const routes = new Map(
    [...resolvePaths(pipeline, paths)].map(([path, handler]) => [
      path,
      toExpressHandler(handler, { maxBodyBytes: pipeline.maxBodyBytes }),
    ]),
  );
  return (request, response, next) => {
    const path = request.path ?? routePath(request.url ?? "/");
    const route = routes.get(path);
    if (route) route(request, response, next);
    else next();
  };
}
