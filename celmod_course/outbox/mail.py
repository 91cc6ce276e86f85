"""Django's EMAIL_BACKEND for the site: a mail is not sent in the request but put in the outbox,
in the request's transaction, and queued for the worker once that commits. If the transaction
rolls back, nothing is sent. The worker sends it with `settings.OUTBOX_EMAIL_BACKEND` (SMTP, or
the console in development).

Addresses under the `.invalid` top-level domain, which RFC 2606 reserves so that none is ever
delivered, stand for "no address" here (a learner whose LMS shared none, a deleted account, a
synthetic learner): the outbox never tries to send to one, and a mail to nobody else is not
recorded at all."""

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from .models import Message

UNDELIVERABLE_DOMAIN = ".invalid"


def undeliverable(address):
    """Whether `address` is one that stands for no address (under `.invalid`)."""
    return address.strip().rstrip(">").lower().endswith(UNDELIVERABLE_DOMAIN)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .tasks import deliver  # the queue, once Django is set up

        recorded = 0
        for email in email_messages:
            to = [address for address in email.to if not undeliverable(address)]
            if not to:
                continue
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
                to=to,
            )
            transaction.on_commit(lambda pk=message.pk: deliver(pk))
            recorded += 1
        return recorded
