"""The dashboard in headless Chromium (see scripts/dashboard-check).

Three services of the built binary, each on a free loopback port with its own temporary ledger:
  1. an admin key and seeded traffic (a provider whose every call fails, so requests fail over and its breaker opens; a user
     close to a limit): every panel must show the report API's figures and the clients' own sum of costs;
  2. the same service, a wrong admin key: the page must say so and show no figures;
  3. no key on loopback and an empty ledger: the page must open at once and show its empty state.
The page must raise no JavaScript error and log no console error (beyond the refused key's 401 in case 2).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from decimal import Decimal

from playwright.sync_api import sync_playwright
from switchyard_service import Service

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("binary", nargs="?", default=".build/debug/switchyard")
parser.add_argument("--screenshot", help="also write the seeded dashboard as a PNG here")
parser.add_argument("--history", type=int, default=0,
                    help="first fill the ledger with this many requests over the past week (scripts/seed-ledger), "
                         "for a screenshot with history")
parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
arguments = parser.parse_args()
if not os.access(arguments.binary, os.X_OK):
    sys.exit(f"dashboard-check: no binary at {arguments.binary} (swift build first)")

ADMIN_KEY = "sy-admin-dashboard-check"
REQUESTS = 24
failures = []


def check(what, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + what + (f": {detail}" if detail and not condition else ""))
    if not condition:
        failures.append(what)


CONFIG = """
server:
  admin_key_env: DASHBOARD_CHECK_ADMIN_KEY
budgets:
  default_limit_usd: 1.00
defaults:
  circuit_breaker:
    failure_threshold: 2
providers:
  - name: flaky
    kind: simulated
    models: [{name: flaky-small}]
    simulated: {latency_ms: 5, failure_rate: 1.0, seed: 6}
  - name: cheap
    kind: simulated
    models: [{name: cheap-mini, input_usd_per_mtok: 0.15, output_usd_per_mtok: 0.60}]
    simulated: {latency_ms: 10, escalation_rate: 0.25, seed: 7}
  - name: strong
    kind: simulated
    models: [{name: strong-large, input_usd_per_mtok: 3.00, output_usd_per_mtok: 15.00}]
    simulated: {latency_ms: 20, seed: 8}
routes:
  - name: default
    tiers:
      - {name: local, targets: [flaky/flaky-small]}
      - {name: cloud, targets: [cheap/cheap-mini]}
    escalation: {marker: "[ESCALATE]", to: [strong/strong-large]}
