import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage } from "@revtrace/core";
import { runStorageConformance } from "@revtrace/testing/storage";
import { afterAll } from "vitest";
import { createSqliteStorage } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStorageConformance(":memory:", async () => {
  const storage = createSqliteStorage({ path: ":memory:" });
  await storage.migrate();
  return storage;
});

// The view whose writes resolve once applied (what the pipeline's worker and sinks use) keeps every
// rule of the contract but durability at the moment of the answer.
runStorageConformance("file, deferred commits", async () => {
  const storage = createSqliteStorage({ path: join(dir, `deferred-${n++}.db`) });
  await storage.migrate();
  return (storage.deferredCommits as () => Storage)();
});

runStorageConformance("file, group commit off", async () => {
  const storage = createSqliteStorage({ path: join(dir, `plain-${n++}.db`), groupCommit: false });
  await storage.migrate();
  return storage;
});

// A second connection to the same file plays the part of a second process (multi-process.test.ts
// races real processes).
const paths = new WeakMap<Storage, string>();
runStorageConformance(
  "file, two connections",
  async () => {
    const path = join(dir, `shared-${n++}.db`);
    const storage = createSqliteStorage({ path });
    paths.set(storage, path);
    await storage.migrate();
    return storage;
  },
  { connect: (storage) => createSqliteStorage({ path: paths.get(storage) as string }) },
);
