"""Staff see in the admin what the site sent, what waits and what failed, never a mail's body."""

from django.urls import reverse

from celmod_course.outbox.models import Message, Status
from tests.html import block_texts


def test_staff_see_a_failed_mail_with_its_error_but_not_its_body(staff_client):
    failed = Message.objects.create(
        subject="Reset your password for CME activities",
        body="",
        from_email="no-reply@localhost",
        to=["jane@example.org"],
        status=Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: jane@example.org",
    )
    Message.objects.create(
        subject="Open your account", body="https://x/accounts/signup/open/SECRET/",
        from_email="no-reply@localhost", to=["new@example.org"],
    )  # fmt: skip
    listing = staff_client.get(reverse("admin:outbox_message_changelist"), {"status": "failed"})
    text = " ".join(block_texts(listing))
    assert "Reset your password for CME activities" in text and "Failed: gave up" in text
    assert "Open your account" not in text
    page = staff_client.get(reverse("admin:outbox_message_change", args=[failed.pk]))
    assert "SMTPRecipientsRefused" in page.content.decode()
    waiting = Message.objects.get(status=Status.PENDING)
    page = staff_client.get(reverse("admin:outbox_message_change", args=[waiting.pk]))
    assert "SECRET" not in page.content.decode()
    assert (
        staff_client.post(
            reverse("admin:outbox_message_delete", args=[failed.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_learners_cannot_read_the_outbox(learner_client):
    response = learner_client.get(reverse("admin:outbox_message_changelist"))
    assert response.status_code == 302
