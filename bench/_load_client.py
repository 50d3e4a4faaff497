"""The load generator of bench/load.py, run as a second process: simulated employees that sign in
and fill in the whole survey over HTTP (screener, ratings, submit), as a browser would.

No Django here: plain http.client with one keep-alive connection per simulated user, cookies and
CSRF tokens handled by hand. Reads its job as JSON on stdin, writes the timings as JSON on stdout.
Loopback only; bounded by the number of employees and by a deadline.
"""

import http.client
import json
import random
import re
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

DIMENSIONS = ["willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication"]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(cycle|draft)" value="([^"]*)"')
OPTIONAL_PROVIDER = re.compile(r'name="providers" value="(\d+)"')
RATED_PROVIDER = re.compile(r'name="?p(\d+)-willingness[" ]')  # the ratings page writes radio names unquoted


class Refused(Exception):
    """A step did not answer as a working app would (status or page)."""


class Browser:
    """One simulated person: a keep-alive connection to the server and a cookie jar."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: list | None = None) -> tuple[int, str, str]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text


def one_survey(browser: Browser, person: dict, job: dict, timings: dict, rng: random.Random) -> tuple[int, int]:
    """Sign in and submit the whole survey; returns (answers, comments) sent."""

    def step(name: str, method: str, path: str, data=None, expect=(200,)) -> str:
        started = time.perf_counter()
        status, location, text = browser.request(method, path, data)
        timings.setdefault(name, []).append(time.perf_counter() - started)
        if status not in expect:
            raise Refused(f"{name}: HTTP {status} {location} {text[:200]!r}")
        return text

    page = step("sign-in page", "GET", "/accounts/login/")
    token = CSRF_INPUT.search(page).group(1)
    step(
        "sign in",
        "POST",
        "/accounts/login/",
        [("csrfmiddlewaretoken", token), ("username", person["email"]), ("password", job["password"])],
        expect=(302,),
    )
    page = step("screener", "GET", "/survey/")
    hidden = dict(HIDDEN.findall(page))
    optional = OPTIONAL_PROVIDER.findall(page)
    chosen = rng.sample(optional, min(job["optional_rated"], len(optional)))
    data = [("csrfmiddlewaretoken", CSRF_INPUT.search(page).group(1)), ("step", "departments")]
    data += [("cycle", hidden["cycle"]), ("draft", hidden.get("draft", ""))] + [("providers", p) for p in chosen]
    step("choose departments", "POST", "/survey/", data, expect=(302,))
    page = step("ratings page", "GET", "/survey/")
    hidden = dict(HIDDEN.findall(page))
    providers = list(dict.fromkeys(RATED_PROVIDER.findall(page)))
    # confirm=1: the confirmation page's POST, the one that submits.
    data = [("csrfmiddlewaretoken", CSRF_INPUT.search(page).group(1)), ("action", "submit"), ("confirm", "1")]
    data += [("cycle", hidden["cycle"]), ("draft", hidden["draft"])]
    comments = 0
    for provider in providers:
        data += [(f"p{provider}-{slug}", str(rng.randint(1, 5))) for slug in DIMENSIONS]
        data.append((f"p{provider}-expectation", str(rng.randint(2, 5))))
        if rng.random() < job["comment_rate"]:
            data.append((f"p{provider}-comment", "Helpful, but the updates came late. <b>Thanks</b> & =SUM(A1)"))
            comments += 1
    step("submit", "POST", "/survey/", data, expect=(302,))
    page = step("confirmation", "GET", "/survey/")
    if "submitted" not in page.lower():
        raise Refused("confirmation: the page does not say the survey was submitted")
    return len(providers) * (len(DIMENSIONS) + 1), comments


def run(job: dict) -> dict:
    host_port = urlsplit(job["base_url"]).netloc
    host, port = host_port.split(":")
    people = list(job["people"])
    lock = threading.Lock()
    deadline = time.monotonic() + job["max_seconds"]
    results = {"timings": {}, "done": 0, "answers": 0, "comments": 0, "errors": [], "finished_at": []}

    def user_loop(index: int) -> None:
        rng = random.Random(index)
        timings: dict[str, list[float]] = {}
        while time.monotonic() < deadline:
            with lock:
                if not people:
                    break
                person = people.pop()
            browser = Browser(host, int(port))
            try:
                answers, comments = one_survey(browser, person, job, timings, rng)
            except (Refused, OSError, http.client.HTTPException, AttributeError, KeyError) as exc:
                with lock:
                    results["errors"].append(f"{person['email']}: {type(exc).__name__}: {exc}"[:300])
                continue
            finally:
                browser.conn.close()
            with lock:
                results["done"] += 1
                results["answers"] += answers
                results["comments"] += comments
                results["finished_at"].append(time.monotonic())
        with lock:
            for name, values in timings.items():
                results["timings"].setdefault(name, []).extend(values)

    started = time.monotonic()
    threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(job["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["wall"] = (max(results["finished_at"]) if results["finished_at"] else time.monotonic()) - started
    results["timed_out"] = bool(people)
    del results["finished_at"]
    return results


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
