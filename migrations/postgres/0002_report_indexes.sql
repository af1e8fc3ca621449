-- Switchyard PostgreSQL ledger schema, version 0002: as migrations/0006_report_indexes.sql for SQLite.
--
-- The breaker timeline (GET /reports/breakers) reads a range of transitions in time order.
CREATE INDEX breaker_transitions_at ON breaker_transitions (at);
