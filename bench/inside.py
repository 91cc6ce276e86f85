"""The bench's measurements inside Django, one per process, each printing one line of JSON:

    counts            the data set: synthetic learners, poll answers, attempts, ...
    analyze           on PostgreSQL, VACUUM ANALYZE: what autovacuum does after a bulk load
    writes            the rows each write of bench/served.py adds to, to check that none was lost
    results           the results page through the Django test client as staff: a first view,
                      then median and p95 over several
    export URL_NAME   one CSV export through the test client as staff, streamed to /dev/null:
                      its time and size, and this process's peak RSS before and after streaming
    ask               answering questions with "Ask the commentary"

Run by bench/bench.py with the bench's environment (settings, database); a process of its own
for each export, so that its peak memory is that export's alone.
"""

import json
import os
import resource
import statistics
import sys
import time

from project import setup_django

VIEWS, MIN_VIEWS, VIEWS_SECONDS = 10, 3, 20  # results page: up to 10 views, fewer if slow
STAFF_EMAIL = "bench-staff@example.invalid"
MB = 1024 * 1024


def counts():
    from celmod_course.accounts.models import User
    from celmod_course.cme.models import ActivityCompletion
    from quiz.models import Answer, Attempt, Poll, PollResponse

    return {
        "learners": User.objects.filter(is_synthetic=True).count(),
        "poll_answers": PollResponse.objects.filter(option__isnull=False).count(),
        "attempts": Attempt.objects.count(),
        "kc_answers": Answer.objects.count(),
        "completions": ActivityCompletion.objects.count(),
        "polls": Poll.objects.count(),
        "polls_asked_before": Poll.objects.filter(asked_before=True).count(),
    }


def analyze():
    """What autovacuum does soon after a bulk load, done at once: the results page's plans
    should not depend on whether it has run yet, nor should the served run share the cores
    with it. SQLite keeps no statistics unless asked, and the site never asks."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"vendor": connection.vendor}


def writes():
    from celmod_course.cme.models import CreditClaim
    from lessons.models import LessonCompletion
    from quiz.models import Attempt, Moment, PollResponse

    return {
        "complete": LessonCompletion.objects.count(),
        "vote": PollResponse.objects.filter(moment=Moment.AFTER).count(),
        "submit": Attempt.objects.count(),
        "claim": CreditClaim.objects.count(),
    }


def staff_client():
    from django.test import Client

    from celmod_course.accounts.models import User

    staff = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_user(
        email=STAFF_EMAIL, full_name="Bench Staff", is_staff=True
    )
    client = Client()
    client.force_login(staff)
    return client


def activity_url(name):
    from django.urls import reverse

    from lessons.models import Activity

    return reverse(name, args=[Activity.objects.get().slug])


def results():
    client = staff_client()
    url = activity_url("cme:results")

    def view():
        began = time.perf_counter()
        status = client.get(url).status_code
        if status != 200:
            sys.exit(f"The results page answered {status}.")
        return time.perf_counter() - began

    first = view()
    timings = []
    while len(timings) < VIEWS and (len(timings) < MIN_VIEWS or sum(timings) < VIEWS_SECONDS):
        timings.append(view())
    return {
        "first": first,
        "views": len(timings),
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20, method="inclusive")[18],
    }


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB  # Linux: KiB


def export(url_name):
    from django.urls import resolve, reverse

    client = staff_client()
    url = activity_url(url_name)
    # The baseline holds Django, the middleware (a first request) and the export's view with
    # what it imports, as a server process would before its first export.
    client.get(reverse("health"))
    resolve(url)
    baseline = peak_rss_mb()
    began = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200 or not response.streaming:
        sys.exit(f"{url} answered {response.status_code}, streaming={response.streaming}.")
    size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in response.streaming_content:
            size += sink.write(chunk)
    return {
        "seconds": time.perf_counter() - began,
        "bytes": size,
        "baseline_mb": baseline,
        "peak_mb": peak_rss_mb(),
    }


QUESTIONS = [
    "Which proteins do CELMoDs degrade?",
    "How often does grade 3/4 neutropenia occur with mezigdomide?",
    "Which trial compares iberdomide with lenalidomide as maintenance?",
    "What adverse events should I expect with the CELMoD class?",
    "Could iberdomide be used before CAR T-cell therapy?",
]


def ask_timings():
    from celmod_course.web.pagecache import content_version
    from lessons import embedding
    from lessons.ask import ask
    from lessons.models import Activity

    activity = Activity.objects.get()
    version = content_version()
    # The index is built once per process and content version, before the first answer.
    ask(activity, QUESTIONS[0], version=version)
    timings = []
    for _ in range(20):
        for question in QUESTIONS:
            began = time.perf_counter()
            ask(activity, question, version=version)
            timings.append(time.perf_counter() - began)
    return {
        "answers": len(timings),
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20)[-1],
        "max": max(timings),
        "model": embedding.available(),
    }


def main(mode, *args):
    setup_django()
    measure = {
        "counts": counts,
        "analyze": analyze,
        "writes": writes,
        "results": results,
        "export": export,
        "ask": ask_timings,
    }[mode]
    print(json.dumps(measure(*args)))


if __name__ == "__main__":
    main(*sys.argv[1:])
