#!/usr/bin/env python3
"""Writes docs/openapi.json (the service's OpenAPI 3 document) and embeds it in
Sources/SwitchyardServer/HTTP/OpenAPIDocument.swift. Edit this file, then run it; a test checks both agree."""
import json, pathlib

PRICES = {k: {"type": "string", "description": "Dollars per million tokens, defaults applied."} for k in ["input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok", "cache_write_usd_per_mtok", "cache_write_1h_usd_per_mtok", "reasoning_usd_per_mtok"]}

root = pathlib.Path(__file__).resolve().parent.parent

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}
def ok(schema, description="OK"): return {"description": description, "content": {"application/json": {"schema": schema}}}
def err(description): return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
admin = [{"adminKey": []}, {}]
user = [{"userKey": []}, {}]
range_params = [
    {"name": "since", "in": "query", "schema": {"type": "string"}, "description": "Inclusive start: 2026-11-21 or an ISO-8601 time."},
    {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "Exclusive end: 2026-11-22 or an ISO-8601 time."},
]
chat_errors = {
    "400": err("Malformed JSON, a missing or invalid field (named), or no provider within max_cost_usd."),
    "401": err("A Switchyard user key (sy-...) that is unknown, revoked or malformed; or no key when keys.required."),
    "402": err("A budget the request falls under (its user's, its key's or its team's, lifetime or this day/week/month) cannot cover it; error.budget names the scope and period and has limit, spent, reserved, remaining and resets_at."),
    "403": err("A user key naming another user in `user` (user_not_allowed): only a service key may name users."),
    "404": err("Unknown route or model."),
    "413": err("Body larger than server.max_body_bytes."),
    "429": err("Switchyard's wait queue is full; see Retry-After."),
    "499": err("The client closed the connection (recorded as cancelled, billed for what the provider produced)."),
    "502": err("Every provider failed (all_providers_failed), or the model asked to escalate and no escalation target answered a streamed request (escalation_failed); error.attempts lists them."),
    "503": err("No provider became available before the queue wait ended (all_providers_unavailable), or the ledger cannot record requests now (ledger_unavailable; no provider was called); see Retry-After."),
    "504": err("The request's deadline passed."),
}

