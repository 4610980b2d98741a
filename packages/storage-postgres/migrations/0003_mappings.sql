-- Namespaced key → value mappings (MappingStore): ids a vendor cannot look up for us, and claims.
CREATE TABLE mappings (
  namespace text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (namespace, key)
);
