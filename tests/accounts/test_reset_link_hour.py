"""A password-reset link works for an hour: a learner who opens it late in that hour can still
choose a new password and log in with it."""

import re

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.html import block_texts

NEW_PASSWORD = "another-quite-unusual-passphrase"


def test_a_link_opened_59_minutes_after_it_was_sent_sets_the_new_password(client, learner):
    with time_machine.travel("2026-11-24 10:00Z", tick=False):
        client.post(reverse("accounts:password_reset"), {"email": learner.email})
    [sent] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", sent.body).group(1)

    with time_machine.travel("2026-11-24 10:59Z", tick=False):
        page = client.get(link, follow=True)
        assert "Choose a new password" in block_texts(page)
        form_url = page.redirect_chain[-1][0]
        data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        done = client.post(form_url, data, follow=True)
    assert "Your password is changed" in block_texts(done)

    logging_in = {"username": learner.email, "password": NEW_PASSWORD}
    response = Client().post(reverse("accounts:login"), logging_in)
    assert response.status_code == 302  # logged in, on to the next page
