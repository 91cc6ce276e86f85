"""A forgotten password is reset by email: a one-time link that expires, sent through SMTP."""

import re
import socket
from email import message_from_bytes

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_learner
from tests.html import block_texts, text_of_id

NEW_PASSWORD = "another-quite-unusual-passphrase"
SAME_PAGE = (
    "If an account uses that address, we have sent it a link to choose a new password. The link "
    "works once, for an hour."
)


class Inbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on this machine, and the site set to send through it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def said(response):
    return any(block.startswith(SAME_PAGE) for block in block_texts(response))


def reset_link(body):
    return re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+)", body).group(1)


def ask_for_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)


def test_the_reset_mail_goes_through_smtp_and_its_link_works_once(client, learner, smtp):
    response = ask_for_reset(client, "LEARNER@example.org")
    assert said(response)
    [(recipients, message)] = smtp.messages
    assert recipients == [learner.email]
    assert message["Subject"] == "Reset your password for CME activities"
    link = reset_link(message.get_payload())

    page = client.get(link, follow=True)
    assert "Choose a new password" in block_texts(page)
    form_url = page.redirect_chain[-1][0]
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    done = client.post(form_url, data, follow=True)
    assert "Your password is changed" in block_texts(done)
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert "This link no longer works" in block_texts(again)


def test_a_weak_new_password_is_refused_under_the_new_password_field(client, learner):
    ask_for_reset(client, learner.email)
    form_url = client.get(reset_link(mail.outbox[0].body), follow=True).redirect_chain[-1][0]
    data = {"new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"}
    html = client.post(form_url, data).content.decode()
    under_password = text_of_id(html, "id_new_password1_error")
    assert under_password.startswith("This password is too easy to guess.")
    assert under_password.endswith("Enter a new password in both fields.")
    assert text_of_id(html, "id_new_password2_error") is None
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_the_page_says_the_same_whether_or_not_the_email_has_an_account(client, learner):
    known = block_texts(ask_for_reset(client, learner.email))
    unknown = block_texts(ask_for_reset(client, "nobody@example.org"))
    assert known == unknown
    assert any(block.startswith(SAME_PAGE) for block in known)
    assert len(mail.outbox) == 1


def test_the_link_expires_after_an_hour(client, learner):
    with time_machine.travel("2026-11-24 10:00Z", tick=False):
        ask_for_reset(client, learner.email)
    link = reset_link(mail.outbox[0].body)
    with time_machine.travel("2026-11-24 11:01Z", tick=False):
        assert "This link no longer works" in block_texts(client.get(link, follow=True))
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_requests_are_throttled_per_email_quietly_and_per_address_plainly(client, learner):
    for _ in range(5):
        assert said(ask_for_reset(client, learner.email))
    assert len(mail.outbox) == 3  # three an hour for one email address, then none
    for n in range(5):
        ask_for_reset(client, f"other{n}@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "x@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in block_texts(response)


def test_the_log_in_page_links_to_the_reset(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:password_reset")}">Forgot your password?' in html


def test_a_learner_without_a_usable_password_gets_no_mail(client, db):
    make_learner("nopass@example.org", "No Pass").set_unusable_password()
    ask_for_reset(client, "nopass@example.org")
    assert len(mail.outbox) <= 1
