"""`make bench`: how the module's cost grows with its data, and the production server under load.

For each database engine, one fresh database (SQLite in a temporary folder; PostgreSQL in a
throwaway database beside the one DATABASE_URL names), migrated, with the fixtures, then:

1. Growth (bench/growth.py): the data set grown to 10,000, then 100,000, then 1,000,000 poll
   answers with synthetic learners; at each size the results page and every CSV export.
2. Served (bench/served.py), at the largest size: each page's rate as a share of /health/'s,
   the four writes (complete a lesson, vote, submit the knowledge check, claim credit) by 20
   learners at once with no accepted write lost, and the lesson page's weight.
3. Answering questions with "Ask the commentary", in-process.

At the end: a table per engine, the same as markdown in bench/last-run.md (with the machine, to
paste into docs/benchmark.md), and exit status 1 when a gate below fails.

Environment: BENCH_SIZES (poll answers, e.g. 2000,10000 for a quick run), BENCH_ENGINES
(sqlite,postgresql; default SQLite, and PostgreSQL too when DATABASE_URL is set),
BENCH_REDIS_URL (the Redis database the served site uses; see bench/served.py).
"""

import os
import secrets
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import growth
import report
import served
from project import BENCH, inside, manage

# The gates (`failures` applies them). Pages: the least share of /health/'s rate each must reach.
PAGE_GATES = {
    "reader-lesson": 0.8,
    "lesson": 0.8,
    "overview": 0.8,
    "your-thoughts": 0.5,
    "knowledge-check": 0.6,
}
RESULTS_BUDGET = 0.5  # s, the results page's median at the largest size
EXPORT_MEMORY_BUDGET = 150  # MB, each export's peak RSS at every size
ANSWERS_EXPORT_BUDGET = 60  # s, the knowledge-check answers export at the largest size
ASK_BUDGET = 0.05  # s, the median answer
WEIGHT_BUDGET_KB = 100  # the lesson page with its CSS and JavaScript, compressed
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
LAST_RUN = BENCH / "last-run.md"


def engines(database_url):
    given = os.environ.get("BENCH_ENGINES", "")
    names = [name.strip().lower() for name in given.split(",") if name.strip()]
    names = names or (["sqlite", "postgresql"] if database_url else ["sqlite"])
    unknown = set(names) - set(ENGINES)
    if unknown:
        raise SystemExit(f"BENCH_ENGINES takes sqlite and postgresql, not {', '.join(unknown)}.")
    if "postgresql" in names and not database_url:
        raise SystemExit("BENCH_ENGINES names postgresql: set DATABASE_URL to a PostgreSQL.")
    return names


