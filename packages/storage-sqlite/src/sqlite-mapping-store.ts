import type { MappingStore } from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

/** Namespaced key → value mappings; conditional writes are single statements (atomic). */
export function createSqliteMappingStore(connection: SqliteConnection): MappingStore {
  const { statement, write } = connection;
  return {
    async getMapping(namespace, key) {
      const row = statement("SELECT value FROM mappings WHERE namespace = ? AND key = ?").get(
        namespace,
        key,
      ) as { value: string } | undefined;
      return row ? row.value : null;
    },
    putMappingIfAbsent(namespace, key, value) {
      return write(
        () =>
          statement(
            "INSERT INTO mappings (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
          ).run(namespace, key, value).changes === 1,
      );
    },
    replaceMapping(namespace, key, expected, value) {
      return write(
        () =>
          statement(
            "UPDATE mappings SET value = ? WHERE namespace = ? AND key = ? AND value = ?",
          ).run(value, namespace, key, expected).changes === 1,
      );
    },
    async putMapping(namespace, key, value) {
      await write(() =>
        statement(
          `INSERT INTO mappings (namespace, key, value) VALUES (?, ?, ?)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        ).run(namespace, key, value),
      );
    },
    deleteMapping(namespace, key) {
      return write(
        () =>
          statement("DELETE FROM mappings WHERE namespace = ? AND key = ?").run(namespace, key)
            .changes === 1,
      );
    },
  };
}
