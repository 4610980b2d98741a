/**
 * `startSandbox`: the emulators behind one local HTTP server (`node:http`), for the demo and for
 * manual runs. Each vendor is served under its name (`http://127.0.0.1:4010/tiktok/open_api/...`);
 * control endpoints under `/_sandbox/<vendor>/` read what was recorded, queue failures and reset.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseOptions } from "@revtrace/core";
import { z } from "zod";
import {
  type ActiveCampaignSandbox,
  type ActiveCampaignSandboxOptions,
  createActiveCampaignSandbox,
} from "./activecampaign/activecampaign-sandbox.js";
import {
  createKifloSandbox,
  type KifloSandbox,
  type KifloSandboxOptions,
} from "./kiflo/kiflo-sandbox.js";
import type { SandboxOutcome, VendorEmulator } from "./sandbox-types.js";
import {
  createSegmentSandbox,
  type SegmentRecordedMessage,
  type SegmentSandbox,
  type SegmentSandboxOptions,
} from "./segment/segment-sandbox.js";
import {
  createTikTokSandbox,
  type TikTokRecordedEvent,
  type TikTokSandbox,
  type TikTokSandboxOptions,
} from "./tiktok/tiktok-sandbox.js";

/** Options of {@link startSandbox}. */
export interface SandboxServerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** The TikTok emulator, or options to create one. */
  tiktok?: TikTokSandbox | TikTokSandboxOptions;
  /** The ActiveCampaign emulator (one account), or options to create one. */
  activecampaign?: ActiveCampaignSandbox | ActiveCampaignSandboxOptions;
  /** The Segment emulator, or options to create one. */
  segment?: SegmentSandbox | SegmentSandboxOptions;
  /** The Kiflo emulator, or options to create one. */
  kiflo?: KifloSandbox | KifloSandboxOptions;
  /** Larger request bodies are answered 413. @default 5_000_000 */
  maxBodyBytes?: number;
}

/** A running sandbox server. */
export interface SandboxServer {
  /** `http://host:port`. */
  readonly url: string;
  /** Base URL of each vendor on this server, e.g. `tiktok: "http://127.0.0.1:4010/tiktok"`. */
  readonly vendors: {
    readonly tiktok: string;
    readonly activecampaign: string;
    readonly segment: string;
    readonly kiflo: string;
  };
  readonly tiktok: TikTokSandbox;
  /** Every process pointed at this server shares its account limit (5 requests a second). */
  readonly activecampaign: ActiveCampaignSandbox;
  readonly segment: SegmentSandbox;
  readonly kiflo: KifloSandbox;
  /** What each emulator accepted (live arrays). */
  readonly recorded: {
    readonly tiktok: readonly TikTokRecordedEvent[];
    readonly segment: readonly SegmentRecordedMessage[];
  };
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const ServerOptionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.string().min(1).default("127.0.0.1"),
  // The emulator or its options; the options are validated by createTikTokSandbox.
  tiktok: z
    .custom<TikTokSandbox | TikTokSandboxOptions>(
      (value) => typeof value === "object" && value !== null,
      "must be a TikTok sandbox or its options",
    )
    .optional(),
  activecampaign: z
    .custom<ActiveCampaignSandbox | ActiveCampaignSandboxOptions>(
      (value) => typeof value === "object" && value !== null,
      "must be an ActiveCampaign sandbox or its options",
    )
    .optional(),
  segment: z
    .custom<SegmentSandbox | SegmentSandboxOptions>(
      (value) => typeof value === "object" && value !== null,
      "must be a Segment sandbox or its options",
    )
    .optional(),
  kiflo: z
    .custom<KifloSandbox | KifloSandboxOptions>(
      (value) => typeof value === "object" && value !== null,
      "must be a Kiflo sandbox or its options",
    )
    .optional(),
  maxBodyBytes: z.number().int().positive().default(5_000_000),
});

/** `times` of the failures control endpoint. */
const FailureTimesSchema = z.number().int().min(1).max(100_000).optional();

function isEmulator<E extends VendorEmulator>(value: E | object | undefined): value is E {
  return typeof value === "object" && value !== null && "handle" in value;
}

/** The body text (`undefined` when larger than `limit`) and its length in bytes. */
function readBody(
  request: IncomingMessage,
  limit: number,
): Promise<{ text: string | undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () =>
      resolve({
        text: size > limit ? undefined : Buffer.concat(chunks).toString("utf8"),
        bytes: size,
      }),
    );
    request.on("error", reject);
  });
}

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(body);
}

