// Switchyard's dashboard: reads the admin report API and draws it. No framework, no build step.
//
// Every value that came from the ledger (user ids, error messages) reaches the page as text (textContent), never as
// markup. Elements that tests read carry data-* attributes with the exact figures (micro-dollars, counts).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#2f6fdf", "#e07b1b", "#2e9d5b", "#9b51c9", "#d64545", "#17a2b8", "#8c6d31", "#e377c2"];
const OTHER_COLOUR = "#9aa3b2";
const MOST_SERIES = 8;
const BUDGETS_SHOWN = 10;
const REQUESTS_SHOWN = 20;
const PERIODS = {
  "24h": { hours: 24, bucket: "hour" },
  "7d": { hours: 24 * 7, bucket: "day" },
  "30d": { hours: 24 * 30, bucket: "day" },
  "90d": { hours: 24 * 90, bucket: "day" },
};

const state = {
  access: document.querySelector('meta[name="switchyard-admin"]').content,
  key: null,
  timer: null,
  loading: false,
  again: false,
};

class AuthError extends Error {}

const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function svgElement(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// ---- Formatting ------------------------------------------------------------------------------------------------

/** Exact dollars from integer micro-dollars, six decimals: 1234567 -> "$1.234567". */
function dollars(micros) {
  const sign = micros < 0 ? "-" : "";
  const magnitude = Math.abs(micros);
  return `${sign}$${Math.floor(magnitude / 1e6)}.${String(magnitude % 1e6).padStart(6, "0")}`;
}

/** A short amount for an axis: "$0.0012", "$3.50", "$1.2k". */
function shortDollars(micros) {
  const value = micros / 1e6;
  if (value === 0) return "$0";
  if (Math.abs(value) >= 1000) return `$${(value / 1000).toFixed(1)}k`;
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  return `$${value.toPrecision(2)}`;
}

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`;
}

function milliseconds(value) {
  return value === null || value === undefined ? "–" : `${value} ms`;
}

/** "2026-12-01T09:30:00Z" for the API. */
function iso(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "2026-12-01 09:30:12" (UTC) for people. */
function shortTime(text) {
  return text ? text.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "–";
}

// ---- The admin API ---------------------------------------------------------------------------------------------

async function api(path) {
  const headers = state.key ? { Authorization: `Bearer ${state.key}` } : {};
  const response = await fetch(path, { headers, cache: "no-store" });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const message = body && body.error && body.error.message;
  if (response.status === 401) throw new AuthError(message || "the admin key was refused");
  if (!response.ok) throw new Error(`${path.split("?")[0]}: ${message || `HTTP ${response.status}`}`);
  return body;
}

/** The selected period and the one of the same length before it, on whole UTC hours or days. */
function periodRange(name, now = new Date()) {
  const period = PERIODS[name] || PERIODS["7d"];
  const until = new Date(now);
  if (period.bucket === "hour") until.setUTCMinutes(60, 0, 0);
  else until.setUTCHours(24, 0, 0, 0);
  const length = period.hours * 3600 * 1000;
  const since = new Date(until.getTime() - length);
  const before = new Date(since.getTime() - length);
  const buckets = [];
  const step = period.bucket === "hour" ? 3600 * 1000 : 24 * 3600 * 1000;
  for (let at = since.getTime(); at < until.getTime(); at += step) buckets.push(bucketLabel(new Date(at), period.bucket));
  return { since, until, before, bucket: period.bucket, buckets, window: `since=${iso(since)}&until=${iso(until)}` };
}

/** A bucket as the cost report names it: "2026-12-01 09:00" for an hour, "2026-12-01" for a day. */
function bucketLabel(date, bucket) {
  const day = date.toISOString().slice(0, 10);
  return bucket === "hour" ? `${day} ${date.toISOString().slice(11, 13)}:00` : day;
}

// ---- Panels ----------------------------------------------------------------------------------------------------

function nothing(container, text) {
  container.replaceChildren(element("p", { class: "nothing", text }));
}

/** Spend over time, stacked by the chosen dimension, with the total against the period before. */
function renderSpend(range, stack, current, previous) {
  const total = current.total;
  const before = previous.total;
  $("#spend-by").textContent = stack;
  const totalNode = $("#spend-total");
  totalNode.textContent = dollars(total.cost_usd_micros);
  totalNode.dataset.micros = total.cost_usd_micros;
  const previousNode = $("#spend-previous");
  previousNode.textContent = dollars(before.cost_usd_micros);
  previousNode.dataset.micros = before.cost_usd_micros;
  const change = $("#spend-change");
  change.className = "";
  if (before.cost_usd_micros === 0) {
    change.textContent = total.cost_usd_micros === 0 ? "none" : "new spend";
  } else {
    const ratio = (total.cost_usd_micros - before.cost_usd_micros) / before.cost_usd_micros;
    change.textContent = `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(1)}%`;
    change.className = ratio > 0 ? "up" : ratio < 0 ? "down" : "";
  }
  $("#spend-requests").textContent = total.requests;
  $("#spend-requests").dataset.count = total.requests;

  // Series: the largest ones by total, the rest as "other".
  const bySeries = new Map();
  for (const row of current.rows) {
    const name = row[stack] ?? "(none)";
    bySeries.set(name, (bySeries.get(name) || 0) + row.cost_usd_micros);
  }
  const ranked = [...bySeries.entries()].filter(([, micros]) => micros !== 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = ranked.slice(0, ranked.length > MOST_SERIES ? MOST_SERIES - 1 : MOST_SERIES).map(([name]) => name);
  const seriesOf = (name) => (shown.includes(name) ? name : "other");
  const series = ranked.length > shown.length ? [...shown, "other"] : shown;
  const colour = (name) => (name === "other" ? OTHER_COLOUR : PALETTE[series.indexOf(name) % PALETTE.length]);

  const cells = new Map(range.buckets.map((bucket) => [bucket, new Map()]));
  for (const row of current.rows) {
    const cell = cells.get(row[range.bucket]);
    if (!cell) continue;
    const name = seriesOf(row[stack] ?? "(none)");
    cell.set(name, (cell.get(name) || 0) + row.cost_usd_micros);
  }
  const chart = $("#spend-chart");
  const legend = $("#spend-legend");
  if (ranked.length === 0) {
    nothing(chart, "No spend in this period.");
    legend.replaceChildren();
    return;
  }
  const highest = Math.max(...[...cells.values()].map((cell) => [...cell.values()].reduce((a, b) => a + b, 0)), 1);
  const width = 900, height = 220, left = 64, bottom = 22, top = 8;
  const plotHeight = height - bottom - top;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "spend over time" });
  for (let tick = 0; tick <= 4; tick++) {
    const y = top + plotHeight - (plotHeight * tick) / 4;
    svg.append(svgElement("line", { x1: left, x2: width, y1: y, y2: y, class: "gridline" }));
    const label = svgElement("text", { x: left - 6, y: y + 4, "text-anchor": "end" });
    label.textContent = shortDollars((highest * tick) / 4);
    svg.append(label);
  }
  const slot = (width - left) / range.buckets.length;
  const labelEvery = Math.ceil(range.buckets.length / 12);
  range.buckets.forEach((bucket, index) => {
    let y = top + plotHeight;
    const x = left + index * slot + slot * 0.1;
    for (const name of series) {
      const micros = cells.get(bucket).get(name) || 0;
      if (micros === 0) continue;
      const barHeight = (plotHeight * micros) / highest;
      y -= barHeight;
      const rect = svgElement("rect", {
        x, y, width: slot * 0.8, height: Math.max(barHeight, 0.5), fill: colour(name), class: "segment",
        "data-bucket": bucket, "data-series": name, "data-micros": micros,
      });
      const title = svgElement("title");
      title.textContent = `${bucket} · ${name}: ${dollars(micros)}`;
      rect.append(title);
      svg.append(rect);
    }
    if (index % labelEvery === 0) {
      const label = svgElement("text", { x: x + slot * 0.4, y: height - 6, "text-anchor": "middle" });
      label.textContent = range.bucket === "hour" ? bucket.slice(11) : bucket.slice(5);
      svg.append(label);
    }
  });
  chart.replaceChildren(svg);
  legend.replaceChildren(...series.map((name) => {
    const key = element("span", { class: "key", "data-series": name, text: name });
    key.style.setProperty("--swatch", colour(name));
    return key;
  }));
}

/** A labelled horizontal bar: `fraction` of the track filled. */
function bar(name, fraction, value, tone = "") {
  const fill = element("div", { class: `fill ${tone}` });
  fill.style.width = `${Math.min(Math.max(fraction, 0), 1) * 100}%`;
  return element("div", { class: "bar-row" },
    element("span", { class: "name", text: name, title: name }),
    element("div", { class: "track" }, fill),
    element("span", { class: "value", text: value }));
}

/** The limits whose spend (and reservations) is nearest to them, as bars against the limit, in the server's order. */
function renderBudgets(report) {
  const container = $("#budget-bars");
  const limited = report.budgets.map((budget) => {
    const used = budget.spent_usd_micros + budget.reserved_usd_micros;
    const fraction = budget.limit_usd_micros > 0 ? used / budget.limit_usd_micros : used > 0 ? Infinity : 0;
    return { budget, used, fraction };
  });
  if (limited.length === 0) {
    nothing(container, "No limits are set (switchyard budget set, or budgets.default_limit_usd in the configuration).");
    return;
  }
  container.replaceChildren(...limited.map(({ budget, used, fraction }) => {
    const name = `${budget.scope} ${budget.scope_id} · ${budget.period}`;
    const shown = Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : "over";
    const row = bar(name, fraction, `${dollars(used)} of ${dollars(budget.limit_usd_micros)} · ${shown}`,
      fraction >= 1 ? "bad" : fraction >= 0.8 ? "warn" : "");
    row.classList.add("budget");
    Object.assign(row.dataset, {
      scope: budget.scope, scopeId: budget.scope_id, period: budget.period, usedMicros: used,
      limitMicros: budget.limit_usd_micros,
    });
    return row;
  }));
}

/** Finished requests of the period by final status. */
function renderOutcomes(reliability) {
  const container = $("#outcome-bars");
  const statuses = Object.entries(reliability.requests.by_status).sort((a, b) => b[1] - a[1]);
  if (statuses.length === 0) {
    nothing(container, "No finished requests in this period.");
    return;
  }
  const total = reliability.requests.total;
  container.replaceChildren(...statuses.map(([status, count]) => {
    const row = bar(status, count / total, `${count} · ${percent(count / total)}`,
      status === "success" ? "good" : "bad");
    row.classList.add("outcome");
    Object.assign(row.dataset, { status, count });
    return row;
  }));
}

/** Per provider: its figures over the period, with its live circuit from /providers. */
function renderProviders(reliability, live) {
  const container = $("#provider-cards");
  const liveByName = new Map(live.providers.map((provider) => [provider.name, provider]));
  const entries = new Map(reliability.entries.map((entry) => [entry.provider, entry]));
  for (const provider of live.providers) {
    if (!entries.has(provider.name)) {
      entries.set(provider.name, {
        provider: provider.name, requests: 0, attempts: 0, successes: 0, success_rate: null, failovers: 0,
        escalations: 0, breaker_trips: 0, p50_latency_ms: null, p95_latency_ms: null,
      });
    }
  }
  if (entries.size === 0) {
    nothing(container, "No providers.");
    return;
  }
  const slowest = Math.max(...[...entries.values()].map((entry) => entry.p95_latency_ms || 0), 1);
  container.replaceChildren(...[...entries.values()].map((entry) => {
    const circuit = (liveByName.get(entry.provider)?.circuit_status || "CLOSED").toLowerCase();
    const card = element("article", { class: "card provider", "data-provider": entry.provider },
      element("h3", {}, element("span", { text: entry.provider }),
        element("span", { class: `badge state-${circuit}`, text: circuit.replace("_", " ") })),
      bar("success", entry.success_rate ?? 0, percent(entry.success_rate),
        entry.success_rate === null ? "" : entry.success_rate >= 0.95 ? "good" : entry.success_rate >= 0.8 ? "warn" : "bad"),
      bar("p50", (entry.p50_latency_ms || 0) / slowest, milliseconds(entry.p50_latency_ms)),
      bar("p95", (entry.p95_latency_ms || 0) / slowest, milliseconds(entry.p95_latency_ms)));
    const figures = element("dl");
    for (const [label, name, value] of [
      ["requests", "requests", entry.requests], ["calls", "attempts", entry.attempts],
      ["failovers", "failovers", entry.failovers], ["escalations", "escalations", entry.escalations],
      ["breaker trips", "breaker-trips", entry.breaker_trips],
    ]) {
      figures.append(element("dt", { text: label }), element("dd", { class: name, "data-value": value, text: value }));
    }
    card.append(figures);
    Object.assign(card.dataset, {
      successRate: entry.success_rate ?? "", p50: entry.p50_latency_ms ?? "", p95: entry.p95_latency_ms ?? "",
    });
    return card;
  }));
}

/** One lane per provider: its breaker's state from the start of the period to now. */
function renderBreakers(range, timeline, live) {
  const container = $("#breaker-timeline");
  const lanes = new Map(timeline.providers.map((provider) => [provider.provider, provider]));
  for (const provider of live.providers) {
    if (!lanes.has(provider.name)) lanes.set(provider.name, { provider: provider.name, state_at_since: "closed", transitions: [] });
  }
  if (lanes.size === 0) {
    nothing(container, "No providers.");
    return;
  }
  const start = range.since.getTime();
  const end = Math.min(range.until.getTime(), Date.now());
  const width = 900, left = 120, laneHeight = 22, gap = 8, axis = 20;
  const height = lanes.size * (laneHeight + gap) + axis;
  const x = (time) => left + ((width - left) * (Math.min(Math.max(time, start), end) - start)) / Math.max(end - start, 1);
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "breaker states" });
  [...lanes.values()].sort((a, b) => (a.provider < b.provider ? -1 : 1)).forEach((lane, index) => {
    const y = index * (laneHeight + gap);
    const group = svgElement("g", { class: "lane", "data-provider": lane.provider, "data-transitions": lane.transitions.length });
    const name = svgElement("text", { x: left - 8, y: y + laneHeight / 2 + 4, "text-anchor": "end" });
    name.textContent = lane.provider;
    group.append(name);
    let from = start;
    let current = lane.state_at_since;
    // A state that lasted a moment of a long period still shows: at least 3 units wide unless closed, and the
    // segment after it starts where it ends rather than covering it.
    let drawnTo = left;
    const segment = (until, stateName) => {
      if (until <= from) return;
      const least = stateName === "closed" ? 0 : 3;
      // Never past the right edge: a breaker that opened a moment ago shows at the end of its lane.
      const start = Math.min(Math.max(x(from), drawnTo), width - least);
      const extent = Math.max(x(until) - start, least);
      if (extent <= 0) return;
      drawnTo = start + extent;
      const rect = svgElement("rect", {
        x: start, y, width: extent, height: laneHeight, class: `state-${stateName}`, "data-state": stateName,
      });
      const title = svgElement("title");
      title.textContent = `${lane.provider}: ${stateName.replace("_", " ")} from ${shortTime(new Date(from).toISOString())}`;
      rect.append(title);
      group.append(rect);
    };
    for (const transition of lane.transitions) {
      const at = Date.parse(transition.at);
      segment(at, current);
      from = Math.max(from, at);
      current = transition.to;
    }
    segment(end, current);
    svg.append(group);
  });
  for (let tick = 0; tick <= 4; tick++) {
    const time = start + ((end - start) * tick) / 4;
    const label = svgElement("text", { x: x(time), y: height - 4, "text-anchor": tick === 0 ? "start" : tick === 4 ? "end" : "middle" });
    label.textContent = shortTime(new Date(time).toISOString()).slice(0, 16);
    svg.append(label);
  }
  container.replaceChildren(svg);
  if (timeline.truncated) container.append(element("p", { class: "note", text: "Only the first transitions are drawn: the period has too many." }));
}

function attemptChips(attempts) {
  return attempts.map((attempt) => element("span", {
    class: `chip outcome-${attempt.outcome}`, "data-outcome": attempt.outcome,
    title: attempt.error || `${attempt.outcome}, ${dollars(attempt.cost_usd_micros)}`,
    text: `${attempt.provider}: ${attempt.outcome}`,
  }));
}

function renderRequests(list) {
  const body = $("#request-table tbody");
  if (list.requests.length === 0) {
    body.replaceChildren(element("tr", {}, element("td", { colspan: 8, class: "nothing", text: "No requests in this period." })));
    return;
  }
  body.replaceChildren(...list.requests.map((request) => element("tr", { "data-request": request.id },
    element("td", { text: shortTime(request.created_at) }),
    element("td", {}, element("a", { href: `#request=${encodeURIComponent(request.id)}`, text: request.id })),
    element("td", { text: request.user }),
    element("td", { class: `status-${request.status}`, text: request.status }),
    element("td", { text: request.provider ? `${request.provider}/${request.model}` : "–" }),
    element("td", { class: "number", "data-micros": request.cost_usd_micros, text: dollars(request.cost_usd_micros) }),
    element("td", { class: "number", text: milliseconds(request.latency_ms) }),
    element("td", { class: "attempts", "data-count": request.attempts.length }, ...attemptChips(request.attempts)))));
}

