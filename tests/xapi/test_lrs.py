"""Statements reach a real LRS (ralph, tests/xapi/lrs.py) through the real task-queue worker
(`manage.py run_huey`, its own process), and are read back through the LRS's statements API: a
learner's whole journey arrives as valid xAPI; a statement sent again after a lost answer is
stored once; none is lost while the LRS is down, nor when the retries give up; a statement the
LRS refuses is kept with its reason and not sent again."""

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from celmod_course.cme.exports import pseudonym
from celmod_course.xapi.models import Statement, Status
from celmod_course.xapi.tasks import send, send_stuck
from tests.cme.test_credit import EVALUATION, IN_CREDIT_PERIOD, claim_form, claim_url
from tests.conftest import answer_sheet, unavailable
from tests.outbox.test_worker import start_worker
from tests.xapi.lrs import LRS, PASSWORD, USERNAME, LosingProxy, installed, invalid

ROOT = settings.BASE_DIR
SITE = "https://cme.example.org"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    if not installed():
        unavailable(
            "ralph's LRS is not installed in .lrs-venv (`make test` builds it)", "REQUIRE_LRS"
        )
    lrs = LRS(tmp_path_factory.mktemp("lrs"))
    lrs.start()
    yield lrs
    if lrs.process.poll() is None:
        lrs.stop()


@pytest.fixture
def lrs(ralph, settings, monkeypatch):
    """The LRS, empty and running; the site set to record statements; an empty queue."""
    if ralph.process.poll() is not None:
        ralph.start()
    ralph.clear()
    settings.XAPI_ENDPOINT, settings.SITE_URL = ralph.endpoint, SITE
    # A queued task carries its first retry's wait from the process that queued it (this one,
    # at the requests' commit), as the worker's QUEUE_RETRY_SECONDS does for those it queues.
    monkeypatch.setattr(send.task_class, "default_retry_delay", 1)
    HUEY.flush()
    yield ralph
    HUEY.flush()


@pytest.fixture
def worker():
    """Starts the real worker, sending to `endpoint`; stops it after the test."""
    processes = []

    def start(endpoint):
        processes.append(
            start_worker(
                workers=2,
                SITE_URL=SITE,
                XAPI_ENDPOINT=endpoint,
                XAPI_USERNAME=USERNAME,
                XAPI_PASSWORD=PASSWORD,
            )
        )

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def all_sent(count):
    return lambda: Statement.objects.filter(status=Status.SENT).count() == count


def complete_lesson(client, lesson):
    page = client.get(lesson.get_absolute_url()).content.decode()
    opened = re.search(r'name="opened" value="([^"]*)"', page).group(1)
    complete = reverse("cme:complete", args=[lesson.activity.slug, lesson.slug])
    client.post(complete, {"opened": opened})


def vote(client, poll, value):
    client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": poll.options.get(value=value).pk})


def take_knowledge_check(client, activity, right):
    page = client.get(reverse("cme:knowledge_check", args=[activity.slug])).content.decode()
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    sheet = answer_sheet(activity, right=right) | {"started": started}
    client.post(reverse("cme:submit", args=[activity.slug]), sheet)


def test_a_learners_whole_journey_reaches_the_lrs_as_valid_statements(
    lrs, worker, learner, learner_client, activity, lessons, designation
):
    worker(lrs.endpoint)
    with time_machine.travel(IN_CREDIT_PERIOD):  # credit is claimed before the expiry
        for lesson in lessons:
            complete_lesson(learner_client, lesson)
        vote(learner_client, activity.polls.get(), 4)
        take_knowledge_check(learner_client, activity, right=3)
        take_knowledge_check(learner_client, activity, right=10)
        learner_client.post(reverse("cme:submit_evaluation", args=[activity.slug]), EVALUATION)
        learner_client.post(claim_url(activity), claim_form("0.75"))

    assert wait_for(all_sent(33)), Counter(Statement.objects.values_list("status", "last_error"))
    stored = lrs.statements()
    assert sorted(s["id"] for s in stored) == sorted(
        str(pk) for pk in Statement.objects.values_list("pk", flat=True)
    )
    assert invalid(stored) == []
    verbs = Counter(s["verb"]["display"]["en-US"] for s in stored)
    assert verbs == {
        "completed": 5,
        "progressed": 4,
        "answered": 21,
        "failed": 1,
        "passed": 1,
        "earned": 1,
    }
    assert {s["actor"]["account"]["name"] for s in stored} == {pseudonym(learner.pk)}
    progress = sorted(
        s["result"]["extensions"]["https://w3id.org/xapi/cmi5/result/extensions/progress"]
        for s in stored
        if s["verb"]["display"]["en-US"] == "progressed"
    )
    assert progress == [25, 50, 75, 100]
    [earned] = [s for s in stored if s["verb"]["display"]["en-US"] == "earned"]
    assert earned["result"]["extensions"][f"{SITE}/xapi/extensions/credit"] == {
        "type": designation.credit_type,
        "amount": "0.75",
    }
    [failed] = [s for s in stored if s["verb"]["display"]["en-US"] == "failed"]
    assert failed["result"]["score"] == {"scaled": 0.3, "raw": 3, "min": 0, "max": 10}
    assert all(s["timestamp"].startswith("2025-10-01") for s in stored)


