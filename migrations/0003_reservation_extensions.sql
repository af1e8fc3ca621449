-- Switchyard ledger schema, version 0003: a reservation may be extended.
--
-- Released migrations are never edited: change the schema by adding 0004_..., 0005_... files.
--
-- A request that fails over to a target whose worst case no longer fits what it reserved reserves more, as another
-- 'reserve' row of the same request (note 'extension of the reservation'). Its reservation is the sum of its
-- 'reserve' rows; settle, crash recovery and the budgets invariant all use that sum. 'settle' and 'release' stay
-- at most one per request.

-- The lookup by request used by settle, extend and crash recovery: the same name and columns as before, no longer
-- unique.
DROP INDEX ledger_request_kind;
CREATE INDEX ledger_request_kind ON ledger (request_id, kind);
-- At most one settle and one release per request (adjust rows have a NULL request_id, which never collides).
CREATE UNIQUE INDEX ledger_request_closed ON ledger (request_id, kind) WHERE kind IN ('settle', 'release');
