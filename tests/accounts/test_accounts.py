"""Signing up, logging in and out, and changing the password."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from celmod_course.accounts.models import Profession, User
from tests.conftest import PASSWORD, make_learner, open_link, sign_up_and_open
from tests.html import block_texts, text_of_id

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "New.Learner@Example.org",
    "full_name": "  Maria   Lopez, PharmD ",
    "profession": Profession.PHARMACIST,
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_signing_up_mails_a_link_that_opens_the_account_and_returns_the_learner(client, activity):
    response = client.post(
        reverse("accounts:signup"), {**SIGNUP, "next": activity.get_absolute_url()}
    )
    assert response["Location"] == reverse("accounts:signup_sent")
    assert "Check your email" in block_texts(client.get(response["Location"]))
    assert not User.objects.get().is_active  # not before its owner follows the link
    link = open_link("new.learner@example.org")
    assert "Open your account" in block_texts(client.get(link))
    assert not User.objects.get().is_active  # GET changes nothing
    response = client.post(link)
    assert response["Location"] == activity.get_absolute_url()
    assert client.post(link).status_code == 404  # once
    user = User.objects.get()
    assert user.is_active
    assert user.email == "new.learner@example.org"
    assert user.full_name == "Maria Lopez, PharmD"
    assert user.profession == Profession.PHARMACIST
    assert not user.is_staff
    page = client.get(activity.get_absolute_url())
    assert "Signed in as Maria Lopez, PharmD" in block_texts(page)


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http:/evil.example/"],
)
def test_signing_up_never_sends_the_learner_to_another_site(client, activity, elsewhere):
    page = client.get(reverse("accounts:signup"), {"next": elsewhere})
    assert 'name="next" value="' not in page.content.decode()  # the form carries no next

    response = sign_up_and_open(client, {**SIGNUP, "next": elsewhere})
    assert response.status_code == 302
    assert response["Location"] == reverse("cme:catalog")

    again = client.get(reverse("accounts:signup"), {"next": elsewhere})  # now logged in
    assert again["Location"] == reverse("cme:catalog")


def test_the_signup_form_asks_for_every_field_with_labels(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    for field, label in [
        ("email", "Email address"),
        ("full_name", "Full name"),
        ("profession", "Profession"),
        ("password1", "Password"),
        ("password2", "Password confirmation"),
    ]:
        assert f'for="id_{field}"' in html
        assert label in html
    for profession in Profession.labels:
        assert profession in html


def test_an_address_with_an_account_gets_the_same_answer_and_a_notice_not_a_second_account(
    client, learner
):
    new = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "someone.new@example.org"})
    taken = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "LEARNER@example.org"})
    assert taken["Location"] == new["Location"] == reverse("accounts:signup_sent")
    assert User.objects.filter(email__iexact="learner@example.org").count() == 1
    notice = next(m for m in mail.outbox if m.to == ["learner@example.org"])
    assert "already has an account" in notice.body
    assert "/accounts/reset/" in notice.body and "/accounts/login/" in notice.body
    assert "/accounts/signup/open/" not in notice.body
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD) and learner.full_name == "Jane Doe, MD"


def test_a_later_sign_up_voids_the_link_of_an_earlier_one_never_opened(client, db):
    client.post(reverse("accounts:signup"), SIGNUP)
    first = open_link("new.learner@example.org")
    other = {
        **SIGNUP,
        "password1": "a-different-long-passphrase",
        "password2": "a-different-long-passphrase",
    }
    client.post(reverse("accounts:signup"), other)
    second = open_link("new.learner@example.org")
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 302
    assert User.objects.get().check_password("a-different-long-passphrase")


def test_a_short_or_common_password_is_refused(client):
    for password in ("short-pass1", "password1234"):
        response = client.post(
            reverse("accounts:signup"), {**SIGNUP, "password1": password, "password2": password}
        )
        assert response.status_code == 200
        assert not User.objects.exists()
    assert "This password is too short. It must contain at least 12 characters." in (
        client.post(
            reverse("accounts:signup"), {**SIGNUP, "password1": "abc", "password2": "abc"}
        ).content.decode()
    )


WEAK = "aaaaaaaaaaaa"
TOO_EASY = 'This password is too easy to guess. Repeats like "aaa" are easy to guess.'
AGAIN = "Enter a new password in both fields."


def test_a_weak_password_is_refused_under_the_password_field_not_the_confirmation(client):
    data = {**SIGNUP, "password1": WEAK, "password2": WEAK}
    html = client.post(reverse("accounts:signup"), data).content.decode()
    under_password = text_of_id(html, "id_password1_error")
    assert under_password.startswith(TOO_EASY)
    assert under_password.endswith(AGAIN)
    assert text_of_id(html, "id_password2_error") is None
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in html
    assert WEAK not in html  # neither field gives the password back
    assert not User.objects.exists()


def test_a_weak_new_password_is_refused_under_the_new_password_field(learner_client, learner):
    data = {"old_password": PASSWORD, "new_password1": WEAK, "new_password2": WEAK}
    html = learner_client.post(reverse("accounts:password_change"), data).content.decode()
    under_password = text_of_id(html, "id_new_password1_error")
    assert under_password.startswith(TOO_EASY)
    assert under_password.endswith(AGAIN)
    assert text_of_id(html, "id_new_password2_error") is None
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_a_blank_full_name_is_refused(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "full_name": "   "})
    assert response.status_code == 200
    assert not User.objects.exists()


def test_no_profession_is_preselected_and_one_is_required(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert '<option value="" selected>Choose your profession</option>' in html
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "profession": ""})
    assert response.status_code == 200
    assert not User.objects.exists()


def test_an_unknown_profession_is_refused(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "profession": "astronaut"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not User.objects.exists()


def test_a_learner_logs_in_with_their_email_in_any_case(client, learner):
    response = client.post(
        reverse("accounts:login"), {"username": "Learner@Example.ORG", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cme:catalog")


def test_a_wrong_password_gets_a_clear_message(client, learner):
    response = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert "That email address and password do not match an account." in (response.content.decode())


def test_logging_out_is_a_post_and_ends_the_session(learner_client):
    assert learner_client.get(reverse("accounts:logout")).status_code == 405
    response = learner_client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("cme:catalog")
    assert learner_client.get(reverse("cme:progress")).status_code == 302


def test_a_learner_changes_their_password(learner_client, learner):
    new = "another-long-passphrase-2026"
    response = learner_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    learner.refresh_from_db()
    assert learner.check_password(new)


def test_the_full_name_is_escaped_wherever_it_is_shown(client):
    learner = make_learner(email="x@example.org", full_name="<script>alert(1)</script>")
    client.force_login(learner)
    html = client.get(reverse("cme:catalog")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_createsuperuser_makes_a_staff_account_that_reaches_the_admin(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, email="Staff@Example.org", full_name="Sam Staff"
    )
    staff = User.objects.get()
    assert (staff.email, staff.full_name) == ("staff@example.org", "Sam Staff")
    assert staff.is_staff and staff.is_superuser
    client.post(reverse("accounts:login"), {"username": "staff@example.org", "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 200
