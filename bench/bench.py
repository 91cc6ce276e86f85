"""`make bench`: the production server under load, and the results page with a big data set.

1. A fresh database (SQLite in a temporary folder; PostgreSQL too when DATABASE_URL is set, in
   a throwaway database beside the one it names), migrated, with the fixtures and 122,000
   synthetic learners: 112,000 poll responses at Your Thoughts, each learner's answer before
   the lessons too (about 100,800 learners with both), and 10,000 knowledge-check attempts.
2. gunicorn (DEBUG off, 2 workers) serving it; wrk (one thread, 8 connections, no pause: it
   leaves the cores to the server) reading, each after a warm-up: a minimal view through the
   same middleware and server (/health/, the baseline), a lesson page for a reader without an
   account, and for a logged-in learner the lesson page, the overview, Your Thoughts and the
   knowledge check; then locust voting as learners who have not answered yet. Requests per
   second, latency and errors, with each page's ratio to the baseline of the same run.
3. The results page's time with those responses and pairs, and the time to answer a question
   with "Ask the commentary", in-process.
4. The lesson page's weight with its CSS and JavaScript, compressed.

It exits non-zero when a page falls under its share of the baseline's rate (the lesson page for a
reader and for a learner, the overview and Your Thoughts: half; the knowledge check: a
quarter), any request fails, when the results page takes over 0.5 s, when an answer takes
over 50 ms, or when the lesson page weighs over 100 KB.
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
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# Every respondent was asked before the lessons too, 10% of them skipped it: about 100,800
# learners with both answers.
LEARNERS, RESPONSES, ATTEMPTS = 122_000, 112_000, 10_000
USERS, SECONDS = 20, 10
# Pages read with wrk (1 thread, 8 connections, no pause), which leaves the cores to the server;
# the vote (a write per visitor who has not answered yet) with locust.
WRK_SECONDS, WRK_CONNECTIONS = 4, 8
PAGES = ["baseline", "reader-lesson", "lesson", "overview", "your-thoughts", "knowledge-check"]
SCENARIOS = ["vote"]
# The least share of the baseline's rate each page must reach.
GATES = {
    "reader-lesson": 0.5,
    "lesson": 0.5,
    "overview": 0.5,
    "your-thoughts": 0.5,
    "knowledge-check": 0.25,
}
RESULTS_BUDGET, WEIGHT_BUDGET_KB, ASK_BUDGET = 0.5, 100, 0.05


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_shell(env, code):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


PLAN_CODE = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from celmod_course.accounts.models import User
from lessons.models import Activity
from quiz.models import Poll

def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

activity = Activity.objects.get()
poll = Poll.objects.get(activity=activity)
lesson = activity.lessons.order_by("order")[1]
learners = User.objects.filter(is_synthetic=True)
readers = [session_for(u) for u in learners.filter(poll_responses__isnull=False)[:200]]
voters = [session_for(u) for u in learners.filter(poll_responses__isnull=True)[:%(voters)d]]
print(json.dumps({
    "readers": readers,
    "voters": voters,
    "paths": {
        "baseline": reverse("health"),
        "reader-lesson": lesson.get_absolute_url(),
        "lesson": lesson.get_absolute_url(),
        "overview": activity.get_absolute_url(),
        "your-thoughts": reverse("quiz:your_thoughts", args=[activity.slug]),
        "knowledge-check": reverse("cme:knowledge_check", args=[activity.slug]),
        "vote": poll.get_vote_url(),
    },
    "vote_data": {f"poll-{poll.pk}-option": str(poll.options.get(value=3).pk)},
}))
"""

ASK_CODE = """
import statistics, time
from celmod_course.web.pagecache import content_version
from lessons.ask import ask
from lessons.models import Activity
activity = Activity.objects.get()
version = content_version()
questions = [
    "Which proteins do CELMoDs degrade?",
    "How often does grade 3/4 neutropenia occur with mezigdomide?",
    "Which trial compares iberdomide with lenalidomide as maintenance?",
    "What adverse events should I expect with the CELMoD class?",
    "Could iberdomide be used before CAR T-cell therapy?",
]
# The index is built once per process and content version, before the first answer.
ask(activity, questions[0], version=version)
timings = []
for _ in range(20):
    for question in questions:
        begin = time.perf_counter()
        ask(activity, question, version=version)
        timings.append(time.perf_counter() - begin)
print(statistics.median(timings), max(timings))
"""

RESULTS_CODE = """
import statistics, time
from django.test import Client
from django.urls import reverse
from celmod_course.accounts.models import User
from lessons.models import Activity
from quiz.models import Attempt, PollResponse
staff = User.objects.create_user(
    email="bench-staff@example.invalid", full_name="Bench", is_staff=True
)
client = Client()
client.force_login(staff)
url = reverse("cme:results", args=[Activity.objects.get().slug])
assert client.get(url).status_code == 200
timings = []
for _ in range(7):
    begin = time.perf_counter()
    assert client.get(url).status_code == 200
    timings.append(time.perf_counter() - begin)
pairs = PollResponse.objects.filter(moment="before", option__isnull=False).count()
print(PollResponse.objects.count(), pairs, Attempt.objects.count())
print(statistics.median(timings), max(timings))
"""


SQL_CODE = "from django.db import connection; connection.cursor().execute('%s')"


def prepare(env):
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_content", "--verbosity", "0")
    manage(
        env,
        "seed_learners",
        str(LEARNERS),
        "--responses",
        str(RESPONSES),
        "--attempts",
        str(ATTEMPTS),
        "--before",
        "1",
    )
    plan = django_shell(env, PLAN_CODE % {"voters": LEARNERS - RESPONSES})
    return json.loads(plan.strip().splitlines()[-1])


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


