import type { Storage } from "@revtrace/core";
import { runStorageConformance } from "@revtrace/testing/storage";
import { createPostgresStorage } from "../src/index.js";
import { describePostgres, TEST_DATABASE_URL, useTestSchemas } from "./postgres-test-db.js";

describePostgres("postgres storage", () => {
  const db = useTestSchemas();
  const schemas = new WeakMap<Storage, string>();

  runStorageConformance(
    "postgres",
    async () => {
      const schema = db.schema();
      const storage = createPostgresStorage({ pool: db.pool, schema });
      schemas.set(storage, schema);
      await storage.migrate();
      return storage;
    },
    {
      // Another pool: other connections, as another process would have.
      connect: (storage) =>
        createPostgresStorage({
          connectionString: TEST_DATABASE_URL,
          schema: schemas.get(storage) as string,
          poolSize: 5,
        }),
    },
  );
});
