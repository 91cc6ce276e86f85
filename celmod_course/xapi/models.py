"""The learning records the site sends to the provider's LRS, kept until sent: each xAPI statement
is recorded in the transaction of what it reports (`receivers`) and sent by the task queue's
worker after that commits (`tasks`), with retries, under its own id, so that sending it again
never makes a second one in the LRS."""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from lessons.models import Activity
from quiz.models import Attempt

from .statements import knowledge_check_object


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: sent again every 30 minutes"
    REFUSED = "refused", "Refused by the LRS: not sent again"


class StatementQuerySet(models.QuerySet):
    def record(self, draft):
        """Keep the statement of `draft` (a `statements.Draft`) under an id of its own, and queue
        its sending for when the caller's transaction commits; if that rolls back, neither is
        kept."""
        from .tasks import send  # the queue, once Django is set up

        statement_id = uuid.uuid4()
        row = self.create(
            id=statement_id,
            learner_id=draft.learner_id,
            verb=draft.statement["verb"]["display"]["en-US"],
            summary=draft.summary[:300],
            timestamp=draft.timestamp,
            body={"id": str(statement_id), **draft.statement},
        )
        # robust: a queue that cannot be reached fails no request; the periodic round sends it.
        transaction.on_commit(lambda: send(statement_id), robust=True)
        return row

    def stuck(self, *, older_than):
        """Statements not sent `older_than` (a timedelta) after their last try, or after being
        recorded if never tried: given up on by their retries (an LRS down for long), or lost
        with a queue. Each is sent again; none is dropped."""
        return (
            self.filter(
                status__in=[Status.PENDING, Status.FAILED],
            )
            .alias(last=Coalesce("tried_at", "created_at"))
            .filter(last__lt=timezone.now() - older_than)
        )

    def about(self, learner):
        """The statements about the learner, in the order things happened, with whether each
        reached the LRS: what their data download holds. Until they pass an activity's
        knowledge check, their answers' statements there do not say which were right."""
        passed = Attempt.objects.activities_passed(learner)
        unpassed = {
            knowledge_check_object(activity)["id"]
            for activity in Activity.objects.filter(attempts__learner=learner).exclude(
                pk__in=passed
            )
        }
        return [
            {"sent_at": row.sent_at, "statement": _unmarked(row.body, unpassed)}
            for row in self.filter(learner=learner).order_by("timestamp", "created_at")
        ]


class Statement(models.Model):
    """One xAPI statement about one learner. Its actor is their pseudonym, never their name or
    email; `id` is the statement's own id, the one the LRS stores it under."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_statements"
    )
    verb = models.CharField(max_length=20)
    summary = models.CharField(max_length=300, help_text="What the statement is about.")
    timestamp = models.DateTimeField(help_text="When it happened.")
    body = models.JSONField(help_text="The statement as the LRS receives it.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField("recorded at", default=timezone.now)
    tried_at = models.DateTimeField("last tried at", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="xapi_statement_status_valid",
                violation_error_message="A statement is waiting, sent, failed or refused.",
            )
        ]

    def __str__(self):
        return f"{self.verb} {self.summary}"


def _unmarked(statement, knowledge_checks):
    """The statement without its `success` when it answers a question of one of these
    knowledge checks (whose ids are given)."""
    parents = statement.get("context", {}).get("contextActivities", {}).get("parent", [])
    if not any(parent.get("id") in knowledge_checks for parent in parents):
        return statement
    result = {k: v for k, v in statement.get("result", {}).items() if k != "success"}
    return {**statement, "result": result}
