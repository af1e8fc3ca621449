-- Switchyard ledger schema, version 0006: indexes for the dashboard's reports (docs/ledger.md, "Reports at size").
--
-- The breaker timeline (GET /reports/breakers) reads a range of transitions in time order.
CREATE INDEX breaker_transitions_at ON breaker_transitions (at);
