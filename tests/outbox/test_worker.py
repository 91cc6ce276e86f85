"""Mail leaves through the outbox and the real task-queue worker (`manage.py run_huey`, started
here as its own process), never inside the request: a reset mail reaches a real SMTP server
(aiosmtpd) through the worker, is sent again when the server first refuses it, and the request
takes the same time whether or not the address has an account."""

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from celmod_course.outbox.models import Message, Status
from tests.accounts.test_password_reset import Inbox, ask_for_reset, said
from tests.conftest import make_learner
from tests.test_two_servers import database_env, free_port

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


class RefusingFirst(Inbox):
    """Answers "try again later" to the first message, then takes them."""

    refused = 0

    async def handle_DATA(self, server, session, envelope):
        if not self.refused:
            self.refused += 1
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


class Slow(Inbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.4)
        return await super().handle_DATA(server, session, envelope)


def smtp_server(handler):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def outbox(settings):
    """The site's own mail backend (the test runner swaps in one that keeps mail in memory),
    and an empty queue."""
    settings.EMAIL_BACKEND = "celmod_course.outbox.mail.OutboxBackend"
    HUEY.flush()
    yield
    HUEY.flush()


def start_worker(smtp_port=None, workers=1, **environment):
    """The real worker (`manage.py run_huey`) on the test database, sending mail to the SMTP
    server on `smtp_port`, with these environment variables besides."""
    env = {
        **os.environ,
        **database_env(),
        "SECRET_KEY": settings.SECRET_KEY,
        "ENV_FILE": "",
        "DEBUG": "0",
        "REDIS_URL": "",
        "QUEUE_PATH": str(settings.QUEUE_PATH),
        "QUEUE_RETRY_SECONDS": "1",
        "CONN_MAX_AGE": "0",
        **({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)} if smtp_port else {}),
        **environment,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", str(workers), "--delay", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker_and_smtp(request, outbox):
    handler = request.param()
    controller, port = smtp_server(handler)
    worker = start_worker(port)
    yield handler
    worker.terminate()
    worker.wait(timeout=10)
    controller.stop()


@pytest.mark.parametrize("worker_and_smtp", [Inbox], indirect=True)
def test_a_reset_mail_arrives_through_the_worker(client, learner, worker_and_smtp):
    assert said(ask_for_reset(client, learner.email))
    assert wait_for(lambda: worker_and_smtp.messages), "no mail reached the SMTP server"
    [(recipients, message)] = worker_and_smtp.messages
    assert recipients == [learner.email]
    assert message["Subject"] == "Reset your password for CME activities"
    assert wait_for(lambda: Message.objects.get().status == Status.SENT)
    sent = Message.objects.get()
    assert (sent.attempts, sent.body) == (1, "")  # a sent message keeps no reset link


@pytest.mark.parametrize("worker_and_smtp", [RefusingFirst], indirect=True)
def test_a_mail_the_smtp_server_first_refuses_is_sent_again(client, learner, worker_and_smtp):
    ask_for_reset(client, learner.email)
    assert wait_for(lambda: worker_and_smtp.messages), "the mail was not sent again"
    assert worker_and_smtp.refused == 1
    assert wait_for(lambda: Message.objects.get().status == Status.SENT)
    assert Message.objects.get().attempts == 2


def ask_for_a_reset(client, email, address):
    response = client.post(
        reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True
    )
    assert said(response)


def sign_up(client, email, address):
    passphrase = "a-long-and-unusual-passphrase"
    data = {"email": email, "full_name": "Timed Learner", "profession": "nurse"}
    response = client.post(
        reverse("accounts:signup"),
        data | {"password1": passphrase, "password2": passphrase},
        REMOTE_ADDR=address,
    )
    assert response["Location"] == reverse("accounts:signup_sent")


@pytest.mark.parametrize(("ask", "mails"), [(ask_for_a_reset, 9), (sign_up, 19)])
def test_the_answer_takes_the_same_time_whether_or_not_the_address_has_an_account(
    client, db, outbox, settings, ask, mails
):
    """With an SMTP server that takes 0.4 s, asked from addresses of their own (the limit per
    client address): the mail is queued either way, never sent in the request."""
    controller, port = smtp_server(Slow())
    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    def timed(email, address):
        began = time.perf_counter()
        ask(client, email, address)
        return time.perf_counter() - began

    try:
        learners = [make_learner(f"known{n}@example.org", f"Known {n}") for n in range(9)]
        timed("warm-up@example.org", "10.0.1.1")
        known, unknown = [], []
        for n, learner in enumerate(learners):  # in turn, so that neither runs warmer
            known.append(timed(learner.email, f"10.0.2.{n}"))
            unknown.append(timed(f"unknown{n}@example.org", f"10.0.3.{n}"))
    finally:
        controller.stop()
    difference = statistics.median(known) - statistics.median(unknown)
    assert abs(difference) < 0.02, (known, unknown)
    assert Message.objects.count() == mails  # queued, none sent in the request