doc = {
    "openapi": "3.0.3",
    "info": {"title": "Switchyard", "version": "0.1.0",
             "description": "An LLM router: one OpenAI-compatible endpoint in front of many providers, with failover, budgets and an exact cost ledger."},
    "paths": {
        "/v1/chat/completions": {"post": {
            "summary": "OpenAI-compatible chat completion (JSON or, with stream: true, server-sent events)", "security": user,
            "requestBody": body(ref("ChatCompletionRequest")),
            "responses": {"200": {"description": "The answer. Headers x-switchyard-request-id, x-switchyard-provider and, non-streaming, x-switchyard-cost-usd and the tightest budget limit after this request: x-switchyard-budget-limit-usd, x-switchyard-budget-remaining-usd, x-switchyard-budget-scope (scope:period) and, for a calendar period, x-switchyard-budget-resets-at; the same figures are switchyard.budget of the body, and of a stream's last chunk.",
                                  "content": {"application/json": {"schema": ref("ChatCompletion")},
                                              "text/event-stream": {"schema": {"type": "string", "description": "data: chat.completion.chunk JSON events, then data: [DONE]. With stream_options.include_usage the last chunk has no choices and carries usage (earlier chunks have usage: null); without it every chunk has a choice. The last chunk carries the switchyard summary; a stream that breaks ends with data: {\"error\": ...} and no [DONE]. While the upstream is quiet, SSE comment lines (: keep-alive) arrive every server.sse_heartbeat_ms (15 s). A client that takes no data for server.stream_stall_timeout_ms is disconnected and its request recorded as cancelled."}}}},
                          **chat_errors}}},
        "/v1/messages": {"post": {
            "summary": "Anthropic-compatible Messages API (JSON or, with stream: true, Anthropic's server-sent events), in front of the same routes, budgets and ledger", "security": user,
            "description": "A user key may also come as x-api-key, as Anthropic's SDKs send it. Text, system (string or text blocks), tools (tool_use / tool_result blocks), tool_choice, temperature and top_p (0..1), stop_sequences and metadata.user_id (who pays) are translated for any provider kind; image and document blocks, thinking and top_k are refused with a 400. Errors have Anthropic's shape, with Switchyard's code, param and details inside error; the statuses are those of /v1/chat/completions.",
            "requestBody": body(ref("MessagesRequest")),
            "responses": {"200": {"description": "The answer, with the same x-switchyard-* headers as /v1/chat/completions.",
                                  "content": {"application/json": {"schema": ref("Message")},
                                              "text/event-stream": {"schema": {"type": "string", "description": "event: message_start, then per text or tool call content_block_start, content_block_delta (text_delta or input_json_delta) and content_block_stop, then message_delta (stop_reason, usage, switchyard summary) and message_stop; ping while the upstream is quiet. A stream that breaks ends with event: error and no message_stop."}}}},
                          **{status: {"description": response["description"], "content": {"application/json": {"schema": ref("MessagesError")}}} for status, response in chat_errors.items()}}}},
        "/chat/completions": {"post": {
            "summary": "Simple API: a prompt and preferences in, provider, content, latency and cost out", "security": user,
            "requestBody": body(ref("SimpleRequest")),
            "responses": {"200": ok(ref("SimpleResponse")), **chat_errors}}},
        "/v1/models": {"get": {"summary": "Routes and provider models a client may name",
                               "responses": {"200": ok({"type": "object", "properties": {"object": {"type": "string"}, "data": {"type": "array", "items": {"type": "object", "required": ["id", "object", "created", "owned_by"], "properties": {"id": {"type": "string"}, "object": {"type": "string"}, "created": {"type": "integer", "description": "Unix seconds: when the service started."}, "owned_by": {"type": "string"}, "kind": {"type": "string", "enum": ["route", "model"]}}}}}})}}},
        "/providers": {"get": {"summary": "Each provider's live state: circuit, health, latency, success rate, prices",
                               "description": "Breakers and live figures are per instance: `instance` says whose view this is (on a shared PostgreSQL ledger, the id on the instance's breaker transitions and reservations).",
                               "responses": {"200": ok({"type": "object", "properties": {
                                   "instance": {"type": "string", "description": "This instance's id, `<host>-<pid>-<random>`."},
                                   "providers": {"type": "array", "items": ref("Provider")}}})}}},
        "/routing/analytics": {"get": {"summary": "Totals from the ledger (survive restarts; recomputed at most once a second) with live circuit state (admin)", "security": admin,
                                       "responses": {"200": ok(ref("Analytics")), "401": err("Missing or wrong admin key.")}}},
        "/simulate/failure": {"post": {"summary": "Force a provider down or back up (operator drain switch; admin)", "security": admin,
                                       "requestBody": body({"type": "object", "required": ["provider", "down"], "properties": {"provider": {"type": "string"}, "down": {"type": "boolean"}}}),
                                       "responses": {"200": ok({"type": "object", "properties": {"provider": {"type": "string"}, "down": {"type": "boolean"}, "circuit_status": {"type": "string"}}}),
                                                     "401": err("Missing or wrong admin key."), "404": err("Unknown provider.")}}},
        "/users/{id}/budget": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A user's budget (admin)", "security": admin,
                    "responses": {"200": ok(ref("Budget")), "401": err("Missing or wrong admin key.")}},
            "put": {"summary": "Set a user's limit (admin)", "security": admin,
                    "requestBody": body({"type": "object", "required": ["limit_usd"], "properties": {"limit_usd": {"type": "number", "minimum": 0}}}),
                    "responses": {"200": ok(ref("Budget")), "400": err("Invalid limit."), "401": err("Missing or wrong admin key.")}}},
        "/budgets": {"get": {"summary": "Every user, key and team with figures or limits of its own, one entry per limit (admin)", "security": admin,
                             "parameters": [{"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["user", "key", "team"]}},
                                            {"name": "nearest", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}, "description": "Only the N limits most used (spent and reserved against the limit, compared exactly), most used first; lifetime figures without a limit are left out."}],
                             "responses": {"200": ok(ref("BudgetReport")), "400": err("Unknown scope, or nearest not 1 to 1000."), "401": err("Missing or wrong admin key.")}}},
        "/budgets/{scope}/{id}": {
            "parameters": [{"name": "scope", "in": "path", "required": True, "schema": {"type": "string", "enum": ["user", "key", "team"]}},
                           {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "A user id, an API key id (keys list), or a team."}],
            "get": {"summary": "One scope's limits with spent, reserved, remaining and when each resets (admin)", "security": admin,
                    "responses": {"200": ok(ref("BudgetReport")), "400": err("Unknown scope."), "401": err("Missing or wrong admin key.")}},
            "put": {"summary": "Set one limit of a scope, or remove it with limit_usd null (admin)", "security": admin,
                    "requestBody": body({"type": "object", "required": ["limit_usd"], "properties": {
                        "period": {"type": "string", "enum": ["lifetime", "daily", "weekly", "monthly"], "default": "lifetime"},
                        "limit_usd": {"nullable": True, "oneOf": [{"type": "string", "description": "Exact dollars, at most six decimals."}, {"type": "number", "minimum": 0}]}}}),
                    "responses": {"200": ok(ref("BudgetReport")), "400": err("Invalid scope, period or limit."), "401": err("Missing or wrong admin key.")}}},
        "/budgets/alerts": {"get": {"summary": "Budget alerts recorded (a threshold of a limit reached), newest first, with their delivery state (admin)", "security": admin,
                                    "parameters": range_params,
                                    "responses": {"200": ok({"type": "object", "properties": {"alerts": {"type": "array", "items": ref("BudgetAlert")}}}), "400": err("Bad dates."), "401": err("Missing or wrong admin key.")}}},
        "/reports/costs": {"get": {"summary": "Cost totals grouped by user, key, team, provider, model, hour, day, week or month (admin)", "security": admin,
                                   "parameters": [{"name": "group_by", "in": "query", "schema": {"type": "string", "default": "user"}, "description": "user, key, team, provider, model, hour, day, week, month, or several comma-separated; empty for one grand total"},
                                                  {"name": "reprice", "in": "query", "schema": {"type": "boolean", "default": False}, "description": "Also what the calls would cost at the service's prices now, each call re-priced from its recorded tokens (the ledger is not changed)."}] + range_params,
                                   "responses": {"200": ok(ref("CostReport")), "400": err("Bad group_by, reprice or dates."), "401": err("Missing or wrong admin key.")}}},
        "/reports/reliability": {"get": {"summary": "Requests, success rate, failovers, escalations, breaker trips and p50/p95 latency (admin)", "security": admin,
                                         "parameters": [{"name": "group_by", "in": "query", "schema": {"type": "string", "enum": ["provider", "model"], "default": "provider"}}] + range_params,
                                         "responses": {"200": ok(ref("ReliabilityReport")), "400": err("Bad group_by or dates."), "401": err("Missing or wrong admin key.")}}},
        "/reports/breakers": {"get": {"summary": "Each provider's circuit-breaker states over a range: the state when it began and every transition in it (admin)", "security": admin,
                                      "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50000, "default": 5000}, "description": "The most transitions listed, oldest first; truncated says whether more fell in the range."}] + range_params,
                                      "responses": {"200": ok(ref("BreakerTimeline")), "400": err("Bad limit or dates."), "401": err("Missing or wrong admin key.")}}},
        "/reports/requests": {"get": {"summary": "The latest requests of a range, newest first, each with its provider calls (admin)", "security": admin,
                                      "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
                                                     {"name": "user", "in": "query", "schema": {"type": "string"}, "description": "Only this user's requests."},
                                                     {"name": "status", "in": "query", "schema": {"type": "string"}, "description": "Only requests with this status (success, failed, rejected_budget, ...)."}] + range_params,
                                      "responses": {"200": ok({"type": "object", "properties": {"since": {"type": "string", "format": "date-time", "nullable": True}, "until": {"type": "string", "format": "date-time", "nullable": True}, "limit": {"type": "integer"}, "requests": {"type": "array", "items": ref("RequestRecord")}}}),
                                                    "400": err("Bad limit or dates."), "401": err("Missing or wrong admin key.")}}},
        "/reports/requests/{id}": {"get": {"summary": "One request's trail: its calls, what else happened to it (escalations, skipped targets, queueing) and the money it moved (admin)", "security": admin,
                                           "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "The request id (x-switchyard-request-id)."}],
                                           "responses": {"200": ok(ref("RequestTrail")), "401": err("Missing or wrong admin key."), "404": err("The ledger has no such request (not_found).")}}},
        "/dashboard": {"get": {"summary": "The operators' dashboard: an HTML page (with /dashboard/dashboard.js and /dashboard/dashboard.css) that draws the admin report API; it holds no figures itself and asks for the admin key when one is configured",
                               "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        "/dashboard/dashboard.js": {"get": {"summary": "The dashboard's script",
                                            "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {"schema": {"type": "string"}}}}}}},
        "/dashboard/dashboard.css": {"get": {"summary": "The dashboard's style sheet",
                                             "responses": {"200": {"description": "CSS", "content": {"text/css": {"schema": {"type": "string"}}}}}}},
        "/healthz": {"get": {"summary": "The process is alive", "responses": {"200": ok({"type": "object"})}}},
        "/readyz": {"get": {"summary": "The ledger can record requests (its writer is not failing and its backlog is not full) and at least one provider is available",
                            "responses": {"200": ok({"type": "object"}), "503": ok({"type": "object"}, "Not ready; problems says why.")}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok({"type": "object"})}}},
    },
    "components": {
        "securitySchemes": {"userKey": {"type": "http", "scheme": "bearer", "description": "A Switchyard API key (sy- and 40 characters, from switchyard keys create): a user key makes the request as the key's user; a service key (keys create --service) as the user the request names. The request also counts against the key's budget and its team's. Required when keys.required; otherwise optional, and a bearer token that is not a Switchyard key is ignored."},
                            "adminKey": {"type": "http", "scheme": "bearer", "description": "The value of the environment variable named by server.admin_key_env. Without one, admin endpoints answer only on a loopback address."}},
        "schemas": {
            "MessagesRequest": {"type": "object", "required": ["model", "max_tokens", "messages"], "properties": {
                "model": {"type": "string", "description": "A route, provider/model, or a model one provider serves."},
                "max_tokens": {"type": "integer", "minimum": 1},
                "system": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
                "messages": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["role", "content"], "properties": {
                    "role": {"type": "string", "enum": ["user", "assistant"]},
                    "content": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object", "description": "text, tool_use or tool_result"}}]}}}},
                "tools": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "input_schema": {"type": "object"}}}},
                "tool_choice": {"type": "object", "properties": {"type": {"type": "string", "enum": ["auto", "any", "tool", "none"]}, "name": {"type": "string"}}},
                "temperature": {"type": "number", "minimum": 0, "maximum": 1}, "top_p": {"type": "number", "minimum": 0, "maximum": 1},
                "stop_sequences": {"type": "array", "items": {"type": "string"}}, "stream": {"type": "boolean"},
                "metadata": {"type": "object", "properties": {"user_id": {"type": "string", "description": "Whose budget pays, as user does on /v1/chat/completions."}}},
                "switchyard": {"type": "object", "description": "Routing options, as on /v1/chat/completions; never forwarded."}}},
            "Message": {"type": "object", "properties": {
                "id": {"type": "string"}, "type": {"type": "string", "enum": ["message"]}, "role": {"type": "string", "enum": ["assistant"]},
                "model": {"type": "string"}, "content": {"type": "array", "items": {"type": "object", "description": "text or tool_use"}},
                "stop_reason": {"type": "string", "enum": ["end_turn", "max_tokens", "tool_use", "refusal"]}, "stop_sequence": {"type": "string", "nullable": True},
                "usage": {"type": "object", "properties": {"input_tokens": {"type": "integer", "description": "Prompt tokens neither read from nor written to a cache."}, "output_tokens": {"type": "integer"},
                          "cache_creation_input_tokens": {"type": "integer"}, "cache_read_input_tokens": {"type": "integer"}}},
                "switchyard": {"type": "object", "description": "As on /v1/chat/completions."}}},
            "MessagesError": {"type": "object", "properties": {"type": {"type": "string", "enum": ["error"]}, "request_id": {"type": "string", "nullable": True},
                "error": {"type": "object", "required": ["type", "message"], "properties": {
                    "type": {"type": "string", "enum": ["invalid_request_error", "authentication_error", "billing_error", "permission_error", "not_found_error", "rate_limit_error", "api_error", "overloaded_error", "timeout_error"]},
                    "message": {"type": "string"}, "code": {"type": "string", "description": "Switchyard's stable code, as on /v1/chat/completions."}}}}},
            "Error": {"type": "object", "properties": {"error": {"type": "object", "required": ["type", "code", "message", "param"], "properties": {
                "type": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
                "param": {"type": "string", "nullable": True, "description": "The request field at fault (messages[0].content), else null."}, "request_id": {"type": "string"},
                "budget": {"type": "object", "properties": {k: {"type": "number"} for k in ["limit_usd", "spent_usd", "reserved_usd", "remaining_usd", "request_needs_usd"]}
                           | {"scope": {"type": "string", "enum": ["user", "key", "team"]}, "scope_id": {"type": "string"}, "period": {"type": "string", "enum": ["lifetime", "daily", "weekly", "monthly"]},
                              "user": {"type": "string", "description": "For a user scope."}, "resets_at": {"type": "string", "format": "date-time", "description": "For a calendar period."}}},
                "attempts": {"type": "array", "items": {"type": "object"}}}}}},
            "Message": {"type": "object", "required": ["role"], "properties": {"role": {"type": "string", "enum": ["system", "developer", "user", "assistant", "tool"]},
                        "content": {"nullable": True, "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]}, "name": {"type": "string"},
                        "tool_calls": {"type": "array", "items": {"type": "object"}}, "tool_call_id": {"type": "string"}}},
            "ChatCompletionRequest": {"type": "object", "required": ["messages"], "properties": {
                "model": {"type": "string", "description": "A route, provider/model, or a model one provider serves; empty for the default route."},
                "messages": {"type": "array", "minItems": 1, "items": ref("Message")},
                "tools": {"type": "array", "items": {"type": "object"}}, "tool_choice": {},
                "temperature": {"type": "number"}, "top_p": {"type": "number"}, "max_tokens": {"type": "integer"}, "max_completion_tokens": {"type": "integer"},
                "stop": {}, "stream": {"type": "boolean"}, "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
                "user": {"type": "string", "description": "Whose budget pays (else anonymous). With a user key it may only be the key's user; with a service key it names the end user."},
                "switchyard": {"type": "object", "description": "Routing options, never forwarded.", "properties": {
                    "priority": {"type": "string", "enum": ["cost", "speed", "quality"]}, "max_cost_usd": {"type": "number"}, "timeout_ms": {"type": "integer"}}}}},
            "ChatCompletion": {"type": "object", "properties": {"id": {"type": "string"}, "object": {"type": "string"}, "created": {"type": "integer"}, "model": {"type": "string"},
                               "choices": {"type": "array", "items": {"type": "object"}}, "usage": ref("Usage"),
                               "switchyard": {"type": "object", "properties": {k: {"type": "string"} for k in ["request_id", "route", "provider", "model", "tier", "cost_usd", "classification"]}
                                              | {"budget": ref("BudgetState")}}}},
            "BudgetState": {"type": "object", "description": "The tightest budget limit once the request is settled; absent without budgets.", "properties": {
                "scope": {"type": "string"}, "scope_id": {"type": "string"}, "period": {"type": "string"}, "limit_usd": {"type": "string"}, "remaining_usd": {"type": "string"},
                "resets_at": {"type": "string", "format": "date-time"}}},
            "BudgetReport": {"type": "object", "properties": {"budgets": {"type": "array", "items": {"type": "object", "properties":
                {"scope": {"type": "string", "enum": ["user", "key", "team"]}, "scope_id": {"type": "string"}, "period": {"type": "string", "enum": ["lifetime", "daily", "weekly", "monthly"]},
                 "window_start": {"type": "string", "format": "date-time"}, "resets_at": {"type": "string", "format": "date-time"}}
                | {k + "_usd": {"type": "string"} for k in ["limit", "spent", "reserved", "remaining"]} | {k + "_usd_micros": {"type": "integer"} for k in ["limit", "spent", "reserved", "remaining"]}}}}},
            "BudgetAlert": {"type": "object", "description": "The webhook's body (POST, Idempotency-Key: budget-alert-<id>) and an entry of /budgets/alerts.", "properties": {
                "type": {"type": "string", "enum": ["budget.threshold_reached"]}, "id": {"type": "integer"}, "scope": {"type": "string"}, "scope_id": {"type": "string"},
                "period": {"type": "string"}, "window_start": {"type": "string", "format": "date-time", "nullable": True}, "threshold_percent": {"type": "integer"},
                "limit_usd": {"type": "string"}, "limit_usd_micros": {"type": "integer"}, "spent_usd": {"type": "string"}, "spent_usd_micros": {"type": "integer"},
                "request_id": {"type": "string", "nullable": True}, "created_at": {"type": "string", "format": "date-time"}, "sent_at": {"type": "string", "format": "date-time", "nullable": True},
                "attempts": {"type": "integer"}, "last_error": {"type": "string", "nullable": True}}},
            "SimpleRequest": {"type": "object", "required": ["prompt"], "properties": {"prompt": {"type": "string"}, "user_id": {"type": "string"}, "model": {"type": "string"},
                              "preferences": {"type": "object", "properties": {"priority": {"type": "string", "enum": ["cost", "speed", "quality"]}, "max_cost_per_request": {"type": "number"}, "timeout_ms": {"type": "integer"}}}}},
            "SimpleResponse": {"type": "object", "properties": {"provider_used": {"type": "string"}, "content": {"type": "string"}, "latency_ms": {"type": "integer"}, "cost": {"type": "number"},
                               "cost_usd": {"type": "string"}, "request_id": {"type": "string"}, "model": {"type": "string"}, "classification": {"type": "string"}, "attempts": {"type": "integer"}}},
            "Provider": {"type": "object", "properties": {"name": {"type": "string"}, "kind": {"type": "string"}, "model": {"type": "string"}, "cost_per_token": {"type": "number"},
                         "latency_ms": {"type": "number"}, "rate_limit_rpm": {"type": "integer", "nullable": True}, "specialties": {"type": "array", "items": {"type": "string"}},
                         "quality_score": {"type": "number"}, "is_down": {"type": "boolean"}, "circuit_status": {"type": "string", "enum": ["CLOSED", "OPEN", "HALF_OPEN"]},
                         "success_rate": {"type": "number"}, "score": {"type": "number"}, "forced_down": {"type": "boolean"}, "healthy": {"type": "boolean"},
                         "requests": {"type": "integer"}, "failures": {"type": "integer"}, "breaker_trips": {"type": "integer"}, "in_flight": {"type": "integer"},
                         "models": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "max_output_tokens": {"type": "integer"},
                                                                                              **PRICES,
                                                                                              "long_context": {"type": "object", "description": "Prices of calls whose prompt has more than above_prompt_tokens tokens.",
                                                                                                               "properties": {"above_prompt_tokens": {"type": "integer"}, **PRICES}}}}}}},
            "Usage": {"type": "object", "description": "OpenAI's usage: cached_tokens are part of prompt_tokens, reasoning_tokens part of completion_tokens.", "properties": {
                "prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"},
                "prompt_tokens_details": {"type": "object", "properties": {"cached_tokens": {"type": "integer"}}},
                "completion_tokens_details": {"type": "object", "properties": {"reasoning_tokens": {"type": "integer"}}}}},
            "Analytics": {"type": "object", "properties": {"global": {"type": "object", "properties": {k: {"type": "number"} for k in ["total_requests", "total_success", "total_failures", "avg_latency_ms", "total_cost", "success_rate"]}},
                          "providers": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                              "requests": {"type": "integer"}, "success": {"type": "integer"}, "failures": {"type": "integer"}, "success_rate": {"type": "number"},
                              "avg_latency_ms": {"type": "number"}, "is_down": {"type": "boolean"}, "circuit_status": {"type": "string", "enum": ["CLOSED", "OPEN", "HALF_OPEN"]}}}}}},
            "CostReport": {"type": "object", "properties": {
                "since": {"type": "string", "format": "date-time"}, "until": {"type": "string", "format": "date-time"},
                "group_by": {"type": "array", "items": {"type": "string", "enum": ["user", "provider", "model", "day", "key", "team", "week", "month", "hour"]}},
                "repriced": {"type": "boolean", "description": "Whether rows carry repriced_cost_usd (reprice=true)."},
                "rows": {"type": "array", "items": ref("CostRow")}, "total": ref("CostRow")}},
            "CostRow": {"type": "object", "description": "One group; dimensions not grouped by are absent.", "properties": {
                "user": {"type": "string"}, "provider": {"type": "string"}, "model": {"type": "string"}, "day": {"type": "string", "description": "YYYY-MM-DD (UTC)"},
                "key": {"type": "string", "description": "api_keys.id"}, "team": {"type": "string"}, "week": {"type": "string", "description": "The Monday, YYYY-MM-DD (UTC)"},
                "month": {"type": "string", "description": "YYYY-MM (UTC)"}, "hour": {"type": "string", "description": "YYYY-MM-DD HH:00 (UTC)"},
                "requests": {"type": "integer"}, "attempts": {"type": "integer"}, "prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"},
                "cached_prompt_tokens": {"type": "integer", "description": "Of prompt_tokens, read from a prompt cache."},
                "cache_write_tokens": {"type": "integer", "description": "Of prompt_tokens, written to a prompt cache (5-minute and 1-hour)."},
                "reasoning_tokens": {"type": "integer", "description": "Of completion_tokens."},
                "cost_usd": {"type": "string", "description": "Exact dollars, six decimals."}, "cost_usd_micros": {"type": "integer"},
                "repriced_cost_usd": {"type": "string", "description": "With reprice=true: the calls at today's prices."},
                "repriced_cost_usd_micros": {"type": "integer"},
                "unpriced_attempts": {"type": "integer", "description": "With reprice=true: calls of a model no longer configured, counted at their billed cost."}}},
            "ReliabilityReport": {"type": "object", "properties": {
                "since": {"type": "string", "format": "date-time"}, "until": {"type": "string", "format": "date-time"},
                "group_by": {"type": "string", "enum": ["provider", "model"]},
                "requests": {"type": "object", "properties": {"total": {"type": "integer"}, "successes": {"type": "integer"}, "success_rate": {"type": "number", "nullable": True},
                                                              "failed_over": {"type": "integer"}, "escalated": {"type": "integer"}, "by_status": {"type": "object", "additionalProperties": {"type": "integer"}}}},
                "entries": {"type": "array", "items": {"type": "object", "properties": {
                    "provider": {"type": "string"}, "model": {"type": "string", "description": "Only with group_by=model."},
                    "requests": {"type": "integer"}, "attempts": {"type": "integer"}, "successes": {"type": "integer"}, "success_rate": {"type": "number", "nullable": True},
                    "failovers": {"type": "integer"}, "escalations": {"type": "integer"}, "breaker_trips": {"type": "integer"},
                    "p50_latency_ms": {"type": "integer", "nullable": True}, "p95_latency_ms": {"type": "integer", "nullable": True}}}}}},
            "BreakerTimeline": {"type": "object", "properties": {
                "since": {"type": "string", "format": "date-time", "nullable": True}, "until": {"type": "string", "format": "date-time", "nullable": True},
                "truncated": {"type": "boolean", "description": "More transitions fell in the range than limit: the newest are left out."},
                "providers": {"type": "array", "items": {"type": "object", "properties": {
                    "provider": {"type": "string"},
                    "state_at_since": {"type": "string", "enum": ["closed", "open", "half_open"], "description": "After the last transition before the range; closed without one."},
                    "transitions": {"type": "array", "items": {"type": "object", "properties": {
                        "at": {"type": "string", "format": "date-time"}, "from": {"type": "string"}, "to": {"type": "string"}, "reason": {"type": "string"},
                        "open_until": {"type": "string", "format": "date-time", "nullable": True}}}}}}}}},
            "RequestRecord": {"type": "object", "description": "A requests row with its attempts, in call order; unknown figures are null.", "properties": {
                **{name: {"type": "string"} for name in ["id", "user", "status", "cost_usd", "created_at"]},
                **{name: {"type": "string", "nullable": True} for name in ["key", "team", "route", "requested_model", "provider", "model", "error_code", "finished_at"]},
                **{name: {"type": "integer", "nullable": True} for name in ["prompt_tokens", "completion_tokens", "latency_ms"]},
                "cost_usd_micros": {"type": "integer"}, "escalated": {"type": "boolean"},
                "attempts": {"type": "array", "items": {"type": "object", "properties": {
                    "seq": {"type": "integer"}, "provider": {"type": "string"}, "model": {"type": "string"}, "is_escalation": {"type": "boolean"},
                    "outcome": {"type": "string", "enum": ["started", "success", "error", "timeout", "rate_limited", "escalated", "cancelled"]},
                    **{name: {"type": "string", "nullable": True} for name in ["tier", "error_code", "error"]},
                    **{name: {"type": "integer", "nullable": True} for name in ["http_status", "prompt_tokens", "completion_tokens", "latency_ms"]},
                    "cost_usd": {"type": "string"}, "cost_usd_micros": {"type": "integer"}, "started_at": {"type": "string", "format": "date-time"}}}}}},
            "RequestTrail": {"type": "object", "properties": {
                "request": ref("RequestRecord"),
                "events": {"type": "array", "items": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["escalated", "target_skipped", "queued"]},
                    **{name: {"type": "string", "nullable": True} for name in ["tier", "provider", "model", "to_provider", "to_model", "reason"]},
                    "queue_length": {"type": "integer", "nullable": True}, "at": {"type": "string", "format": "date-time"}}}},
                "money": {"type": "array", "items": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["reserve", "settle", "release"]}, "amount_usd": {"type": "string"}, "amount_usd_micros": {"type": "integer"},
                    "note": {"type": "string", "nullable": True}, "at": {"type": "string", "format": "date-time"}}}}}},
            "Budget": {"type": "object", "properties": {k: {"type": "number"} for k in ["limit_usd", "spent_usd", "reserved_usd", "remaining_usd", "limit_usd_micros", "spent_usd_micros", "reserved_usd_micros"]} | {"user_id": {"type": "string"}}},
        },
    },
}

text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
(root / "docs/openapi.json").write_text(text)
# The binary carries the same document compactly; people read the indented docs/openapi.json.
compact = json.dumps(doc, sort_keys=True, separators=(",", ":"))
delimiter = "#"
while '"' + delimiter in compact or delimiter + '"' in compact:
    delimiter += "#"
swift = ("// Generated by scripts/gen-openapi.py from the same source as docs/openapi.json. Do not edit.\n\n"
         "/// The OpenAPI 3 document served at `GET /openapi.json` (docs/openapi.json, without the indentation).\n"
         "enum OpenAPIDocument {\n    static let json = " + delimiter + "\"" + compact + "\"" + delimiter + "\n}\n")
(root / "Sources/SwitchyardServer/HTTP/OpenAPIDocument.swift").write_text(swift)
