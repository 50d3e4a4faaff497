"""The dashboard of a 200-department company drawn in chromium: how long until every figure is
drawn (`.figure-drawn` on each, as the browser tests wait for), on a first load (a fresh browser
profile: nothing cached, nothing compiled) and on a repeat load (the same profile: static files
cached, plotly.js's compiled code reused), next to a floor measured in the same run: a blank page of
the same server that loads plotly.js (the page's own, static/vendor/plotly-cartesian.min.js) and
nothing else. Also the first heatmap drawn (what the first screen shows) and the page's figure
data, gzip-compressed.

Served by gunicorn as deployed (2 workers, DEBUG off, collectstatic's compressed hashed files);
driven by Playwright on Debian's chromium (/usr/bin/chromium), signed in through the login page.
The page itself is warmed into the server's page cache before timing: this measures the browser,
bench/pages.py the server. Every time is the median of RUNS loads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_draw .venv/bin/python bench/dashboard_draw.py [--reuse]

Works in a throwaway database `<name>_bench` (kept only with --reuse).
"""

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

from _common import figure, require_postgres, throwaway_database
from django.db import connection
from pages import collectstatic, free_port, start_gunicorn  # gunicorn as deployed, as bench/pages.py serves

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
EMAIL, PASSWORD = "bench-draw@example.com", "bench draw password 2026"
BAR_SECONDS = 1.5
FIGURE_DATA_BAR_KB = 300

