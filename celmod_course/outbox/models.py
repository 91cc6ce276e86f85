"""What the site sends out, kept until it is sent: recorded in the transaction that causes it,
sent by the task queue's worker after that commits (`tasks`), with retries."""

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: gave up"


class MessageQuerySet(models.QuerySet):
    def stuck(self, *, older_than):
        """Messages still waiting after `older_than` (a timedelta): their sending was lost (a
        worker stopped mid-way, a queue emptied) and is started again."""
        return self.filter(status=Status.PENDING, created_at__lt=timezone.now() - older_than)


class Message(models.Model):
    """One email to send. Staff see in the admin what was sent, what waits and what failed."""

    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    from_email = models.CharField(max_length=255)
    to = models.JSONField(help_text="The recipients' addresses.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="outbox_message_status_valid",
                violation_error_message="A message is waiting, sent or failed.",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
