/**
 * `servePipeline`: the pipeline on its own `node:http` server, listening, with a graceful `close()`
 * (the shutdown a SIGTERM handler wants): the pipeline answers the requests in flight and refuses new
 * ones (503), its work and storage close, then the server's connections do.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Pipeline } from "../pipeline.js";
import { createNodeListener } from "./node.js";
import type { RoutePaths } from "./routes.js";

/** Options of {@link servePipeline}. */
export interface ServePipelineOptions {
  /** The port; `0` (the default) takes a free one (`url` says which). */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  paths?: Partial<RoutePaths>;
  /** After the pipeline closed, connections still open are closed this much later. @default 10_000 */
  shutdownTimeoutMs?: number;
  /**
   * Requests of your own, answered first (your site's pages beside the collect endpoint): return
   * `true` when it answered the request, `false` to leave it to the pipeline (404 off its paths).
   */
  handle?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/** A pipeline being served. */
export interface ServedPipeline {
  readonly server: Server;
  /** `http://host:port` as listened on. */
  readonly url: string;
  /**
   * Graceful shutdown: `pipeline.close()` (requests in flight answered, new ones 503), then idle
   * connections closed at once and busy ones after `shutdownTimeoutMs`. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Serves `pipeline` on a new `node:http` server; resolves once it listens (rejects when it cannot,
 * e.g. the port is taken; the pipeline is left open).
 *
 * @example
 * const served = await servePipeline(pipeline, { port: 3000, host: "0.0.0.0" });
 * await pipeline.start();
 * process.on("SIGTERM", () => void served.close());
 */
export async function servePipeline(
  pipeline: Pipeline,
  options: ServePipelineOptions = {},
): Promise<ServedPipeline> {
  const listener = createNodeListener(pipeline, options.paths);
  const own = options.handle;
  const server = createServer(
    own
      ? (request, response) => {
          if (!own(request, response)) listener(request, response);
        }
      : listener,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await pipeline.close();
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
