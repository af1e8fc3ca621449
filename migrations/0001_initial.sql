-- Switchyard ledger schema, version 0001.
--
-- Released migrations are never edited: change the schema by adding 0002_..., 0003_... files.
-- Table and column names are a stable contract for users who query the ledger with SQL (docs/ledger.md).
--
-- Conventions:
--   * Money: INTEGER micro-dollars (1_000_000 = $1.00), columns named *_usd_micros. Never REAL.
--   * Timestamps: UTC TEXT 'YYYY-MM-DD HH:MM:SS.SSS' (e.g. '2025-01-31 23:59:59.123'), which SQLite's
--     date functions accept (date(at), strftime('%H', at), julianday(at)) and which sort chronologically as text.
--   * Latencies: INTEGER milliseconds.
--   * Booleans: INTEGER 0/1.
--   * No foreign keys: events of one request may be committed in any batch order, and the writer must never
--     reject a record. Joins use requests.id = attempts.request_id = ledger.request_id.

-- One row per client request, inserted when the request is received and completed when it finishes.
CREATE TABLE requests (
    id                TEXT PRIMARY KEY NOT NULL,      -- the request id returned to the client
    user_id           TEXT NOT NULL,
    route             TEXT,
    requested_model   TEXT,
    priority          TEXT,                          -- cost | speed | quality, NULL when not given
    classification    TEXT,                          -- code | writing | analysis | general
    stream            INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL DEFAULT 'in_progress',
                      -- in_progress | success | failed | rejected_budget | rejected_rate_limit | rejected_cost_cap
                      -- | unavailable | timeout | bad_request | cancelled
    provider          TEXT,                          -- the provider that answered (or was tried last)
    model             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    tokens_estimated  INTEGER NOT NULL DEFAULT 0,    -- 1 when Switchyard counted the tokens itself
    cost_usd_micros   INTEGER NOT NULL DEFAULT 0,    -- total of every attempt of the request
    latency_ms        INTEGER,
    error_code        TEXT,
    attempt_count     INTEGER NOT NULL DEFAULT 0,
    escalated         INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    finished_at       TEXT
);
CREATE INDEX requests_created_at ON requests (created_at);
CREATE INDEX requests_user_created_at ON requests (user_id, created_at);

-- One row per provider call. Inserted with outcome 'started' when the call begins, completed when it ends.
CREATE TABLE attempts (
    request_id        TEXT NOT NULL,
    seq               INTEGER NOT NULL,              -- 1-based position within the request
    tier              TEXT,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL,
    is_escalation     INTEGER NOT NULL DEFAULT 0,    -- 1 for the call made on the escalation target
    outcome           TEXT NOT NULL,
                      -- started | success | error | timeout | rate_limited | escalated | cancelled
    http_status       INTEGER,
    error_code        TEXT,                          -- ProviderError code when the call failed
    error             TEXT,                          -- the error message
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    tokens_estimated  INTEGER NOT NULL DEFAULT 0,
    cost_usd_micros   INTEGER NOT NULL DEFAULT 0,
    latency_ms        INTEGER,
    started_at        TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);
CREATE INDEX attempts_started_at ON attempts (started_at);

-- Every circuit-breaker state change. The last row per provider restores its breaker at start-up.
CREATE TABLE breaker_transitions (
    id         INTEGER PRIMARY KEY,                  -- insertion order: the latest row per provider is current
    provider   TEXT NOT NULL,
    from_state TEXT NOT NULL,                        -- closed | open | half_open
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL,
    open_until TEXT                                  -- for to_state = 'open': when a probe is let through
);
CREATE INDEX breaker_transitions_provider_at ON breaker_transitions (provider, at);

-- Things that happened to a request besides its attempts: escalations, skipped targets, queueing.
CREATE TABLE request_events (
    id           INTEGER PRIMARY KEY,
    request_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,                      -- escalated | target_skipped | queued
    tier         TEXT,                               -- target_skipped
    provider     TEXT,                               -- escalated: from; target_skipped: the skipped provider
    model        TEXT,
    to_provider  TEXT,                               -- escalated
    to_model     TEXT,                               -- escalated
    reason       TEXT,                               -- target_skipped: breaker_open | rate_limited | ...
    queue_length INTEGER,                            -- queued
    at           TEXT NOT NULL
);
CREATE INDEX request_events_request ON request_events (request_id);
CREATE INDEX request_events_kind_at ON request_events (kind, at);

-- One row per user who has a limit override or has reserved money. Always equal to what `ledger` adds up to:
--   reserved_usd_micros = sum(reserve) - sum(settle) - sum(release)
--   spent_usd_micros    = sum(settle) + sum(adjust)
CREATE TABLE budgets (
    user_id             TEXT PRIMARY KEY NOT NULL,
    limit_usd_micros    INTEGER,                     -- NULL: the configured default limit applies
    spent_usd_micros    INTEGER NOT NULL DEFAULT 0,
    reserved_usd_micros INTEGER NOT NULL DEFAULT 0,
    updated_at          TEXT NOT NULL
);

-- Append-only money movements. Rows are never updated or deleted.
--   reserve: +amount set aside before the first provider call
--   settle:  +actual cost of the request (moves from reserved to spent); exactly one per reservation
--   release: +(reserved - actual), the part given back; negative if the actual cost overran the reservation;
--            omitted when zero
--   adjust:  +/- an administrator's correction of spent (request_id NULL)
CREATE TABLE ledger (
    id                INTEGER PRIMARY KEY,
    user_id           TEXT NOT NULL,
    request_id        TEXT,
    kind              TEXT NOT NULL CHECK (kind IN ('reserve', 'settle', 'release', 'adjust')),
    amount_usd_micros INTEGER NOT NULL,
    note              TEXT,                          -- 'recovered at start-up' for crash-recovered settles
    at                TEXT NOT NULL
);
-- At most one reserve, one settle and one release per request (adjust rows have a NULL request_id, which never
-- collides); also the lookup used by settle and crash recovery.
CREATE UNIQUE INDEX ledger_request_kind ON ledger (request_id, kind);
CREATE INDEX ledger_user_at ON ledger (user_id, at);