def run_locust(env, host, plan_file, scenario, workdir):
    prefix = workdir / scenario
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
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
        env={**env, "BENCH_SCENARIO": scenario, "BENCH_PLAN": str(plan_file)},
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


def run_wrk(url, cookie=None):
    """Requests per second and latency of one page under wrk, with a learner's cookies."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = [
        "wrk",
        "-t1",
        f"-c{WRK_CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--latency",
        *headers,
        url,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: .*?): (\d+)", out)
    )

    def ms(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p95": ms("99%"),
        "requests": requests,
        "errors": errors,
    }


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


def bench(name, env, workdir):
    print(f"\n== {name}: seeding {LEARNERS:,} synthetic learners ...", flush=True)
    started = time.perf_counter()
    plan = prepare(env)
    print(f"   seeded in {time.perf_counter() - started:.0f} s", flush=True)
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))

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
        env=env,
    )
    failures = []
    try:
        wait_for(host + plan["paths"]["baseline"])
        learner = f"sessionid={plan['readers'][0]}; csrftoken={secrets.token_hex(16)}"
        stats = {}
        for page in PAGES:
            cookie = learner if page not in {"baseline", "reader-lesson"} else None
            run_wrk(host + plan["paths"][page], cookie)  # warm the caches, then measure
            stats[page] = run_wrk(host + plan["paths"][page], cookie)
        # The machine's pace drifts: the baseline is the mean of a run before and one after.
        after = run_wrk(host + plan["paths"]["baseline"])
        stats["baseline"] = {
            key: (stats["baseline"][key] + after[key]) / 2
            if key in ("rps", "p50", "p95")
            else stats["baseline"][key] + after[key]
            for key in stats["baseline"]
        }
        for scenario in SCENARIOS:
            stats[scenario] = run_locust(env, host, plan_file, scenario, workdir)
        weight = page_weight(host, plan["paths"]["lesson"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    baseline = stats["baseline"]["rps"]
    print(
        f"   gunicorn, 2 workers, DEBUG off; pages: wrk, {WRK_CONNECTIONS} connections, "
        f"{WRK_SECONDS} s each (p95 column: wrk's 99th percentile); vote: locust, {USERS} "
        f"visitors, {SECONDS} s"
    )
    print(
        f"   {'page':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} "
        f"{'vs baseline':>12}"
    )
    for scenario, s in stats.items():
        ratio = s["rps"] / baseline if baseline else 0
        print(
            f"   {scenario:<14} {s['rps']:>8.0f} {s['p50']:>8.0f} {s['p95']:>8.0f} "
            f"{s['errors']:>7} {ratio:>11.0%}"
        )
        if s["errors"]:
            failures.append(f"{scenario}: {s['errors']} errors")
    for page, share in GATES.items():
        if stats[page]["rps"] < baseline * share:
            failures.append(f"{page} is under {share:.0%} of the baseline's rate")

    votes = stats["vote"]["requests"] - stats["vote"]["errors"]
    stored = int(
        django_shell(
            env,
            "from quiz.models import PollResponse; "
            "print(PollResponse.objects.filter(moment='after').count())",
        )
        .strip()
        .splitlines()[-1]
    )
    print(
        f"   votes accepted {votes:,}; "
        f"answers at Your Thoughts now {stored:,} ({RESPONSES:,} before)"
    )
    # Requests still in flight when the run stops are stored but not counted by locust.
    if stored < RESPONSES + votes:
        failures.append("accepted votes were lost")

    out = django_shell(env, RESULTS_CODE).split()
    responses, pairs, attempts = int(out[-5]), int(out[-4]), int(out[-3])
    median, worst = float(out[-2]), float(out[-1])
    print(
        f"   results page with {responses:,} poll answers ({pairs:,} learners answered before "
        f"and after) and {attempts:,} attempts: "
        f"median {median * 1000:.0f} ms, slowest {worst * 1000:.0f} ms over 7 requests"
    )
    if median > RESULTS_BUDGET:
        failures.append("the results page is over 0.5 s")

    median, worst = map(float, django_shell(env, ASK_CODE).split()[-2:])
    print(
        f"   answering a question (Ask the commentary): median {median * 1000:.1f} ms, "
        f"slowest {worst * 1000:.1f} ms over 100 answers"
    )
    if worst > ASK_BUDGET:
        failures.append("answering a question took over 50 ms")

    total = sum(weight.values()) / 1024
    detail = ", ".join(f"{name} {size / 1024:.1f}" for name, size in weight.items())
    print(f"   lesson page weight, compressed: {total:.1f} KB ({detail} KB)")
    if total > WEIGHT_BUDGET_KB:
        failures.append("the lesson page weighs over 100 KB")
    return failures


def main():
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="celmod-bench-"))
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "celmod_course.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "AXES_FAILURE_LIMIT": "1000",
    }
    database_url = base.pop("DATABASE_URL", "")
    print(f"make bench on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    failures = bench("SQLite", {**base, "SQLITE_PATH": str(workdir / "bench.sqlite3")}, workdir)

    if database_url:
        parts = urlsplit(database_url)
        name = f"celmod_bench_{os.getpid()}"
        admin = {**base, "DATABASE_URL": database_url}
        django_shell(
            admin,
            SQL_CODE % f"CREATE DATABASE {name}",
        )
        try:
            url = urlunsplit(parts._replace(path="/" + name))
            failures += bench("PostgreSQL", {**base, "DATABASE_URL": url}, workdir)
        finally:
            django_shell(
                admin,
                SQL_CODE % f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
            )

    print(f"\nfinished in {time.perf_counter() - began:.0f} s")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
