"""Django's EMAIL_BACKEND for the site: a mail is not sent in the request but put in the outbox,
in the request's transaction, and queued for the worker once that commits. If the transaction
rolls back, nothing is sent. The worker sends it with `settings.OUTBOX_EMAIL_BACKEND` (SMTP, or
the console in development)."""

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from .models import Message


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .tasks import deliver  # the queue, once Django is set up

        for email in email_messages:
            html = next(
                (
                    content
                    for content, kind in getattr(email, "alternatives", [])
                    if kind == "text/html"
                ),
                "",
            )
            message = Message.objects.create(
                subject=email.subject,
                body=email.body,
                html=html,
                from_email=email.from_email,
                to=list(email.to),
            )
            transaction.on_commit(lambda pk=message.pk: deliver(pk))
        return len(email_messages)