function deliver(
  request: IncomingMessage,
  response: ServerResponse,
  outcome: SandboxOutcome,
): void {
  if (outcome.kind === "network_error") {
    request.socket.destroy();
    return;
  }
  const { status, headers = {}, body } = outcome.response;
  if (outcome.delayMs === undefined) {
    send(response, status, body, headers);
    return;
  }
  const timer = setTimeout(() => send(response, status, body, headers), outcome.delayMs);
  // The client gave up (its timeout fired): nothing left to answer.
  request.socket.once("close", () => clearTimeout(timer));
}

/**
 * Starts the sandbox server. Bad options throw a `ConfigError` naming the fields.
 *
 * @example
 * const sandbox = await startSandbox({ port: 4010 });
 * const sink = createTikTokSink({ ..., baseUrl: `${sandbox.vendors.tiktok}/open_api/v1.3/` });
 * // … later: sandbox.recorded.tiktok, then await sandbox.close();
 */
export async function startSandbox(options: SandboxServerOptions = {}): Promise<SandboxServer> {
  const settings = parseOptions(ServerOptionsSchema, options, "sandbox server options");
  const tiktok = isEmulator<TikTokSandbox>(settings.tiktok)
    ? settings.tiktok
    : createTikTokSandbox(settings.tiktok);
  const activecampaign = isEmulator<ActiveCampaignSandbox>(settings.activecampaign)
    ? settings.activecampaign
    : createActiveCampaignSandbox(settings.activecampaign);
  const segment = isEmulator<SegmentSandbox>(settings.segment)
    ? settings.segment
    : createSegmentSandbox(settings.segment);
  const kiflo = isEmulator<KifloSandbox>(settings.kiflo)
    ? settings.kiflo
    : createKifloSandbox(settings.kiflo);
  const emulators = new Map<string, VendorEmulator>([
    [tiktok.name, tiktok],
    [activecampaign.name, activecampaign],
    [segment.name, segment],
    [kiflo.name, kiflo],
  ]);
  const { maxBodyBytes } = settings;
  let url = "";

  const server = createServer(async (request, response) => {
    try {
      const target = new URL(request.url ?? "/", "http://sandbox.local");
      const { text: body, bytes } = await readBody(request, maxBodyBytes);
      const [first = "", second = "", third = ""] = target.pathname.split("/").slice(1);
      if (body === undefined) {
        // A vendor that documents its size limit answers with its own status (Segment: 400,
        // segment-http-api.md §4), not the server's generic 413.
        const outcome = emulators.get(first)?.oversized?.(
          {
            method: request.method ?? "GET",
            path: `${target.pathname.slice(first.length + 1)}${target.search}`,
            headers: headersOf(request),
          },
          bytes,
        );
        if (outcome) return deliver(request, response, outcome);
        return send(response, 413, JSON.stringify({ error: "request body too large" }));
      }

      if (first === "_sandbox") {
        const emulator = emulators.get(second);
        if (!emulator)
          return send(response, 404, JSON.stringify({ error: `unknown vendor ${second}` }));
        if (third === "recorded" && request.method === "GET") {
          return send(response, 200, JSON.stringify(emulator.recordedJson()));
        }
        if (third === "reset" && request.method === "POST") {
          emulator.reset();
          return send(response, 204, "");
        }
        if (third === "failures" && request.method === "POST") {
          try {
            const { failure, times } = JSON.parse(body) as { failure: unknown; times?: number };
            // Each time is one queue entry: a huge or non-integer count is refused, not looped over.
            FailureTimesSchema.parse(times);
            emulator.injectFailure(failure, times);
            return send(response, 204, "");
          } catch {
            return send(
              response,
              400,
              JSON.stringify({ error: "expected { failure, times? } with a valid failure" }),
            );
          }
        }
        return send(response, 404, JSON.stringify({ error: "unknown control endpoint" }));
      }

      const emulator = emulators.get(first);
      if (!emulator) {
        const vendors = Object.fromEntries(
          [...emulators.keys()].map((name) => [name, `${url}/${name}`]),
        );
        return send(response, target.pathname === "/" ? 200 : 404, JSON.stringify({ vendors }));
      }
      const outcome = await emulator.handle({
        method: request.method ?? "GET",
        path: `${target.pathname.slice(first.length + 1)}${target.search}`,
        headers: headersOf(request),
        body,
      });
      deliver(request, response, outcome);
    } catch {
      if (!response.headersSent) send(response, 500, JSON.stringify({ error: "sandbox failure" }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    url,
    vendors: {
      tiktok: `${url}/${tiktok.name}`,
      activecampaign: `${url}/${activecampaign.name}`,
      segment: `${url}/${segment.name}`,
      kiflo: `${url}/${kiflo.name}`,
    },
    tiktok,
    activecampaign,
    segment,
    kiflo,
    recorded: {
      get tiktok() {
        return tiktok.recorded;
      },
      get segment() {
        return segment.recorded;
      },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
