-- A key's edges by time (IdentityStore.listEarliestEdges reads a shared key's first observations
-- without its whole edge list) and edges by observation (listObservationEdges).
CREATE INDEX identity_edges_by_low_at ON identity_edges (low, at);
CREATE INDEX identity_edges_by_high_at ON identity_edges (high, at);
CREATE INDEX identity_edges_by_observation ON identity_edges (observation_id);
-- (high, at) serves every lookup by high
DROP INDEX identity_edges_by_high;
