/**
 * `revtrace serve`: the pipeline as a standalone server for those who do not embed it — the Chargebee
 * webhook (`POST /webhooks/chargebee`), the tracker's collect endpoint (`POST /rt/collect`), health
 * (`/health/live`, `/health/ready`) and Prometheus metrics (`/metrics`) on `node:http`, with the
 * worker and sink runners in the same process. SIGTERM (and SIGINT) shut down gracefully: the
 * server stops accepting connections, the pipeline answers 503 to new requests, finishes those in
 * flight and the batches it claimed, and closes the storage.
 *
 * @module
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeListener } from "@revtrace/pipeline/node";
import type { RevtraceConfig } from "../config.js";
import { type ConfiguredPipeline, openConfiguredPipeline } from "../configured-pipeline.js";

export interface ServeOptions {
  config: RevtraceConfig;
  /** Overrides `config.server.port` (0: a free port). */
  port?: number | undefined;
  /** Overrides `config.server.host`. */
  host?: string | undefined;
}

/** A running server. */
export interface ServeHandle extends ConfiguredPipeline {
  url: string;
  /** Graceful shutdown (what SIGTERM does); resolves when everything is closed. */
  close(): Promise<void>;
}

/** Starts the server and the background work; resolves once it listens. */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const configured = await openConfiguredPipeline(options.config);
  const { pipeline } = configured;
  const server = createServer(createNodeListener(pipeline));
  const host = options.host ?? options.config.server?.host ?? "127.0.0.1";
  const port = options.port ?? options.config.server?.port ?? 3000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    await pipeline.close();
    throw error;
  }
  await pipeline.start();
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const timeoutMs = options.config.shutdownTimeoutMs ?? 10_000;
  let closing: Promise<void> | undefined;
  return {
    ...configured,
    url: `http://${shown}:${address.port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // The pipeline answers 503 to new requests and lets those in flight finish.
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

/** Serves until SIGTERM or SIGINT; `onListening` gets the URL. */
export async function runServe(
  options: ServeOptions & { onListening?: (handle: ServeHandle) => void },
): Promise<void> {
  const handle = await startServe(options);
  options.onListening?.(handle);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      handle.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