default_route: default
"""


def start(work, config=None, key=None):
    """The built binary serving a ledger of its own in `work`, with `config` (YAML text) and admin key `key`."""
    path = None
    if config:
        path = os.path.join(work, "switchyard.yaml")
        with open(path, "w") as file:
            file.write(config)
    return Service(arguments.binary, os.path.join(work, "ledger.sqlite"), os.path.join(work, "server.log"),
                   config=path, key=key, environment={"DASHBOARD_CHECK_ADMIN_KEY": key or ""})


def micros(text):
    return int(Decimal(text) * 1_000_000)


def open_page(browser, service, problems):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.goto(service.base + "/dashboard")
    return page


def login(page, key):
    page.fill("#login-key", key)
    page.click("#login-form button")


def seeded_checks(browser, service, spent_by_clients):
    problems = []
    page = open_page(browser, service, problems)
    check("the page asks for the admin key first", page.is_visible("#login-form") and not page.is_visible("#board"))
    login(page, ADMIN_KEY)
    page.wait_for_selector("body[data-refreshed='1']", timeout=30_000)
    window = page.evaluate("periodRange(document.querySelector('#period').value).window")

    costs, _ = service.call(f"/reports/costs?group_by=day,provider&{window}", admin=True)
    total = costs["total"]["cost_usd_micros"]
    check("spend: the total is the cost report's", page.get_attribute("#spend-total", "data-micros") == str(total),
          f"{page.get_attribute('#spend-total', 'data-micros')} != {total}")
    check("spend: shown exactly", page.inner_text("#spend-total") == "$" + costs["total"]["cost_usd"],
          page.inner_text("#spend-total"))
    if spent_by_clients is not None:
        check("spend: the total is what the clients were charged", total == spent_by_clients,
              f"{total} != {spent_by_clients}")
    segments = page.eval_on_selector_all(
        "#spend-chart rect.segment",
        "nodes => nodes.map(n => [n.dataset.bucket, n.dataset.series, Number(n.dataset.micros)])")
    check("spend: the chart's bars add up to the total", sum(s[2] for s in segments) == total,
          f"{sum(s[2] for s in segments)} != {total}")
    expected = {}
    for row in costs["rows"]:
        if row["cost_usd_micros"]:
            expected[(row["day"], row["provider"])] = row["cost_usd_micros"]
    drawn = {(bucket, series): value for bucket, series, value in segments}
    if len(expected) <= 8:  # every provider is its own series
        check("spend: one bar segment per day and provider, with its cost", drawn == expected, f"{drawn} != {expected}")
    check("spend: the legend names the providers",
          set(page.eval_on_selector_all("#spend-legend .key", "nodes => nodes.map(n => n.dataset.series)"))
          == {provider for _, provider in expected})
    check("spend: requests counted", page.get_attribute("#spend-requests", "data-count")
          == str(costs["total"]["requests"]))

    budgets, _ = service.call("/budgets", admin=True)
    limited = [b for b in budgets["budgets"] if b["limit_usd_micros"] is not None]
    used_share = lambda b: (b["spent_usd_micros"] + b["reserved_usd_micros"]) / b["limit_usd_micros"]
    first = page.eval_on_selector("#budget-bars .budget", "n => ({...n.dataset})")
    nearest = next(b for b in limited if (b["scope"], b["scope_id"], b["period"])
                   == (first["scope"], first["scopeId"], first["period"]))
    check("budgets: the nearest to its limit comes first", used_share(nearest) == max(map(used_share, limited))
          and int(first["limitMicros"]) == nearest["limit_usd_micros"]
          and int(first["usedMicros"]) == nearest["spent_usd_micros"] + nearest["reserved_usd_micros"], repr(first))
    nearest_ten, _ = service.call("/budgets?nearest=10", admin=True)
    drawn = page.eval_on_selector_all("#budget-bars .budget", "nodes => nodes.map(n => [n.dataset.scope, n.dataset.scopeId, n.dataset.period])")
    check("budgets: the ten nearest, in the API's order", drawn == [[b["scope"], b["scope_id"], b["period"]]
                                                                      for b in nearest_ten["budgets"]], repr(drawn))
    width = page.eval_on_selector("#budget-bars .budget .fill", "n => n.style.width")
    used = nearest["spent_usd_micros"] + nearest["reserved_usd_micros"]
    check("budgets: its bar is filled as far as it is spent",
          abs(float(width.rstrip("%")) - min(used / nearest["limit_usd_micros"], 1) * 100) < 0.01, width)

    reliability, _ = service.call(f"/reports/reliability?group_by=provider&{window}", admin=True)
    for entry in reliability["entries"]:
        card = f"#provider-cards .provider[data-provider='{entry['provider']}']"
        figures = page.eval_on_selector(
            card, "n => Object.fromEntries([...n.querySelectorAll('dd')].map(d => [d.className, Number(d.dataset.value)]))")
        wanted = {"requests": entry["requests"], "attempts": entry["attempts"], "failovers": entry["failovers"],
                  "escalations": entry["escalations"], "breaker-trips": entry["breaker_trips"]}
        check(f"providers: {entry['provider']}'s figures", figures == wanted, f"{figures} != {wanted}")
        data = page.eval_on_selector(card, "n => ({...n.dataset})")
        same = lambda text, value: text == "" if value is None else text != "" and float(text) == value
        check(f"providers: {entry['provider']}'s success rate and latencies",
              same(data["successRate"], entry["success_rate"]) and same(data["p50"], entry["p50_latency_ms"])
              and same(data["p95"], entry["p95_latency_ms"]), repr(data))
    flaky = next((e for e in reliability["entries"] if e["provider"] == "flaky"), None)
    check("providers: the failing provider failed over and tripped its breaker",
          flaky is not None and flaky["failovers"] >= 2 and flaky["breaker_trips"] >= 1, repr(flaky))
    outcomes = page.eval_on_selector_all("#outcome-bars .outcome", "nodes => nodes.map(n => [n.dataset.status, Number(n.dataset.count)])")
    check("outcomes: requests by status", dict(outcomes) == reliability["requests"]["by_status"],
          f"{outcomes} != {reliability['requests']['by_status']}")

    timeline, _ = service.call(f"/reports/breakers?{window}", admin=True)
    flaky_lane = "#breaker-timeline .lane[data-provider='flaky']"
    states = page.eval_on_selector_all(f"{flaky_lane} rect", "nodes => nodes.map(n => n.dataset.state)")
    transitions = next(p["transitions"] for p in timeline["providers"] if p["provider"] == "flaky")
    check("breakers: the failing provider's lane shows it open", "open" in states and states[-1] == transitions[-1]["to"],
          f"{states} / {transitions}")
    check("breakers: a lane for every provider", set(page.eval_on_selector_all(
        "#breaker-timeline .lane", "nodes => nodes.map(n => n.dataset.provider)")) >= {"flaky", "cheap", "strong"})

    latest, _ = service.call(f"/reports/requests?limit=20&{window}", admin=True)
    rows = page.eval_on_selector_all("#request-table tbody tr", "nodes => nodes.map(n => n.dataset.request)")
    check("requests: the latest, newest first", rows == [r["id"] for r in latest["requests"]] and len(rows) == 20,
          f"{rows[:3]}… != {[r['id'] for r in latest['requests']][:3]}…")
    failed_over = next(r for r in latest["requests"] if len(r["attempts"]) > 1) if any(
        len(r["attempts"]) > 1 for r in latest["requests"]) else latest["requests"][-1]
    chips = page.eval_on_selector_all(f"#request-table tr[data-request='{failed_over['id']}'] .chip",
                                      "nodes => nodes.map(n => n.textContent)")
    check("requests: each shows who was tried and how it went",
          chips == [f"{a['provider']}: {a['outcome']}" for a in failed_over["attempts"]], repr(chips))

    page.click(f"#request-table tr[data-request='{failed_over['id']}'] a")
    page.wait_for_selector("#trail-body tr.attempt", timeout=10_000)
    trail, _ = service.call(f"/reports/requests/{failed_over['id']}", admin=True)
    summary = page.eval_on_selector("#trail-body .summary", "n => ({...n.dataset})")
    outcomes = page.eval_on_selector_all("#trail-body tr.attempt", "nodes => nodes.map(n => n.dataset.outcome)")
    check("trail: a request id opens its calls", page.inner_text("#trail-id") == failed_over["id"]
          and outcomes == [a["outcome"] for a in trail["request"]["attempts"]]
          and summary["micros"] == str(trail["request"]["cost_usd_micros"]), f"{outcomes} {summary}")
    check("trail: the money it moved", page.eval_on_selector_all("#trail-body tr.movement", "n => n.length")
          == len(trail["money"]) and len(trail["money"]) > 0)
    check("trail: the link is the page's address", page.url.endswith(f"#request={failed_over['id']}"), page.url)
    page.keyboard.press("Escape")

    # Refreshing by itself: another request appears without a reload.
    service.call("/v1/chat/completions", {"model": "default", "user": "dana",
                                          "messages": [{"role": "user", "content": "one more"}]})
    page.select_option("#refresh", "10")
    page.wait_for_selector("body[data-refreshed='2']", timeout=30_000)
    page.evaluate("document.querySelector('#refresh').value = '0'")
    check("refresh: a new request shows up", page.eval_on_selector(
        "#request-table tbody tr td:nth-child(3)", "n => n.textContent") == "dana")
    # Another period and another stacking: hourly bars, one series per user.
    page.select_option("#period", "24h")
    page.wait_for_selector("body[data-refreshed='3']", timeout=30_000)
    page.select_option("#stack", "user")
    page.wait_for_selector("body[data-refreshed='4']", timeout=30_000)
    window = page.evaluate("periodRange('24h').window")
    by_user, _ = service.call(f"/reports/costs?group_by=hour,user&{window}", admin=True)
    segments = page.eval_on_selector_all(
        "#spend-chart rect.segment",
        "nodes => nodes.map(n => [n.dataset.bucket, n.dataset.series, Number(n.dataset.micros)])")
    expected = {(row["hour"], row["user"]): row["cost_usd_micros"] for row in by_user["rows"] if row["cost_usd_micros"]}
    hourly, drawn_hourly = {}, {}
    for (hour, _), micros in expected.items():
        hourly[hour] = hourly.get(hour, 0) + micros
    for hour, _, micros in segments:
        drawn_hourly[hour] = drawn_hourly.get(hour, 0) + micros
    check("spend: hourly bars, each the hour's cost", drawn_hourly == hourly
          and all(len(bucket) == 16 for bucket, _, _ in segments), f"{drawn_hourly} != {hourly}")
    if len({user for _, user in expected}) <= 8:  # every user is its own series
        check("spend: stacked by user", {(b, s): v for b, s, v in segments} == expected, f"{segments} != {expected}")
    page.select_option("#period", "7d")
    page.wait_for_selector("body[data-refreshed='5']", timeout=30_000)
    page.select_option("#stack", "provider")
    page.wait_for_selector("body[data-refreshed='6']", timeout=30_000)
    if arguments.screenshot:
        page.screenshot(path=arguments.screenshot, full_page=True)
        print(f"wrote {arguments.screenshot}")
    check("the seeded page logged no errors", problems == [], "; ".join(problems))
    page.close()


def wrong_key_checks(browser, service):
    problems = []
    page = open_page(browser, service, problems)
    login(page, "not-the-key")
    page.wait_for_selector("#login-form .error", timeout=10_000)
    check("wrong key: the page says so", "wrong admin key" in page.inner_text("#login-form .error"),
          page.inner_text("#login-form .error"))
    check("wrong key: no figures are shown", not page.is_visible("#board")
          and page.inner_text("#spend-total") == "–")
    unexpected = [p for p in problems if "401" not in p]
    check("wrong key: no errors besides the refusal", unexpected == [], "; ".join(unexpected))
    page.close()


def empty_checks(browser, service):
    problems = []
    page = open_page(browser, service, problems)
    page.wait_for_selector("body[data-refreshed='1']", timeout=30_000)
    check("empty ledger: no key asked for on loopback", not page.is_visible("#login"))
    check("empty ledger: the empty state explains what to do", page.is_visible("#empty")
          and "curl" in page.inner_text("#empty"))
    check("empty ledger: zero spend", page.inner_text("#spend-total") == "$0.000000"
          and page.inner_text("#spend-chart") == "No spend in this period.")
    check("empty ledger: every panel says it has nothing", all(page.is_visible(f"{panel} .nothing") for panel in [
        "#budget-bars", "#outcome-bars", "#request-table"]))
    check("empty ledger: the providers are still listed",
          page.eval_on_selector_all("#provider-cards .provider", "n => n.length") == 4)
    check("empty ledger: no errors", problems == [], "; ".join(problems))
    page.close()


with tempfile.TemporaryDirectory(prefix="switchyard-dashboard.") as work, sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=arguments.chromium)
    seeded_dir = os.path.join(work, "seeded")
    os.mkdir(seeded_dir)
    spent = 0
    if arguments.history:
        subprocess.run([sys.executable, "scripts/seed-ledger", os.path.join(seeded_dir, "ledger.sqlite"),
                        "--requests", str(arguments.history), "--days", "7", "--users", "40",
                        "--switchyard", arguments.binary], check=True)
    # Carol's limit lets a few of her requests through, then refuses the rest.
    subprocess.run([arguments.binary, "budget", "set", "carol", "--limit-usd", "0.00006", "--db",
                    os.path.join(seeded_dir, "ledger.sqlite")], check=True, stdout=subprocess.DEVNULL)
    seeded = start(seeded_dir, CONFIG, key=ADMIN_KEY)
    try:
        for index in range(REQUESTS):
            user = ["alice", "bob", "carol"][index % 3]
            try:
                _, headers = seeded.call("/v1/chat/completions", {
                    "model": "default", "user": user,
                    "messages": [{"role": "user", "content": f"Question {index}: tell me something."}]})
                spent += micros(headers["x-switchyard-cost-usd"])
            except urllib.error.HTTPError as error:
                if error.code != 402:  # carol runs out of budget: refused, and charged nothing
                    raise
        seeded_checks(browser, seeded, None if arguments.history else spent)
        wrong_key_checks(browser, seeded)
    finally:
        seeded.stop()
    empty_dir = os.path.join(work, "empty")
    os.mkdir(empty_dir)
    empty = start(empty_dir)
    try:
        empty_checks(browser, empty)
    finally:
        empty.stop()
    browser.close()

if failures:
    sys.exit(f"dashboard-check: {len(failures)} check(s) failed: {', '.join(failures)}")
print("dashboard-check: all checks passed")
