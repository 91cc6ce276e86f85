"""Backup and restore (manage.py backup, manage.py restore) on the suite's database engine: a
backup taken while learners write restores into a fresh database with every certificate and
credit claim committed before it began; neither command overwrites by mistake."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from io import StringIO
from itertools import count
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from celmod_course.accounts.models import User
from celmod_course.cme.models import ActivityCompletion, CreditClaim
from celmod_course.cme.services import knowledge_check_submit, lesson_complete
from lessons.models import Lesson, LessonCompletion
from quiz.models import Poll
from quiz.services import poll_answer
from tests.cme.test_credit import IN_CREDIT_PERIOD, claim_form, claim_url, evaluate
from tests.concurrency import client_of
from tests.conftest import complete, make_learner

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 3


def holdings():
    """What the database holds: each certificate with the name it was issued to, its learner's
    name and activity; each claim's amount; the users; and the completions whose lessons it
    lacks (a copy taken table by table at different moments could hold such a completion).
    Run in this process, and through LOOK_UP in a restored database."""
    lessons = Lesson.objects.count()
    completions = ActivityCompletion.objects.values_list(
        "certificate_number", "name", "learner__full_name", "activity__slug", "learner"
    )
    return {
        "certificates": {number: [name, full, slug] for number, name, full, slug, _ in completions},
        "claims": {
            number: str(amount)
            for number, amount in CreditClaim.objects.values_list(
                "evaluation__completion__certificate_number", "amount"
            )
        },
        "users": User.objects.count(),
        "without_their_lessons": sum(
            LessonCompletion.objects.filter(learner=learner).count() < lessons
            for *_, learner in completions
        ),
    }


LOOK_UP = "import json; from tests.web.test_backup import holdings; print(json.dumps(holdings()))"


def manage(*arguments, **env):
    """manage.py in a subprocess, configured by `env` alone (as a staff member would run it)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "SQLITE_PATH", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env={**inherited, "SECRET_KEY": "test-only-secret-key", "ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """The environment that points manage.py at a new, empty database beside the test one."""
    if connection.vendor == "sqlite":
        yield {"SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
        return
    name = f"celmod_restore_{uuid.uuid4().hex[:12]}"
    database = connection.settings_dict
    credentials = quote(database["USER"]) + (
        f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield {
            "DATABASE_URL": f"postgres://{credentials}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{name}"
        }
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def claimed_credit(activity, amounts):
    """Learners who completed the activity, evaluated it and claimed each amount."""
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        for n, amount in enumerate(amounts):
            learner = make_learner(f"claimed{n}@example.org", f"Claiming Learner {n}")
            complete(learner, activity)
            evaluate(learner, activity)
            client_of(learner).post(claim_url(activity), claim_form(amount))


@contextmanager
def learners_writing(activity):
    """Threads, each on its own connection, that keep signing up a learner, completing every
    lesson, passing the knowledge check and answering the poll, until the block ends. Yields
    `wait(n)`: returns once the threads have finished n more learners since the last wait (or
    the start), and fails if they cannot."""
    lessons = list(Lesson.objects.for_activity(activity))
    chosen = {q: q.choices.get(is_correct=True) for q in activity.questions.all()}
    option = Poll.objects.get(activity=activity).options.first()
    finished = [0] * WRITERS
    stop = threading.Event()

    def write(n):
        try:
            for i in count():
                if stop.is_set():
                    return
                learner = make_learner(f"writer{n}.{i}@example.org", f"Writing Learner {n}.{i}")
                for lesson in lessons:
                    lesson_complete(learner=learner, lesson=lesson)
                knowledge_check_submit(learner=learner, activity=activity, chosen=chosen)
                poll_answer(learner=learner, option=option)
                finished[n] += 1
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(write, n) for n in range(WRITERS)]

        mark = 0

        def wait(learners):
            nonlocal mark
            deadline = time.monotonic() + 30
            while sum(finished) - mark < learners:
                assert not any(f.done() for f in futures), "a writer stopped"
                assert time.monotonic() < deadline, f"the writers finished only {finished}"
                time.sleep(0.005)
            mark = sum(finished)

        try:
            yield wait
        finally:
            stop.set()
            for future in futures:
                future.result()  # a writer's error fails the test


def test_a_backup_taken_while_learners_write_restores_every_earlier_certificate_and_claim(
    activity, designation, tmp_path, fresh_database
):
    claimed_credit(activity, ["0.25", "0.5", "1"])
    backup = tmp_path / "backup"

    with learners_writing(activity) as wait:
        wait(WRITERS)  # the writers are in full flow
        before = holdings()  # all committed before the backup begins
        call_command("backup", str(backup), stdout=StringIO())
        wait(WRITERS)  # and go on writing: the backup held no one up
    after = holdings()

    assert len(before["certificates"]) >= 3 + WRITERS
    assert sorted(before["claims"].values()) == ["0.25", "0.50", "1.00"]
    assert len(after["certificates"]) > len(before["certificates"])

    restored = manage("restore", str(backup), **fresh_database)
    assert restored.returncode == 0, restored.stderr
    looked_up = manage("shell", "--no-imports", "-c", LOOK_UP, **fresh_database)
    assert looked_up.returncode == 0, looked_up.stderr
    held = json.loads(looked_up.stdout)

    # Every certificate committed before the backup began, issued to the same learner for the
    # same activity, and every claim with its amount...
    assert before["certificates"].items() <= held["certificates"].items()
    assert held["claims"] == before["claims"]
    # ...and nothing that was never committed, nor a completion without its lessons.
    assert held["certificates"].items() <= after["certificates"].items()
    assert held["without_their_lessons"] == 0
    assert (
        f"It holds {len(held['certificates'])} completions (certificates), 3 credit claims and "
        f"{held['users']} users." in restored.stdout
    )
    assert "migrate --check: nothing to do" in restored.stdout


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path):
    make_learner("kept@example.org")
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    make_learner("after@example.org")

    with pytest.raises(CommandError, match="is not empty: it already holds this site's tables"):
        call_command("restore", str(tmp_path / "backup"))
    assert User.objects.filter(email="after@example.org").exists()

    out = StringIO()
    call_command("restore", str(tmp_path / "backup"), "--force", stdout=out)
    assert list(User.objects.values_list("email", flat=True)) == ["kept@example.org"]
    assert "It holds 0 completions (certificates), 0 credit claims and 1 user." in out.getvalue()


def test_backup_refuses_to_overwrite_a_file_unless_forced(tmp_path):
    existing = tmp_path / "backup"
    existing.write_text("last week's backup")

    with pytest.raises(CommandError, match="already exists; give another name, or --force"):
        call_command("backup", str(existing))
    assert existing.read_text() == "last week's backup"

    out = StringIO()
    call_command("backup", str(existing), "--force", stdout=out)
    assert f"to {existing} ({existing.stat().st_size:,} bytes)." in out.getvalue()
    assert existing.stat().st_size > 10_000


def test_backup_says_why_it_cannot_write_or_read(tmp_path, monkeypatch):
    with pytest.raises(
        CommandError, match=re.escape(f"The folder {tmp_path / 'missing'} does not exist.")
    ):
        call_command("backup", str(tmp_path / "missing" / "backup"))

    if connection.vendor == "sqlite":
        missing, reason = str(tmp_path / "gone.sqlite3"), "The SQLite database .* does not exist."
    else:
        missing, reason = "no_such_database", 'pg_dump failed .*"no_such_database" does not exist'
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", missing)
    with pytest.raises(CommandError, match=reason):
        call_command("backup", str(tmp_path / "backup"))
    assert list(tmp_path.iterdir()) == []  # not even half a backup