@contextmanager
def database(engine, base, workdir, database_url):
    """The environment of a fresh, empty database of `engine`, and its title."""
    if engine == "sqlite":
        import sqlite3

        path = workdir / "bench.sqlite3"
        yield {**base, "SQLITE_PATH": str(path)}, f"SQLite {sqlite3.sqlite_version}"
        return
    import psycopg

    name = f"celmod_bench_{os.getpid()}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        admin.execute(f"CREATE DATABASE {name}")
        try:
            url = urlunsplit(urlsplit(database_url)._replace(path="/" + name))
            yield {**base, "DATABASE_URL": url}, f"PostgreSQL {version}"
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench(env, title, workdir, sizes):
    began = time.perf_counter()
    print(f"\n== {title}", flush=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_content", "--verbosity", "0")
    counts = inside(env, "inside.py", "counts")
    steps = []
    for step, size in enumerate(sizes):
        counts, seeded = growth.grow(env, size, counts, step)
        measured = growth.measure(env)
        steps.append({"size": size, "counts": counts, "seeded": seeded, **measured})
        answers_export = measured["exports"]["knowledge-check answers"]
        print(
            f"   {counts['poll_answers']:,} poll answers ({counts['learners']:,} learners, "
            f"seeded in {seeded:.0f} s): results page median "
            f"{measured['results']['median'] * 1000:.0f} ms; knowledge-check answers export "
            f"{answers_export['seconds']:.1f} s",
            flush=True,
        )
    print(f"   serving {counts['poll_answers']:,} poll answers ...", flush=True)
    result = {
        "title": title,
        "steps": steps,
        "served": served.run(env, workdir),
        "ask": inside(env, "inside.py", "ask"),
    }
    result["seconds"] = time.perf_counter() - began
    return result


def failures(result):
    """What fails the run in one engine's figures."""
    largest = result["steps"][-1]
    at = f"at {largest['counts']['poll_answers']:,} poll answers"
    found = []
    if largest["results"]["median"] >= RESULTS_BUDGET:
        found.append(f"the results page's median is {largest['results']['median']:.2f} s {at}")
    for name in growth.EXPORTS:
        runs = [(step["counts"]["poll_answers"], step["exports"][name]) for step in result["steps"]]
        answers, worst = max(runs, key=lambda run: run[1]["peak_mb"])
        if worst["peak_mb"] >= EXPORT_MEMORY_BUDGET:
            found.append(
                f"the {name} export peaked at {worst['peak_mb']:.0f} MB at {answers:,} poll "
                f"answers ({worst['baseline_mb']:.0f} MB of it before streaming)"
            )
    answers_export = largest["exports"]["knowledge-check answers"]
    if answers_export["seconds"] >= ANSWERS_EXPORT_BUDGET:
        took = answers_export["seconds"]
        found.append(f"the knowledge-check answers export took {took:.0f} s {at}")
    served_run = result["served"]
    for page, page_run in served_run["pages"].items():
        if page_run["ratio"] < PAGE_GATES.get(page, 0):
            found.append(f"{page} is under {PAGE_GATES[page]:.0%} of the baseline's rate")
        if page_run["errors"]:
            found.append(f"{page}: {page_run['errors']} requests failed")
    for write, write_run in served_run["writes"].items():
        if not write_run["learners"]:
            found.append(f"{write}: no learner in the data set could make this write")
        if write_run["errors"]:
            found.append(f"{write}: {write_run['errors']} requests failed")
        if write_run["stored"] < write_run["accepted"]:
            found.append(
                f"{write}: {write_run['accepted']:,} accepted, {write_run['stored']:,} stored"
            )
    if result["ask"]["median"] > ASK_BUDGET:
        found.append(f"answering a question took {result['ask']['median'] * 1000:.0f} ms (median)")
    if sum(served_run["weight"].values()) / 1024 > WEIGHT_BUDGET_KB:
        found.append(f"the lesson page weighs over {WEIGHT_BUDGET_KB} KB")
    return [f"{result['title']}: {failure}" for failure in found]


def main():
    began = time.perf_counter()
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "celmod_course.settings",
        "ENV_FILE": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "AXES_FAILURE_LIMIT": "1000",
        "REDIS_URL": "",  # the served site alone uses Redis (bench/served.py)
    }
    database_url = base.pop("DATABASE_URL", "")
    sizes = growth.sizes()
    names = engines(database_url)
    print(
        f"make bench, {time.strftime('%Y-%m-%d')}: {', '.join(ENGINES[n] for n in names)} at "
        f"{', '.join(f'{size:,}' for size in sizes)} poll answers"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="celmod-bench-") as folder:
        workdir = Path(folder)
        base["QUEUE_PATH"] = str(workdir / "queue.sqlite3")
        for name in names:
            with database(name, base, workdir, database_url) as (env, title):
                results.append(bench(env, title, workdir, sizes))

    failed = [failure for result in results for failure in failures(result)]
    seconds = time.perf_counter() - began
    for result in results:
        print(report.text(result, PAGE_GATES))
    LAST_RUN.write_text(report.markdown(results, PAGE_GATES, sizes, seconds, failed))
    print(f"\nfinished in {seconds / 60:.1f} min; the tables as markdown: {LAST_RUN}")
    if sizes[-1] < growth.SIZES[-1]:
        print(f"(the gates at the largest size apply at {sizes[-1]:,} poll answers, not 1,000,000)")
    for failure in failed:
        print(f"FAIL: {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
