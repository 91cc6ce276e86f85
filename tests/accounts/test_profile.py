"""A learner keeps their account right: name, profession and email, the last confirmed by a
link sent to the new address."""

import re

import time_machine
from django.core import mail
from django.urls import reverse

from celmod_course.accounts.models import Profession, User
from tests.concurrency import client_of
from tests.conftest import PASSWORD, complete, make_learner
from tests.html import block_texts

PROFILE = {
    "full_name": "Jane Q. Doe, MD",
    "profession": "physician",
    "email": "learner@example.org",
}


def test_name_and_profession_change_at_once_and_issued_certificates_keep_theirs(
    learner_client, learner, activity
):
    completion = complete(learner, activity)
    data = PROFILE | {"profession": Profession.NURSE}
    response = learner_client.post(reverse("accounts:profile"), data, follow=True)
    assert "Your profile is saved." in block_texts(response)
    assert "Signed in as Jane Q. Doe, MD" in block_texts(response)
    learner.refresh_from_db()
    assert (learner.full_name, learner.profession) == ("Jane Q. Doe, MD", Profession.NURSE)
    assert "Jane Doe, MD" in block_texts(learner_client.get(completion.get_absolute_url()))
    verify = reverse("cme:verify", args=[completion.certificate_number])
    assert "Jane Doe, MD" in block_texts(client_of(make_learner("x@example.org", "X")).get(verify))
    assert not mail.outbox


def test_a_new_email_changes_only_once_its_link_is_opened_and_confirmed(learner_client, learner):
    response = learner_client.post(
        reverse("accounts:profile"),
        PROFILE | {"email": "New@Example.org", "current_password": PASSWORD},
        follow=True,
    )
    assert (
        "We sent a link to new@example.org: your email address changes when you open it. Until "
        "then it stays learner@example.org; the rest of your profile is saved."
        in block_texts(response)
    )
    assert "Your profile is saved." not in block_texts(response)
    learner.refresh_from_db()
    assert learner.email == "learner@example.org"
    message, notice = mail.outbox
    assert message.to == ["new@example.org"]
    assert notice.to == ["learner@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+)", message.body).group(1)

    page = learner_client.get(link)
    assert "Your email address will become new@example.org; you will log in with it." in (
        block_texts(page)
    )
    learner.refresh_from_db()
    assert learner.email == "learner@example.org"  # GET changes nothing
    done = learner_client.post(link, follow=True)
    assert "Your email address is now new@example.org." in block_texts(done)
    learner.refresh_from_db()
    assert learner.email == "new@example.org"
    again = learner_client.post(link)
    assert again.status_code == 404  # the link worked once


def test_an_email_change_link_expires_and_belongs_to_its_account(client, learner):
    client.force_login(learner)
    with time_machine.travel("2026-11-24 10:00Z", tick=False):
        client.post(
            reverse("accounts:profile"),
            PROFILE | {"email": "new@example.org", "current_password": PASSWORD},
        )
    link = re.search(r"(/accounts/email/confirm/\S+)", mail.outbox[0].body).group(1)
    other = make_learner("other@example.org", "Other")
    assert client_of(other).get(link).status_code == 404
    with time_machine.travel("2026-11-25 10:01Z", tick=False):
        client.force_login(learner)
        assert "This link no longer works" in block_texts(client.get(link))
    assert User.objects.filter(email="new@example.org").count() == 0


def test_an_email_another_account_uses_is_refused(learner_client, learner):
    make_learner("taken@example.org", "Taken")
    response = learner_client.post(
        reverse("accounts:profile"), PROFILE | {"email": "taken@example.org"}
    )
    assert response.status_code == 200
    assert "Another account uses this email address." in " ".join(block_texts(response))
    assert not mail.outbox


def test_invisible_or_reversed_names_are_refused(learner_client, learner):
    for name, message in [
        ("\u200b\u00ad\ufeff", "This text has nothing visible in it."),
        ("\u202eDM ecilA", "Remove the invisible direction marks from this text"),
    ]:
        response = learner_client.post(reverse("accounts:profile"), PROFILE | {"full_name": name})
        assert response.status_code == 200
        assert message in " ".join(block_texts(response))
    learner.refresh_from_db()
    assert learner.full_name == "Jane Doe, MD"


def test_the_profile_needs_an_account(client):
    response = client.get(reverse("accounts:profile"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_new_email_needs_the_current_password(learner_client, learner):
    for password in ("", "not-my-password"):
        response = learner_client.post(
            reverse("accounts:profile"),
            PROFILE | {"email": "thief@example.net", "current_password": password},
        )
        assert response.status_code == 200
        assert "Type your current password to change your email address." in " ".join(
            block_texts(response)
        )
    assert not mail.outbox
    learner.refresh_from_db()
    assert learner.email == "learner@example.org"


def test_wrong_current_passwords_on_the_profile_count_toward_the_lockout(learner_client, learner):
    for _ in range(5):
        learner_client.post(
            reverse("accounts:profile"),
            PROFILE | {"email": "thief@example.net", "current_password": "guess"},
        )
    response = learner_client.post(
        reverse("accounts:profile"),
        PROFILE | {"email": "thief@example.net", "current_password": PASSWORD},
    )
    assert response.status_code == 429
    assert not mail.outbox


def test_the_old_address_is_told_and_no_mail_to_the_new_one_repeats_what_was_typed(
    learner_client, learner
):
    learner_client.post(
        reverse("accounts:profile"),
        PROFILE
        | {
            "full_name": "Prize desk: claim your refund at evil.example/pay",
            "email": "victim@example.net",
            "current_password": PASSWORD,
        },
    )
    to_new = [m for m in mail.outbox if m.to == ["victim@example.net"]]
    to_old = [m for m in mail.outbox if m.to == ["learner@example.org"]]
    assert len(to_new) == 1 and len(to_old) == 1
    assert "Prize desk" not in to_new[0].subject + to_new[0].body
    assert "evil.example" not in to_new[0].body
    assert "asked to change its email address" in to_old[0].body
    assert "/accounts/reset/" in to_old[0].body


def test_email_changes_are_limited_per_account_and_per_new_address(learner_client, learner):
    for n in range(5):
        learner_client.post(
            reverse("accounts:profile"),
            PROFILE | {"email": f"new{n}@example.org", "current_password": PASSWORD},
        )
    confirmations = [m for m in mail.outbox if m.to != ["learner@example.org"]]
    assert len(confirmations) == 3
    response = learner_client.post(
        reverse("accounts:profile"),
        PROFILE | {"email": "new9@example.org", "current_password": PASSWORD},
    )
    assert "too often in the last hour" in " ".join(block_texts(response))

    others = [make_learner(f"o{n}@example.org", f"Other {n}") for n in range(5)]
    for other in others:
        client_of(other).post(
            reverse("accounts:profile"),
            PROFILE | {"email": "victim@example.net", "current_password": PASSWORD},
        )
    assert len([m for m in mail.outbox if m.to == ["victim@example.net"]]) == 3
