"""How the staff's results grow with the data: the data set grown step by step to each size,
and at each size the results page and every CSV export measured.

A size is a number of poll answers (PollResponse rows with an option: every poll, before and
after the lessons, skips left out). `manage.py seed_learners` appends learners with its default
shares (80% of learners answer each poll, 70% of those were asked before the lessons too and a
tenth of them skipped; knowledge-check attempts by 30% of learners), so each step seeds only the
learners the next size needs: 10,000, then 100,000, then 1,000,000 cost one database grown three
times, not three.

At each size, each in a process of its own (bench/inside.py): the results page through the
Django test client as staff (a first view, then the median and p95 of several), and each
export through its URL as staff, streamed to /dev/null: time, size, MB/s, and the process's peak
RSS, whole and over its baseline before streaming (Django and the imports weigh ~60-80 MB).
"""

import os
import time

from project import inside, manage

SIZES = [10_000, 100_000, 1_000_000]
# The CSV exports, by URL name (celmod_course/web/urls.py), as the results page links them.
EXPORTS = {
    "poll responses": "cme:export_poll_responses",
    "knowledge-check answers": "cme:export_answers",
    "confidence pairs": "cme:export_paired",
    "credit claims": "cme:export_claims",
}
MB = 1024 * 1024


def sizes():
    """BENCH_SIZES (poll answers, comma-separated, e.g. 2000,10000), or the three sizes."""
    given = os.environ.get("BENCH_SIZES", "").strip()
    if not given:
        return SIZES
    try:
        chosen = sorted({int(size) for size in given.split(",")})
    except ValueError:
        raise SystemExit(f"BENCH_SIZES takes poll-answer counts (2000,10000): {given}") from None
    if chosen[0] <= 0:
        raise SystemExit("BENCH_SIZES must be positive.")
    return chosen


def answers_per_learner(counts):
    """Poll answers per learner: as measured once there are learners; before, what
    seed_learners' default shares make of the activity's polls."""
    if counts["learners"]:
        return counts["poll_answers"] / counts["learners"]
    return 0.8 * (counts["polls"] + 0.7 * 0.9 * counts["polls_asked_before"])


def grow(env, size, counts, step):
    """Seed the learners that bring the poll answers near `size`; returns the new counts and
    the seconds seeding took."""
    learners = round((size - counts["poll_answers"]) / answers_per_learner(counts))
    began = time.perf_counter()
    if learners > 0:
        print(f"   seeding {learners:,} learners towards {size:,} poll answers ...", flush=True)
        manage(env, "seed_learners", str(learners), "--seed", str(2025 + step))
        inside(env, "inside.py", "analyze")
    seconds = time.perf_counter() - began
    return inside(env, "inside.py", "counts"), seconds


def measure(env):
    """The results page and every export at the data set's current size."""
    exports = {}
    for name, url_name in EXPORTS.items():
        run = inside(env, "inside.py", "export", url_name)
        run["mb_per_s"] = run["bytes"] / MB / run["seconds"] if run["seconds"] else 0
        exports[name] = run
    return {"results": inside(env, "inside.py", "results"), "exports": exports}
