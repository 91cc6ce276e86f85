"""Grade passback: a launched learner who passes gets their score in the LMS gradebook, posted by
the real task-queue worker (`manage.py run_huey`, its own process) after the request, with a
token the platform grants only for a client assertion it verifies against the tool's published
key-set; retried when the platform fails; recorded for staff, sent or failed and why.

(The retry waits the first delay of the process that queued the task, this one's 10 seconds:
Huey keeps a task's delay in its message. The test waits for it once.)"""

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from celmod_course.lti.models import ScoreReport, Status
from celmod_course.lti.tasks import send_score
from tests.conftest import answer_sheet, complete, make_learner
from tests.html import block_texts
from tests.lti.conftest import answer_the_welcome, launch, target_of
from tests.lti.platform import AGS, SCORE_SCOPE
from tests.outbox.test_worker import start_worker, wait_for
from tests.test_two_servers import free_port


@pytest.fixture
def worker():
    """The task queue's worker, as `make run` starts it, on an empty queue."""
    HUEY.flush()
    process = start_worker(smtp_port=free_port())
    yield process
    process.terminate()
    process.wait(timeout=10)
    HUEY.flush()


def launched_learner(client, platform, activity, **overrides):
    answer_the_welcome(client, launch(client, platform, target=target_of(activity), **overrides))
    return client.get(activity.get_absolute_url()).context["user"]


@pytest.mark.django_db(transaction=True)
def test_a_launched_learner_who_passes_gets_their_best_score_in_the_lms_gradebook(
    client, live_server, platform, registration, activity, lessons, worker
):
    """The whole way: launch, lessons, a failed and a passing attempt, and the score posted by
    the worker, once again after the platform first answers 500 (the queue's retry)."""
    platform.tool_jwks_url = live_server.url + reverse("lti:jwks")
    platform.refuse_scores = 1
    launched_learner(client, platform, activity)
    for lesson in lessons:
        client.post(reverse("cme:complete", args=[activity.slug, lesson.slug]))
    submit = reverse("cme:submit", args=[activity.slug])
    client.post(submit, answer_sheet(activity, 6))  # failed: no score is sent for it
    assert "Passed" in block_texts(client.post(submit, answer_sheet(activity, 8), follow=True))
    assert wait_for(lambda: platform.scores), "no score reached the platform"
    assert platform.refuse_scores == 0  # the first post was refused, this one is the retry
    [score] = platform.scores
    assert score.pop("timestamp")
    assert score == {
        "userId": "learner-1",
        "scoreGiven": 40.0,  # 8 of 10, out of the column's 50
        "scoreMaximum": 50,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    assert platform.assertions and all(a["verified"] for a in platform.assertions)
    assert platform.assertions[0]["iss"] == platform.client_id
    assert wait_for(lambda: ScoreReport.objects.filter(status=Status.SENT).exists())
    reports = ScoreReport.objects.order_by("happened_at")
    assert [(r.activity_progress, r.status) for r in reports] == [
        ("Submitted", Status.SUPERSEDED),  # the passing attempt, before the completion
        ("Completed", Status.SENT),
    ]
    sent = reports.last()
    assert (sent.score_given, sent.score_maximum, sent.attempts) == (40.0, 50, 2)


def test_the_request_records_the_score_and_leaves_the_sending_to_the_worker(
    client, platform, registration, activity, lessons
):
    launched_learner(client, platform, activity)
    for lesson in lessons:
        client.post(reverse("cme:complete", args=[activity.slug, lesson.slug]))
    client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    assert platform.scores == [] and platform.assertions == []
    assert ScoreReport.objects.filter(status=Status.PENDING).count() == 2


def test_a_learner_no_lms_launched_records_no_score(learner, activity):
    complete(learner, activity)
    assert not ScoreReport.objects.exists()


def test_a_column_the_tool_may_not_read_is_taken_as_out_of_100(
    client, platform, registration, activity
):
    scopes = {"scope": [SCORE_SCOPE], "lineitem": platform.lineitem_url}
    learner = launched_learner(client, platform, activity, **{AGS: scopes})
    platform.tool_jwks = client.get(reverse("lti:jwks")).json()
    complete(learner, activity)
    report = ScoreReport.objects.get(activity_progress="Completed")
    send_score.call_local(report.pk)
    assert platform.lineitem_reads == 0
    assert platform.scores[-1]["scoreGiven"] == 100.0
    assert platform.scores[-1]["scoreMaximum"] == 100


def test_a_score_the_platform_keeps_refusing_is_failed_with_why_for_staff(
    client, platform, registration, activity, staff
):
    complete(launched_learner(client, platform, activity), activity)
    platform.tool_jwks = client.get(reverse("lti:jwks")).json()
    platform.refuse_scores = 1
    report = ScoreReport.objects.get(activity_progress="Completed")
    with pytest.raises(Exception, match="500"):
        send_score.call_local(report.pk)  # its last try: no retries left
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Status.FAILED, 1)
    client.force_login(staff)
    listing = client.get(reverse("admin:lti_scorereport_changelist"), {"status": "failed"})
    assert "Failed: gave up" in " ".join(block_texts(listing))
    page = client.get(reverse("admin:lti_scorereport_change", args=[report.pk]))
    assert "try again later" in page.content.decode()
    delete = reverse("admin:lti_scorereport_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_an_older_score_is_not_sent_after_a_later_one(client, platform, registration, activity):
    complete(launched_learner(client, platform, activity), activity)
    platform.tool_jwks = client.get(reverse("lti:jwks")).json()
    older, later = ScoreReport.objects.order_by("happened_at")
    send_score.call_local(later.pk)
    send_score.call_local(older.pk)
    older.refresh_from_db()
    assert older.status == Status.SUPERSEDED
    assert [score["activityProgress"] for score in platform.scores] == ["Completed"]


def test_a_site_learner_gets_no_report_even_beside_launched_ones(
    client, platform, registration, activity
):
    launched_learner(client, platform, activity)
    complete(make_learner("site@example.org", "Site Learner"), activity)
    assert not ScoreReport.objects.exists()
