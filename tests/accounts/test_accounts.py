"""Signing up, logging in and out, and changing the password."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from celmod_course.accounts.models import Profession, User
from tests.conftest import PASSWORD, make_learner
from tests.html import block_texts

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "New.Learner@Example.org",
    "full_name": "  Maria   Lopez, PharmD ",
    "profession": Profession.PHARMACIST,
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_signing_up_creates_the_learner_logs_them_in_and_returns_them(client, activity):
    response = client.post(
        reverse("accounts:signup"), {**SIGNUP, "next": activity.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    user = User.objects.get()
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

    response = client.post(reverse("accounts:signup"), {**SIGNUP, "next": elsewhere})
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


def test_signing_up_twice_with_one_email_in_another_case_is_refused(client, learner):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "LEARNER@example.org"})
    assert response.status_code == 200
    assert "An account with this email address already exists. Log in instead." in (
        response.content.decode()
    )
    assert User.objects.count() == 1


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