# Recorded by the page itself (performance.now(): milliseconds since navigation started) when the
# heatmap and when every figure is drawn: no polling delay in the figures.
WATCH = """
window.__drawn = {};
document.addEventListener("DOMContentLoaded", function () {
  var figures = [].slice.call(document.querySelectorAll("[data-figure], [data-heatmap]"));
  function check() {
    var heatmap = document.getElementById("link-heatmap");
    if (heatmap && heatmap.classList.contains("figure-drawn") && !window.__drawn.heatmap) {
      window.__drawn.heatmap = performance.now();
    }
    if (!window.__drawn.all && figures.every(function (e) { return e.classList.contains("figure-drawn"); })) {
      window.__drawn.all = performance.now();
    }
  }
  var observer = new MutationObserver(check);
  figures.forEach(function (e) { observer.observe(e, { attributes: true, attributeFilter: ["class"] }); });
  check();
});
"""
FLOOR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head>
<body><p>floor</p><script src="{plotly}"></script></body></html>"""


def build(departments: int, cycles: int, every_dimension: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.reports.snapshots import DIMENSIONS, build_company

    started = time.perf_counter()
    # The page carries the overall links only (the six dimensions come with heatmap.json on a switch).
    links = DIMENSIONS if every_dimension else ("overall",)
    build_company(departments=departments, cycles=cycles, hidden_share=0.2, link_dimensions=links)
    print(f"built {departments} departments × {cycles} cycles in {time.perf_counter() - started:.1f} s", flush=True)


def executive() -> None:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from surveys.models import Department, Employee
    from surveys.roles import Role

    Employee.objects.filter(employee_id=EMAIL).delete()
    User.objects.filter(email=EMAIL).delete()
    user = User.objects.create_user(email=EMAIL, full_name="Bench Draw", password=PASSWORD)
    user.groups.set([Group.objects.get(name=Role.EXECUTIVE)])
    office = Department.objects.get(is_executive_office=True)
    Employee.objects.create(user=user, employee_id=EMAIL, department=office, role=Role.EXECUTIVE)


def sign_in(context, base: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()
    page.close()


def load_dashboard(page, url: str) -> dict:
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function("() => window.__drawn && window.__drawn.all", timeout=120_000, polling=100)
    drawn = page.evaluate(
        "() => Object.assign({ response: performance.getEntriesByType('navigation')[0].responseEnd }, window.__drawn)"
    )
    # From the page's last byte too: what the browser takes, whatever the server's moment.
    return {
        "all": drawn["all"] / 1000,
        "heatmap": drawn["heatmap"] / 1000,
        "browser": (drawn["all"] - drawn["response"]) / 1000,
    }


def load_floor(page, url: str) -> float:
    page.goto(url, wait_until="load", timeout=120_000)
    return page.evaluate("() => window.Plotly ? performance.now() : null") / 1000


def serve(html: str):
    """A route handler answering with `html` (Playwright passes a handler of one argument the route)."""

    def handler(route):
        route.fulfill(content_type="text/html", body=html)

    return handler


def measure(browser, base: str, runs: int) -> dict:
    names = ("first", "repeat", "first_heatmap", "repeat_heatmap", "first_browser", "repeat_browser")
    names += ("floor_first", "floor_repeat")
    results = {name: [] for name in names}
    dashboard = f"{base}/reports/"
    page_html = None
    for _ in range(runs):
        # Alternating dashboard and floor, each in a fresh profile, then once more in the same one.
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(WATCH)
        sign_in(context, base)
        page = context.new_page()
        first = load_dashboard(page, dashboard)
        page_html = page_html or page.content()
        repeat = load_dashboard(page, dashboard)
        context.close()
        results["first"].append(first["all"])
        results["first_heatmap"].append(first["heatmap"])
        results["repeat"].append(repeat["all"])
        results["repeat_heatmap"].append(repeat["heatmap"])
        results["first_browser"].append(first["browser"])
        results["repeat_browser"].append(repeat["browser"])

        plotly = re.search(r'<script src="([^"]*plotly[^"]*\.js)"', page_html)[1]
        context = browser.new_context(viewport=VIEWPORT)
        floor_url = f"{base}/__bench_floor__"
        context.route(floor_url, serve(FLOOR_PAGE.format(plotly=plotly)))
        page = context.new_page()
        results["floor_first"].append(load_floor(page, floor_url))
        results["floor_repeat"].append(load_floor(page, floor_url))
        context.close()
    return {name: statistics.median(values) for name, values in results.items()}


def figure_data_kb(base: str, cookie_context) -> tuple[float, float]:
    """(figure data, whole page) of the dashboard as served, gzip-compressed, in KB."""
    response = cookie_context.request.get(f"{base}/reports/")
    body = response.body()
    payloads = re.findall(rb'<script id="[^"]+" type="application/json">(.*?)</script>', body, flags=re.S)
    return len(gzip.compress(b"".join(payloads))) / 1024, len(gzip.compress(body)) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3, help="loads per figure, the median printed (default 3)")
    parser.add_argument("--every-dimension", action="store_true", help="write all seven dimensions' links (slower)")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the throwaway database")
    args = parser.parse_args()
    require_postgres("bench/dashboard_draw.py")
    from playwright.sync_api import sync_playwright

    with throwaway_database(keep=args.reuse):
        from reports.models import LinkResult

        if not LinkResult.objects.exists():
            build(args.departments, args.cycles, args.every_dimension)
        executive()
        database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
        port = free_port()
        collectstatic(database_url)
        server = start_gunicorn(port, database_url, workers=2)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                warm = browser.new_context(viewport=VIEWPORT)
                sign_in(warm, base)
                # Both workers build and cache the page before anything is timed (each request goes
                # to whichever worker accepts it first: enough of them reach both).
                for _ in range(12):
                    warm.request.get(f"{base}/reports/", timeout=120_000, headers={"Connection": "close"})
                data_kb, page_kb = figure_data_kb(base, warm)
                warm.close()
                load_before = os.getloadavg()
                figures = measure(browser, base, args.runs)
                load_after = os.getloadavg()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(figures, data_kb, page_kb, args, load_before, load_after)
    return 0


def report(f: dict, data_kb: float, page_kb: float, args, load_before, load_after) -> None:
    load = f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} cores)"
    print(
        f"\n{args.departments} departments, {args.cycles} cycles; gunicorn 2 workers, DEBUG off; chromium headless "
        f"{VIEWPORT['width']}×{VIEWPORT['height']}; median of {args.runs} loads; {load}"
    )
    print(f"{'load':<8}{'all drawn s':>13}{'heatmap s':>11}{'after page s':>14}{'floor s':>9}{'all / floor':>13}")
    for kind in ("first", "repeat"):
        floor = f[f"floor_{kind}"]
        line = f"{kind:<8}{f[kind]:>13.2f}{f[f'{kind}_heatmap']:>11.2f}{f[f'{kind}_browser']:>14.2f}"
        print(line + f"{floor:>9.2f}{f[kind] / floor:>12.1f}×")
    print("(times from navigation start; 'after page': from the page's last byte to all drawn)")
    print(f"figure data {data_kb:.0f} KB gzip (bar {FIGURE_DATA_BAR_KB} KB); whole page {page_kb:.0f} KB gzip")
    print("(floor: a blank page of the same server loading the page's plotly.js only, in the same run)")
    what = f"dashboard drawn in chromium, {args.departments} departments"
    for kind in ("first", "repeat"):
        floor = f[f"floor_{kind}"]
        figure(
            f"{what} ({kind} load; {load})",
            end_to_end=f"{f[kind]:.2f} s all drawn",
            in_process=f"heatmap {f[f'{kind}_heatmap']:.2f} s; {f[f'{kind}_browser']:.2f} s after the page",
            floor=f"{floor:.2f} s plotly.js alone",
            ratio=f"{f[kind] / floor:.1f}× floor",
            target=f"< {BAR_SECONDS} s",
        )
    figure(
        f"dashboard figure data, {args.departments} departments",
        end_to_end=f"{data_kb:.0f} KB gzip",
        in_process=f"page {page_kb:.0f} KB gzip",
        floor="–",
        ratio=f"{data_kb / FIGURE_DATA_BAR_KB:.0%} of bar",
        target=f"≤ {FIGURE_DATA_BAR_KB} KB",
    )


if __name__ == "__main__":
    sys.exit(main())
