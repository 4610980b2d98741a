/**
 * Converts between Node's `http` objects and Web `Request`/`Response`, for the Node, Express and
 * Fastify adapters. The request body streams (so the size limit applies while it arrives); when the
 * handler stops reading early (a 413), the rest of the body is drained and discarded rather than the
 * socket destroyed, so the client still gets its answer.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";

/** A readable stream of the request body that pauses Node's stream under back-pressure. */
export function bodyStream(source: Readable): ReadableStream<Uint8Array> {
  let onData: ((chunk: Buffer) => void) | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (source.readableEnded) {
        controller.close();
        return;
      }
      onData = (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      };
      source.on("data", onData);
      source.once("end", () => controller.close());
      source.once("error", (error) => controller.error(error));
    },
    pull() {
      source.resume();
    },
    cancel() {
      if (onData) source.off("data", onData);
      source.resume(); // drain and discard the rest
    },
  });
}

/** The request's absolute URL (the host header, else localhost). */
function urlOf(request: IncomingMessage, originalUrl?: string): string {
  const host = request.headers.host ?? "localhost";
  return `http://${host}${originalUrl ?? request.url ?? "/"}`;
}

/** The request's headers as Web `Headers` (repeated headers appended). */
export function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers.append(raw[i] as string, raw[i + 1] as string);
  }
  return headers;
}

/**
 * A Web `Request` for a Node request. `body` replaces the stream when a framework already read it
 * (bytes or text); otherwise the stream itself is the body.
 */
export function toWebRequest(
  request: IncomingMessage,
  options: { body?: Uint8Array | string | null; url?: string } = {},
): Request {
  const method = request.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers: headersOf(request) };
  if (method !== "GET" && method !== "HEAD") {
    if (options.body !== undefined && options.body !== null) {
      init.body = options.body as BodyInit;
    } else {
      init.body = bodyStream(request);
      init.duplex = "half";
    }
  }
  return new Request(urlOf(request, options.url), init);
}

/** Writes a Web `Response` to a Node response. */
export async function writeWebResponse(response: Response, target: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [existing as string, value].flat();
  });
  target.writeHead(response.status, headers);
  if (response.body === null) {
    target.end();
    return;
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  target.end(bytes);
}
