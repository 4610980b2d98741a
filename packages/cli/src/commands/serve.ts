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
import { type ServedPipeline, servePipeline } from "@revtrace/pipeline/node";
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
  let served: ServedPipeline;
  try {
    served = await servePipeline(pipeline, {
      host: options.host ?? options.config.server?.host ?? "127.0.0.1",
      port: options.port ?? options.config.server?.port ?? 3000,
      shutdownTimeoutMs: options.config.shutdownTimeoutMs ?? 10_000,
    });
  } catch (error) {
    await pipeline.close();
    throw error;
  }
  await pipeline.start();
  // close(): the pipeline answers 503 to new requests and lets those in flight finish first.
  return { ...configured, url: served.url, close: served.close };
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
