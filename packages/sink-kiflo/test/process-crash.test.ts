/**
 * A real process (SIGKILL) dies right after Kiflo created the transaction and before the sink recorded
 * it; the restart, on the same SQLite file, never creates a second one. Real sockets: the sandbox's
 * HTTP server on an ephemeral port, no msw in this file.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SinkError } from "@revtrace/core";
import {
  createKifloSandbox,
  type KifloSandbox,
  type SandboxRequest,
  startSandbox,
} from "@revtrace/sandbox";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createKifloSink } from "../src/index.js";
import { CB_CUSTOMER_ID, firstPayment } from "./fixtures/conversions.js";
import { TOKEN } from "./helpers.js";

const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

describe("a real process killed right after the create", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves a claim; the restart waits for it to expire, then finds the transaction", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiflo-crash-"));
    dirs.push(dir);
    const path = join(dir, "revtrace.db");
    const kiflo = createKifloSandbox({ tokens: [TOKEN] });
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    let killChild: () => Promise<void> = async () => {};
    // The emulator applies the create, then the process dies before it reads the answer.
    const emulator: KifloSandbox = {
      ...kiflo,
      async handle(request: SandboxRequest) {
        const outcome = await kiflo.handle(request);
        if (request.method === "POST" && request.path.startsWith("/v3/transactions")) {
          await killChild();
        }
        return outcome;
      },
    };
    const sandbox = await startSandbox({ kiflo: emulator });
    try {
      const root = fileURLToPath(new URL("../../../", import.meta.url));
      const script = fileURLToPath(new URL("./fixtures/kiflo-child.ts", import.meta.url));
      const child = spawn(
        process.execPath,
        [
          "--conditions=@revtrace/source",
          "--import",
          "tsx",
          script,
          `${sandbox.vendors.kiflo}/v3/`,
          path,
          TOKEN,
        ],
        { cwd: root },
      );
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, signal) => resolve(signal)),
      );
      killChild = async () => {
        child.kill("SIGKILL");
        await exited;
      };
      expect(await exited).toBe("SIGKILL");
      expect(stdout).toBe("");
      expect(kiflo.transactions).toHaveLength(1);

      const store = createSqliteStorage({ path });
      await store.migrate();
      try {
        const restart = (now: () => number) =>
          createKifloSink({
            apiToken: TOKEN,
            store,
            baseUrl: `${sandbox.vendors.kiflo}/v3/`,
            now,
            ...base,
          });
        // The dead process's claim still looks alive: retry later, never a second create.
        const early = await restart(() => Date.now()).send([firstPayment()]);
        expect(early[0]?.status).toBe("rejected");
        const error = (early[0] as { error: SinkError }).error;
        expect(error.retryable).toBe(true);
        // no retryAfterMs: a pipeline would hold the whole sink for it; only this item waits
        expect(error.retryAfterMs).toBeUndefined();

        const posts = () =>
          kiflo.requests.filter((r) => r.method === "POST" && r.path === "/transactions").length;
        expect(posts()).toBe(1);
        // Taken over after the default claimTtlMs (2 minutes): well before the outbox's 10 attempts
        // (1 s doubling, at least about 4 minutes) would dead-letter the item.
        const late = await restart(() => Date.now() + 121_000).send([firstPayment()]);
        expect(late).toEqual([{ id: firstPayment().id, status: "delivered" }]);
        expect(posts()).toBe(1);
        expect(kiflo.transactions).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});
