-- Namespaced key → value mappings (MappingStore): ids a vendor cannot look up for us, and claims.
CREATE TABLE mappings (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
