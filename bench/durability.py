"""`make bench`, last step: what SQLite's synchronous=FULL costs the write paths.

In a fresh SQLite file (WAL, as the site runs it), the same writes are timed with
synchronous=NORMAL and with synchronous=FULL (the site's setting, so that a committed credit
claim survives a power loss): learners completing lessons, answering the poll and claiming
credit through the services the pages call, each write its own transaction, as in a request.
Prints the median time per write in each mode and their ratio. In-process: no server, no
network; run it alone for steady figures.
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 60  # per mode


def main():
    workdir = Path(tempfile.mkdtemp(prefix="celmod-durability-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "celmod_course.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "durability-bench"),
            "DEBUG": "0",
            "DATABASE_URL": "",
            "SQLITE_PATH": str(workdir / "durability.sqlite3"),
            "ENV_FILE": "",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)

    figures = {}
    for mode in ("NORMAL", "FULL"):
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={mode}")
        figures[mode] = time_writes(mode)
    print(f"\nSQLite durability ({LEARNERS} learners per mode; median ms per write):")
    print(f"{'write':<22}{'NORMAL':>10}{'FULL':>10}{'FULL/NORMAL':>14}")
    for write in figures["FULL"]:
        normal, full = figures["NORMAL"][write], figures["FULL"][write]
        print(f"{write:<22}{normal * 1000:>10.2f}{full * 1000:>10.2f}{full / normal:>14.2f}")


def time_writes(mode):
    from celmod_course.accounts.models import Profession, User
    from celmod_course.cme.models import CreditDesignation, EvaluationQuestion
    from celmod_course.cme.services import (
        credit_claim,
        evaluation_submit,
        knowledge_check_submit,
        lesson_complete,
    )
    from lessons.models import Activity, Lesson
    from quiz.models import Poll
    from quiz.services import poll_answer

    activity = Activity.objects.get()
    # Credit must be on offer and the activity not expired for the claim to be recorded.
    activity.expires_on = activity.released_on.replace(year=2100)
    activity.save()
    CreditDesignation.objects.get_or_create(
        activity=activity,
        profession=Profession.PHYSICIAN,
        defaults={"credit_type": "Bench credit", "max_amount": Decimal("1"), "statement": "-"},
    )
    lessons = list(Lesson.objects.for_activity(activity))
    option = Poll.objects.get(activity=activity).options.first()
    questions = list(activity.questions.prefetch_related("choices"))
    right = {q: next(c for c in q.choices.all() if c.is_correct) for q in questions}
    answers = dict.fromkeys(EvaluationQuestion.objects.filter(activity=activity), (5, True, ""))
    timings = {"lesson completed": [], "poll answered": [], "credit claimed": []}
    for n in range(LEARNERS):
        learner = User.objects.create_user(
            email=f"{mode.lower()}-{n}@example.invalid",
            full_name=f"Bench {n}",
            profession=Profession.PHYSICIAN,
        )
        for lesson in lessons:
            timings["lesson completed"].append(
                timed(lesson_complete, learner=learner, lesson=lesson)
            )
        timings["poll answered"].append(timed(poll_answer, learner=learner, option=option))
        knowledge_check_submit(learner=learner, activity=activity, chosen=right)
        evaluation_submit(learner=learner, activity=activity, answers=answers)
        timings["credit claimed"].append(
            timed(
                credit_claim,
                learner=learner,
                activity=activity,
                amount=Decimal("0.5"),
                first_name="Bench",
                last_name=str(n),
            )
        )
    return {write: statistics.median(times) for write, times in timings.items()}


def timed(write, **arguments):
    began = time.perf_counter()
    write(**arguments)
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