def test_a_statement_sent_again_after_a_lost_answer_is_stored_once(
    lrs, worker, learner_client, activity, lessons
):
    proxy = LosingProxy(lrs.port)
    try:
        worker(proxy.endpoint)
        complete_lesson(learner_client, lessons[0])
        vote(learner_client, activity.polls.get(), 2)
        assert wait_for(all_sent(3))
    finally:
        proxy.close()
    assert sorted(proxy.puts.values()) == [2, 2, 2]  # each sent again after its lost answer
    assert set(Statement.objects.values_list("attempts", flat=True)) == {2}
    stored = [s["id"] for s in lrs.statements()]
    assert sorted(stored) == sorted(proxy.puts)  # each once


def test_nothing_is_lost_while_the_lrs_is_down(lrs, worker, learner_client, lessons):
    worker(lrs.endpoint)
    complete_lesson(learner_client, lessons[0])
    assert wait_for(all_sent(2))
    lrs.stop()
    complete_lesson(learner_client, lessons[1])
    assert wait_for(
        lambda: Statement.objects.filter(attempts__gte=1, status=Status.PENDING).count() == 2
    )
    waiting = Statement.objects.filter(status=Status.PENDING).first()
    assert "Connection refused" in waiting.last_error
    lrs.start()
    assert wait_for(all_sent(4))
    assert len(lrs.statements()) == 4  # the two from before it stopped, and the two since


def test_what_the_retries_gave_up_on_is_sent_by_the_periodic_round(
    lrs, worker, learner_client, lessons
):
    complete_lesson(learner_client, lessons[0])  # no worker yet
    HUEY.flush()  # and the queue lost with it
    long_ago = timezone.now() - timedelta(minutes=31)
    given_up, lost = Statement.objects.all()
    Statement.objects.filter(pk=given_up.pk).update(
        status=Status.FAILED, attempts=6, tried_at=long_ago, last_error="URLError: refused"
    )
    Statement.objects.filter(pk=lost.pk).update(created_at=long_ago)
    worker(lrs.endpoint)
    send_stuck()  # what the worker runs every 5 minutes
    assert wait_for(all_sent(2))
    # Each once, even if the worker's own round (at a minute divisible by 5) sent it too.
    assert sorted(s["id"] for s in lrs.statements()) == sorted([str(given_up.pk), str(lost.pk)])
    assert Statement.objects.get(pk=given_up.pk).last_error == ""


def test_a_statement_the_lrs_refuses_is_kept_with_its_reason_and_not_sent_again(
    lrs, worker, learner_client, lessons
):
    complete_lesson(learner_client, lessons[0])  # queued; no worker yet
    refused = Statement.objects.get(verb="completed")
    assert lrs.put({**refused.body, "timestamp": "2020-01-01T00:00:00+00:00"}) == 204
    worker(lrs.endpoint)
    assert wait_for(all_sent(1))
    assert wait_for(lambda: Statement.objects.get(pk=refused.pk).status == Status.REFUSED)
    time.sleep(2.5)  # past the first retry's wait
    refused = Statement.objects.get(pk=refused.pk)
    assert refused.attempts == 1
    assert refused.last_error.startswith("HTTP 409")