/** The trail of one request, in the dialog: its calls, its events and the money it moved. */
async function showTrail(id) {
  const dialog = $("#trail");
  $("#trail-id").textContent = id;
  const body = $("#trail-body");
  nothing(body, "Loading…");
  if (!dialog.open) dialog.showModal();
  try {
    const trail = await api(`/reports/requests/${encodeURIComponent(id)}`);
    const request = trail.request;
    const table = (headings, rows) => element("table", {},
      element("thead", {}, element("tr", {}, ...headings.map((heading) => element("th", { text: heading })))),
      element("tbody", {}, ...rows));
    body.replaceChildren(
      element("p", {
        class: "summary", "data-status": request.status, "data-micros": request.cost_usd_micros,
        text: `${request.status} · user ${request.user} · ${dollars(request.cost_usd_micros)} · `
          + `${milliseconds(request.latency_ms)} · ${shortTime(request.created_at)}`
          + (request.error_code ? ` · ${request.error_code}` : ""),
      }),
      element("h3", { text: "Calls" }),
      table(["#", "tier", "provider/model", "outcome", "HTTP", "error", "cost (USD)", "latency"],
        request.attempts.map((attempt) => element("tr", { class: "attempt", "data-outcome": attempt.outcome },
          element("td", { text: attempt.seq }), element("td", { text: attempt.tier ?? "–" }),
          element("td", { text: `${attempt.provider}/${attempt.model}` }),
          element("td", {}, ...attemptChips([attempt]).map((chip) => { chip.textContent = attempt.outcome; return chip; })),
          element("td", { text: attempt.http_status ?? "–" }), element("td", { text: attempt.error ?? "" }),
          element("td", { class: "number", "data-micros": attempt.cost_usd_micros, text: dollars(attempt.cost_usd_micros) }),
          element("td", { class: "number", text: milliseconds(attempt.latency_ms) })))),
      element("h3", { text: "Events" }),
      trail.events.length === 0 ? element("p", { class: "nothing", text: "None." }) :
        table(["time", "kind", "detail"], trail.events.map((event) => element("tr", { class: "event" },
          element("td", { text: shortTime(event.at) }), element("td", { text: event.kind }),
          element("td", { text: [event.provider, event.to_provider && `→ ${event.to_provider}`, event.reason]
            .filter(Boolean).join(" ") })))),
      element("h3", { text: "Money" }),
      trail.money.length === 0 ? element("p", { class: "nothing", text: "No money moved." }) :
        table(["time", "kind", "amount (USD)"], trail.money.map((movement) => element("tr", { class: "movement" },
          element("td", { text: shortTime(movement.at) }), element("td", { text: movement.kind }),
          element("td", { class: "number", text: dollars(movement.amount_usd_micros) })))));
  } catch (error) {
    if (error instanceof AuthError) return askForKey(error.message);
    nothing(body, error.message);
  }
}

