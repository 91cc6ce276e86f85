"""The worker's side of grade passback: post a score, retrying with back-off; start again what
was lost; sweep expired launch data. Like the outbox's mail (celmod_course.outbox.tasks); see
docs/lti.md."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from celmod_course.outbox.tasks import error_text, is_last_try, record_try

from .grades import post_score
from .models import LaunchData, ScoreReport, Status

log = logging.getLogger(__name__)

RETRIES = 5  # then the report is marked failed, and staff see it in the admin
RETRY_BACKOFF = 3  # each wait three times the one before: 10, 30, 90, 270, 810 seconds


@db_task(
    retries=RETRIES,
    retry_delay=settings.QUEUE_RETRY_SECONDS,
    retry_backoff=RETRY_BACKOFF,
    context=True,
)
def send_score(report_id, task=None):
    """Post one score report once; a failure raises, for the queue to retry."""
    report = (
        ScoreReport.objects.select_related(
            "placement__identity", "placement__deployment__registration"
        )
        .filter(pk=report_id, status=Status.PENDING)
        .first()
    )
    if report is None:
        return  # sent already, given up, or its learner's account deleted
    if report.is_superseded():
        ScoreReport.objects.filter(pk=report_id).update(status=Status.SUPERSEDED)
        return
    try:
        given, maximum = post_score(report)
    except Exception as error:
        last = is_last_try(task)
        record_try(
            ScoreReport.objects.filter(pk=report_id),
            last_error=error_text(error),
            status=Status.FAILED if last else Status.PENDING,
        )
        if last:
            log.error("Gave up sending score report %s: %s", report_id, type(error).__name__)
        raise
    record_try(
        ScoreReport.objects.filter(pk=report_id),
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        score_given=given,
        score_maximum=maximum,
    )


@db_periodic_task(crontab(minute="*/5"))
def send_stuck_scores():
    """Queue again what waits longer than its retries would take."""
    stuck = ScoreReport.objects.stuck(older_than=timedelta(minutes=30))
    for report_id in stuck.values_list("pk", flat=True):
        send_score(report_id)


@db_periodic_task(crontab(minute="17"))
def forget_expired_launches():
    """Remove the nonces, states and launches whose hour has passed."""
    LaunchData.objects.expired().delete()
