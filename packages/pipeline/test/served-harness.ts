/** A pipeline on SQLite behind servePipeline, for tests over real sockets (raw ones too). */
import { mkdtempSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPipeline, type Pipeline, type PipelineOptions } from "@revtrace/pipeline";
import { type ServedPipeline, servePipeline } from "@revtrace/pipeline/node";

export const PASSWORD = "s3cret-Hunter2-pw";
export const AUTH = `Basic ${Buffer.from(`chargebee:${PASSWORD}`).toString("base64")}`;

export function fixture(name: string): Record<string, unknown> {
  const shared = new URL(`../../../../shared/fixtures/chargebee/${name}`, import.meta.url);
  try {
    return JSON.parse(readFileSync(shared, "utf8"));
  } catch {
    return JSON.parse(
      readFileSync(new URL(`../../chargebee/test/fixtures/${name}`, import.meta.url), "utf8"),
    );
  }
}

export interface Captured {
  level: string;
  obj: unknown;
  msg?: string;
}

export function capturingLogger() {
  const lines: Captured[] = [];
  const mk = (level: string) => (obj: unknown, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return {
    lines,
    logger: { debug: mk("debug"), info: mk("info"), warn: mk("warn"), error: mk("error") },
  };
}

export interface Served {
  pipeline: Pipeline;
  served: ServedPipeline;
  url: string;
  dir: string;
  lines: Captured[];
  post(
    body: string | Uint8Array,
    headers?: Record<string, string>,
    path?: string,
  ): Promise<{ status: number; text: string; headers: Headers }>;
}

export async function serve(overrides: Partial<PipelineOptions> = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), "revtrace-served-"));
  const { lines, logger } = capturingLogger();
  const pipeline = createPipeline({
    sqlite: { path: join(dir, "rt.db") },
    chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
    logger,
    ...overrides,
  } as PipelineOptions);
  const served = await servePipeline(pipeline, { port: 0 });
  const url = served.url;
  return {
    pipeline,
    served,
    url,
    dir,
    lines,
    async post(body, headers = {}, path = "/webhooks/chargebee") {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json", ...headers },
        body: body as BodyInit,
      });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
  };
}

/** Sends raw bytes on a socket, resolves with everything the server wrote until it closes (or ms). */
export function raw(
  url: string,
  chunks: (string | Buffer)[],
  opts: { ms?: number; gapMs?: number; end?: boolean } = {},
): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname);
    let out = "";
    sock.on("data", (d) => {
      out += d.toString("latin1");
    });
    const done = () => resolve(out);
    sock.on("close", done);
    sock.on("error", () => {});
    const timer = setTimeout(() => {
      sock.destroy();
      done();
    }, opts.ms ?? 3000);
    timer.unref();
    sock.on("connect", async () => {
      for (const c of chunks) {
        sock.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.end) sock.end();
    });
  });
}

export function allLogText(lines: Captured[]): string {
  return lines.map((l) => `${JSON.stringify(l.obj)} ${l.msg ?? ""}`).join("\n");
}
