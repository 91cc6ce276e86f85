"""The worker's side of the learning records: send a statement to the LRS, retrying with
back-off, and send again, every 30 minutes, whatever is still not sent (docs/xapi.md).

A statement is sent with `PUT statements?statementId=<its id>`: sending it again (a retry after
an answer that was lost, a second worker) stores nothing new, as the LRS keeps one statement per
id. An LRS that cannot be reached, or answers with an error of its own, is tried again until it
takes the statement, however long it is down; only a statement the LRS refuses as such (400,
409, 413, 422) is given up, and staff see it in the admin with the LRS's reason.
"""

import base64
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from celmod_course.outbox.tasks import error_text, is_last_try, record_try

from .models import Statement, Status

log = logging.getLogger(__name__)

RETRIES = 5  # then it waits for the periodic round (`send_stuck`)
RETRY_BACKOFF = 3  # each wait three times the one before: 10, 30, 90, 270, 810 seconds
TIMEOUT_SECONDS = 10
STUCK_AFTER = timedelta(minutes=30)  # longer than the longest wait between retries
# Answers about the statement itself: the same statement would get the same answer again.
REFUSED = {400, 409, 413, 422}


class RefusedByLRS(Exception):
    pass


def put(statement):
    """Send one statement to the LRS; raise on anything but success."""
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"}
    if settings.XAPI_USERNAME:
        credentials = f"{settings.XAPI_USERNAME}:{settings.XAPI_PASSWORD}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    request = urllib.request.Request(
        f"{settings.XAPI_ENDPOINT}/statements?statementId={statement.pk}",
        data=json.dumps(statement.body).encode(),
        method="PUT",
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
            pass
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code} {error.reason}: {error.read(500).decode(errors='replace')}"
        raise (RefusedByLRS if error.code in REFUSED else ConnectionError)(reason) from None


def _tried(statement_id, **fields):
    record_try(Statement.objects.filter(pk=statement_id), tried_at=timezone.now(), **fields)


@db_task(
    retries=RETRIES,
    retry_delay=settings.QUEUE_RETRY_SECONDS,
    retry_backoff=RETRY_BACKOFF,
    context=True,
)
def send(statement_id, task=None):
    """Send one statement once; a failure raises, for the queue to retry."""
    statement = Statement.objects.filter(
        pk=statement_id, status__in=[Status.PENDING, Status.FAILED]
    ).first()
    if statement is None or not settings.XAPI_ENDPOINT:
        return  # sent already, or refused; or the LRS no longer configured: kept for later
    try:
        put(statement)
    except RefusedByLRS as refusal:
        _tried(statement_id, status=Status.REFUSED, last_error=str(refusal)[:1000])
        log.error("The LRS refused statement %s", statement_id)
        return
    except Exception as error:
        last = is_last_try(task)
        _tried(
            statement_id,
            status=Status.FAILED if last else Status.PENDING,
            last_error=error_text(error),
        )
        if last:
            log.warning("Statement %s not sent; it is sent again later", statement_id)
        raise
    _tried(statement_id, status=Status.SENT, sent_at=timezone.now(), last_error="")


@db_periodic_task(crontab(minute="*/5"))
def send_stuck():
    """Send again what its retries gave up on, or a lost queue dropped."""
    for statement_id in Statement.objects.stuck(older_than=STUCK_AFTER).values_list(
        "pk", flat=True
    ):
        send(statement_id)


__all__ = ["HUEY", "send", "send_stuck"]
