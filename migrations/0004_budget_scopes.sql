-- Switchyard ledger schema, version 0004: budgets per user, API key and team, over a lifetime or a calendar
-- window; service keys; budget alerts.
--
-- Released migrations are never edited: change the schema by adding 0005_..., 0006_... files.
-- Conventions as in 0001_initial.sql (UTC TEXT timestamps 'YYYY-MM-DD HH:MM:SS.SSS', no foreign keys). Only
-- additions: every existing row keeps its meaning, and a user's lifetime limit stays in budgets.limit_usd_micros.

-- A key is a user key (requests are made as its user) or a service key (held by an application's backend, which
-- names its end users in the request's `user`). A key belongs to at most one team.
ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'user';   -- user | service
ALTER TABLE api_keys ADD COLUMN team TEXT;                           -- NULL: no team
CREATE INDEX api_keys_team ON api_keys (team) WHERE team IS NOT NULL;

-- Which key (api_keys.id, as text) and team a request came with; NULL without a key. Kept on the request and on
-- its money rows as they were at the time, so moving a key to another team does not rewrite history.
ALTER TABLE requests ADD COLUMN key_id TEXT;
ALTER TABLE requests ADD COLUMN team TEXT;
CREATE INDEX requests_key_created_at ON requests (key_id, created_at) WHERE key_id IS NOT NULL;
CREATE INDEX requests_team_created_at ON requests (team, created_at) WHERE team IS NOT NULL;

ALTER TABLE ledger ADD COLUMN key_id TEXT;
ALTER TABLE ledger ADD COLUMN team TEXT;
CREATE INDEX ledger_key_at ON ledger (key_id, at) WHERE key_id IS NOT NULL;
CREATE INDEX ledger_team_at ON ledger (team, at) WHERE team IS NOT NULL;

-- Limits set by an administrator (`switchyard budget set`), besides users' lifetime limits (budgets). A scope and
-- period without a row has the configured default (budgets.defaults), if any.
CREATE TABLE budget_limits (
    scope            TEXT NOT NULL CHECK (scope IN ('user', 'key', 'team')),
    scope_id         TEXT NOT NULL,                  -- user id, key id, team name
    period           TEXT NOT NULL CHECK (period IN ('lifetime', 'daily', 'weekly', 'monthly')),
    limit_usd_micros INTEGER NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (scope, scope_id, period),
    CHECK (NOT (scope = 'user' AND period = 'lifetime'))   -- that one is budgets.limit_usd_micros
);

-- Keys' and teams' lifetime figures, as budgets holds users'. Always equal to what `ledger` adds up to for the
-- scope's column (key_id, team); `switchyard budget verify` checks it.
CREATE TABLE budget_scopes (
    scope               TEXT NOT NULL CHECK (scope IN ('key', 'team')),
    scope_id            TEXT NOT NULL,
    spent_usd_micros    INTEGER NOT NULL DEFAULT 0,
    reserved_usd_micros INTEGER NOT NULL DEFAULT 0,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- What was spent in one calendar window of one scope: Σ settle + Σ adjust of the scope's rows with window_start <=
-- at < window_end. Derived from `ledger`, kept only for speed: a row is computed from the ledger when first needed
-- and updated with every settle and adjust after that; `switchyard budget verify` checks every row. Past windows
-- stay, so reports of earlier periods are cheap.
CREATE TABLE budget_windows (
    scope            TEXT NOT NULL,
    scope_id         TEXT NOT NULL,
    period           TEXT NOT NULL,                  -- daily | weekly | monthly
    time_zone        TEXT NOT NULL,                  -- the IANA zone the window is a calendar day/week/month of
    window_start     TEXT NOT NULL,                  -- UTC, included
    window_end       TEXT NOT NULL,                  -- UTC, excluded: when the limit starts again
    spent_usd_micros INTEGER NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (scope, scope_id, period, time_zone, window_start)
);
CREATE INDEX budget_windows_scope_end ON budget_windows (scope, scope_id, window_end);

-- Budget alerts: one row per scope, period window and threshold crossed, inserted in the transaction of the
-- settlement that crossed it (so at most one per window and threshold, across restarts), then posted to the
-- webhook until it answers 2xx.
CREATE TABLE budget_alerts (
    id                INTEGER PRIMARY KEY,
    scope             TEXT NOT NULL,
    scope_id          TEXT NOT NULL,
    period            TEXT NOT NULL,
    window_start      TEXT NOT NULL,                 -- '' for a lifetime limit
    threshold_percent INTEGER NOT NULL,
    limit_usd_micros  INTEGER NOT NULL,              -- the figures when it was crossed
    spent_usd_micros  INTEGER NOT NULL,
    request_id        TEXT,                          -- the request whose settlement crossed it
    created_at        TEXT NOT NULL,
    sent_at           TEXT,                          -- NULL until the webhook accepted it
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    UNIQUE (scope, scope_id, period, window_start, threshold_percent)
);
CREATE INDEX budget_alerts_unsent ON budget_alerts (id) WHERE sent_at IS NULL;
