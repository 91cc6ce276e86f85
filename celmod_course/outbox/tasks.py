"""The worker's side of the outbox: send a message, retrying with back-off; start again what was
lost. `make run` starts the worker (`manage.py run_huey`); see docs/operations.md."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .models import Message, Status

log = logging.getLogger(__name__)

RETRIES = 5  # then the message is marked failed, and staff see it in the admin
RETRY_BACKOFF = 3  # each wait three times the one before: 10, 30, 90, 270, 810 seconds


def record_try(rows, **fields):
    """Count one more try of these outbox rows (a mail here; a score or a statement in the apps
    that send them), with what it left: its status, its error."""
    return rows.update(attempts=F("attempts") + 1, **fields)


def is_last_try(task):
    """Whether this run is the queue's last retry (or a call outside the queue)."""
    return task is None or task.retries == 0


def error_text(error):
    """A failure as staff read it: its kind and message."""
    return f"{type(error).__name__}: {error}"[:1000]


@db_task(
    retries=RETRIES,
    retry_delay=settings.QUEUE_RETRY_SECONDS,
    retry_backoff=RETRY_BACKOFF,
    context=True,
)
def deliver(message_id, task=None):
    """Send one message of the outbox once; a failure raises, for the queue to retry."""
    message = Message.objects.filter(pk=message_id, status=Status.PENDING).first()
    if message is None:
        return  # sent already, or given up
    email = EmailMultiAlternatives(
        message.subject,
        message.body,
        message.from_email,
        message.to,
        connection=get_connection(settings.OUTBOX_EMAIL_BACKEND),
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except Exception as error:
        last = is_last_try(task)
        record_try(
            Message.objects.filter(pk=message_id),
            last_error=error_text(error),
            status=Status.FAILED if last else Status.PENDING,
            **({"body": "", "html": ""} if last else {}),
        )
        if last:
            log.error("Gave up sending message %s: %s", message_id, type(error).__name__)
        raise
    # A sent message keeps no body: the links in it (a password reset) are secrets.
    record_try(
        Message.objects.filter(pk=message_id),
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        body="",
        html="",
    )


@db_periodic_task(crontab(minute="*/5"))
def send_stuck():
    """Queue again what waits longer than its retries would take."""
    for message_id in Message.objects.stuck(older_than=timedelta(minutes=30)).values_list(
        "pk", flat=True
    ):
        deliver(message_id)


__all__ = ["HUEY", "deliver", "error_text", "is_last_try", "record_try", "send_stuck"]
