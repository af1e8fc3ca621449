-- Switchyard ledger schema, version 0005: prices for every part of a call's usage, and which price it was billed at.
--
-- Released migrations are never edited: change the schema by adding 0006_..., 0007_... files.
--
-- Columns and a table are only added. Attempts recorded before 0005 keep NULL in the new columns: their prompt and
-- completion tokens were billed as plain input and output.

-- The parts of an attempt's tokens that are priced apart: parts of prompt_tokens and completion_tokens, not extra.
ALTER TABLE attempts ADD COLUMN cached_prompt_tokens  INTEGER;  -- of prompt_tokens: read from the prompt cache
ALTER TABLE attempts ADD COLUMN cache_write_tokens    INTEGER;  -- of prompt_tokens: written to the cache (5-minute)
ALTER TABLE attempts ADD COLUMN cache_write_1h_tokens INTEGER;  -- of prompt_tokens: written to the 1-hour cache
ALTER TABLE attempts ADD COLUMN reasoning_tokens      INTEGER;  -- of completion_tokens: reasoning (thinking)
ALTER TABLE attempts ADD COLUMN price_id              INTEGER;  -- prices.id the attempt was billed at

-- Every price an attempt was billed at, one row per provider, model and set of prices: a price change in the
-- configuration adds a row, so each attempt keeps the price it was billed at. Prices are micro-dollars per million
-- tokens with defaults applied (what was charged); long_context_* are NULL for a model without a long-context tier.
CREATE TABLE prices (
    id                                 INTEGER PRIMARY KEY,
    provider                           TEXT NOT NULL,
    model                              TEXT NOT NULL,
    digest                             TEXT NOT NULL,  -- every figure below as one text: the entry's identity
    input_usd_micros_per_mtok          INTEGER NOT NULL,
    output_usd_micros_per_mtok         INTEGER NOT NULL,
    cached_input_usd_micros_per_mtok   INTEGER NOT NULL,
    cache_write_usd_micros_per_mtok    INTEGER NOT NULL,
    cache_write_1h_usd_micros_per_mtok INTEGER NOT NULL,
    reasoning_usd_micros_per_mtok      INTEGER NOT NULL,
    long_context_above_tokens          INTEGER,        -- the tier applies to prompts of more tokens than this
    long_context_input_usd_micros_per_mtok          INTEGER,
    long_context_output_usd_micros_per_mtok         INTEGER,
    long_context_cached_input_usd_micros_per_mtok   INTEGER,
    long_context_cache_write_usd_micros_per_mtok    INTEGER,
    long_context_cache_write_1h_usd_micros_per_mtok INTEGER,
    long_context_reasoning_usd_micros_per_mtok      INTEGER,
    first_used_at                      TEXT NOT NULL,
    UNIQUE (provider, model, digest)
);