// ---- Refreshing ------------------------------------------------------------------------------------------------

/** Loads every panel for the chosen period; each panel is drawn as soon as its figures arrive. */
async function refresh() {
  if (state.key === null && state.access === "key") return;
  // A change of period while a refresh is on its way is drawn by the refresh right after it.
  if (state.loading) {
    state.again = true;
    return;
  }
  clearTimeout(state.timer);
  state.loading = true;
  const started = performance.now();
  $("#status").textContent = "updating…";
  const range = periodRange($("#period").value);
  const stack = $("#stack").value;
  const live = api("/providers");
  const reliability = api(`/reports/reliability?group_by=provider&${range.window}`);
  const panels = [
    Promise.all([
      api(`/reports/costs?group_by=${range.bucket},${stack}&${range.window}`),
      api(`/reports/costs?group_by=&since=${iso(range.before)}&until=${iso(range.since)}`),
    ]).then(([current, previous]) => renderSpend(range, stack, current, previous)),
    api(`/budgets?nearest=${BUDGETS_SHOWN}`).then(renderBudgets),
    reliability.then(renderOutcomes),
    Promise.all([reliability, live]).then(([report, providers]) => renderProviders(report, providers)),
    Promise.all([api(`/reports/breakers?${range.window}`), live])
      .then(([timeline, providers]) => renderBreakers(range, timeline, providers)),
    api(`/reports/requests?limit=${REQUESTS_SHOWN}&${range.window}`).then(renderRequests),
    reliability.then((report) => {
      $("#empty").hidden = report.requests.total > 0;
      $("#empty-since").textContent = shortTime(iso(range.since));
      $("#empty-until").textContent = shortTime(iso(range.until));
    }),
  ];
  const results = await Promise.allSettled(panels);
  state.loading = false;
  if (state.again) {
    state.again = false;
    return refresh();
  }
  const failures = results.filter((result) => result.status === "rejected").map((result) => result.reason);
  const refused = failures.find((failure) => failure instanceof AuthError);
  if (refused) return askForKey(refused.message);
  const error = $("#error");
  error.hidden = failures.length === 0;
  error.textContent = failures.map((failure) => failure.message).join("; ");
  showBoard();
  // A long period over a large ledger takes seconds to add up: the page then refreshes less often than asked, so
  // that it never spends more than a fifth of the time waiting for the server.
  const took = performance.now() - started;
  const seconds = Number($("#refresh").value) && Math.max(Number($("#refresh").value), Math.ceil((took * 5) / 1000));
  $("#status").textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC in ${Math.round(took)} ms`
    + (seconds > 0 ? `, next in ${seconds} s` : "");
  document.body.dataset.refreshed = Number(document.body.dataset.refreshed || 0) + 1;
  // A hidden page skips its refreshes; showing it again refreshes at once (visibilitychange, in start()).
  if (seconds > 0) state.timer = setTimeout(() => document.hidden || refresh(), seconds * 1000);
}

function showBoard() {
  $("#login").hidden = true;
  $("#board").hidden = false;
}

function askForKey(message) {
  clearTimeout(state.timer);
  state.key = null;
  if ($("#trail").open) $("#trail").close();
  $("#board").hidden = true;
  $("#login").hidden = false;
  const form = $("#login-form");
  form.querySelector(".error")?.remove();
  if (message) form.prepend(element("p", { class: "error", role: "alert", text: message }));
  $("#login-key").value = "";
  $("#login-key").focus();
}

function openTrailFromLocation() {
  const match = location.hash.match(/^#request=(.+)$/);
  if (match && $("#board").hidden) return;  // the key was refused: the trail waits for the right one
  if (match) showTrail(decodeURIComponent(match[1]));
}

function start() {
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.key = $("#login-key").value;
    refresh().then(openTrailFromLocation);
  });
  for (const control of ["#period", "#stack", "#refresh"]) $(control).addEventListener("change", refresh);
  window.addEventListener("hashchange", openTrailFromLocation);
  $("#trail").addEventListener("close", () => {
    if (location.hash.startsWith("#request=")) history.replaceState(null, "", location.pathname + location.search);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && Number($("#refresh").value) > 0) refresh();
  });
  if (state.access === "disabled") {
    askForKey("Admin endpoints are disabled: this server listens beyond loopback without an admin key "
      + "(set server.admin_key_env and restart it).");
    $("#login-form button").disabled = true;
  } else if (state.access === "key") {
    askForKey(null);
  } else {
    refresh().then(openTrailFromLocation);
  }
}

start();
