"""Benchmark: how long the staff results page takes with 100,000 poll responses and 10,000
knowledge-check attempts, on a fresh SQLite file database (DEBUG off, as in production).

Run with `make bench`. It seeds synthetic learners with the seed_learners command, then times
the page through Django's full request cycle (middleware, view, queries, template) in-process.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 0.5  # seconds, from the issue
LEARNERS, RESPONSES, ATTEMPTS, RUNS = 100_000, 100_000, 10_000, 7


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main():
    workdir = Path(tempfile.mkdtemp(prefix="celmod-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "celmod_course.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SQLITE_PATH": str(workdir / "bench.sqlite3"),
    }
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    manage("migrate", "--noinput", "--verbosity", "0", env=env)
    manage("loaddata", "celmods", "knowledge_check", "--verbosity", "0", env=env)
    manage(
        "seed_learners",
        str(LEARNERS),
        "--responses",
        str(RESPONSES),
        "--attempts",
        str(ATTEMPTS),
        env=env,
    )
    seeded = time.perf_counter() - started

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from celmod_course.accounts.models import User
    from lessons.models import Activity
    from quiz.models import Attempt, PollResponse

    staff = User.objects.create_user(
        email="bench-staff@example.invalid", full_name="Bench Staff", is_staff=True
    )
    client = Client()
    client.force_login(staff)
    url = reverse("quiz:results", args=[Activity.objects.get().slug])
    assert client.get(url).status_code == 200  # warm caches, as a running server would be
    timings = []
    for _ in range(RUNS):
        begin = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - begin)
        assert response.status_code == 200

    median, worst = statistics.median(timings), max(timings)
    verdict = "within" if median < BUDGET else "OVER"
    print(
        f"results page on SQLite with {PollResponse.objects.count():,} poll responses and "
        f"{Attempt.objects.count():,} attempts ({os.cpu_count()} cores; seeding took "
        f"{seeded:.0f} s):"
    )
    print(
        f"  median {median * 1000:.0f} ms, slowest {worst * 1000:.0f} ms over {RUNS} requests: "
        f"{verdict} the {BUDGET * 1000:.0f} ms budget"
    )
    return 0 if median < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
