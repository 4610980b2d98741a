/**
 * review-i: `revtrace doctor` is the check that tells a deployment is not ready; it must end.
 * Its storage check (commands/doctor.ts:64, `storage.migrate()`) has no time limit, unlike the
 * destinations' 15 s, and storage-postgres creates its pool without connectionTimeoutMillis: a
 * Postgres URL pointing at a host or port that accepts TCP but never answers (a firewall, a
 * load balancer, the wrong service) makes doctor wait forever.
 */
import { createServer } from "node:net";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { afterAll, expect, it } from "vitest";
import { runDoctor } from "../src/index.ts";

const silent = createServer((socket) => socket.on("data", () => {})).listen(0, "127.0.0.1");
afterAll(() => {
  silent.close();
});

it("doctor against a Postgres that never answers ends within 30 s with the storage check failed", {
  timeout: 40_000,
}, async () => {
  await new Promise((r) => (silent.listening ? r(null) : silent.once("listening", r)));
  const port = (silent.address() as { port: number }).port;
  const storage = createPostgresStorage({
    connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
  });
  const doctor = runDoctor({
    config: {
      pipeline: {
        chargebee: { credentials: [{ username: "chargebee", password: "pw" }] },
        storage: storage as never,
      },
    },
  });
  const outcome = await Promise.race([
    doctor,
    new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000)),
  ]);
  expect(outcome).not.toBe("hung");
  expect(outcome === "hung" ? [] : outcome.checks).toContainEqual(
    expect.objectContaining({ name: "storage", status: "fail" }),
  );
});
