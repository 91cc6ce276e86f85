"""The production server under load, at one data size: pages read with wrk, writes made by
20 learners at once with locust, and the lesson page weighed.

gunicorn (2 workers, DEBUG off) serves the bench's database as one machine serves it, each
worker caching in its own memory; with BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379/5, flushed
first), as several servers would, with its cache and sessions in that Redis. The learners it
acts as come from bench/learners.py.

Pages: wrk (one thread, 8 connections, no pause: it leaves the cores to the server), each page
after a warm-up, as a ratio to a minimal view through the same middleware and server
(/health/, measured before and after the pages and averaged, as the machine's pace drifts).
Writes: locust, one write at a time, each request by a learner who has not made it yet; then
the rows are counted, so that no accepted write was lost.
"""

import csv
import gzip
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from project import BENCH, ROOT, inside

VENV_BIN = Path(sys.executable).parent
PAGES = ["baseline", "reader-lesson", "lesson", "overview", "your-thoughts", "knowledge-check"]
ANONYMOUS = {"baseline", "reader-lesson"}
WRITES = ["complete", "vote", "submit", "claim"]
WRK_SECONDS, WRK_CONNECTIONS = 4, 8
USERS, SECONDS = 20, 10


def redis_url():
    """The Redis database the served site uses, flushed; "" when there is none to use."""
    url = os.environ.get("BENCH_REDIS_URL", "").strip()
    if not url:
        return ""
    if urlsplit(url).path.strip("/") in ("", "0"):
        raise SystemExit("BENCH_REDIS_URL must name a Redis database other than 0: it is flushed.")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        print(f"   Redis at {url} is not answering ({error}): serving without it", flush=True)
        return ""
    return url


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def run_wrk(url, cookie=None):
    """Requests per second and latency of one page under wrk."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency", *headers]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: .*?): (\d+)", out)
    )

    def ms(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": errors,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_page(url, cookie):
    """The page as wrk is about to read it: 200 (wrk counts a redirect as a success), and
    signed in exactly when a learner's cookie is sent, so that no figure measures a log-in
    redirect or a reader's page in place of a learner's."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as response:
            signed_in = "Signed in as" in response.read().decode()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url} answered {error.code}, not 200") from None
    if signed_in != bool(cookie):
        raise RuntimeError(f"{url} was {'' if signed_in else 'not '}served signed in")


def read_pages(host, plan):
    learner = f"sessionid={plan['readers'][0]}; csrftoken={secrets.token_hex(16)}"
    pages = {}
    for page in PAGES:
        cookie = None if page in ANONYMOUS else learner
        check_page(host + plan["paths"][page], cookie)
        run_wrk(host + plan["paths"][page], cookie)  # warm the caches, then measure
        pages[page] = run_wrk(host + plan["paths"][page], cookie)
    after = run_wrk(host + plan["paths"]["baseline"])
    before = pages["baseline"]
    pages["baseline"] = {
        **{key: (before[key] + after[key]) / 2 for key in ("rps", "p50", "p99")},
        **{key: before[key] + after[key] for key in ("requests", "errors")},
    }
    for page in pages.values():
        page["ratio"] = page["rps"] / pages["baseline"]["rps"]
    return pages


def run_locust(env, host, plan_file, write, workdir):
    prefix = workdir / write
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{SECONDS}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--stop-timeout",
            "5",
        ],
        env={**env, "BENCH_SCENARIO": write, "BENCH_PLAN": str(plan_file)},
        check=False,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
    }


def make_writes(env, host, plan, plan_file, workdir):
    """Each write by 20 learners at once, then the rows counted: none accepted may be lost
    (one in flight when the run stops may be stored and not counted, hence "at least")."""
    stored_before = inside(env, "inside.py", "writes")
    writes = {write: run_locust(env, host, plan_file, write, workdir) for write in WRITES}
    stored_after = inside(env, "inside.py", "writes")
    for write, run in writes.items():
        run["learners"] = len(plan["writes"][write]["sessions"])
        run["accepted"] = run["requests"] - run["errors"]
        run["stored"] = stored_after[write] - stored_before[write]
    return writes


def page_weight(host, path):
    """The lesson page and the CSS and JavaScript it loads, as a gzip-capable browser gets them."""
    with urllib.request.urlopen(host + path) as response:
        html = response.read()
    parts = {"HTML": len(gzip.compress(html))}
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        request = urllib.request.Request(host + asset.decode(), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") != "gzip":
                body = gzip.compress(body)
            parts[asset.decode().rsplit("/", 1)[-1]] = len(body)
    return parts


def run(env, workdir):
    """Serve the bench's database and load it; returns the pages, the writes, the lesson page's
    weight and which Redis served (empty: none)."""
    started = time.perf_counter()
    plan = inside(env, "learners.py")
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    made_in = time.perf_counter() - started
    print(f"   learners and sessions for the served run made in {made_in:.0f} s", flush=True)

    redis = redis_url()
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "celmod_course.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={
            **env,
            "REDIS_URL": redis,
            "USER_GENERATIONS_PATH": str(workdir / "user-generations.bin"),
        },
    )
    try:
        wait_for(host + plan["paths"]["baseline"])
        pages = read_pages(host, plan)
        writes = make_writes(env, host, plan, plan_file, workdir)
        weight = page_weight(host, plan["paths"]["lesson"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"redis": redis, "pages": pages, "writes": writes, "weight": weight}
