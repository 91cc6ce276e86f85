"""What a probe of the running site found, each fixed and held by a test."""

import csv
import io
import logging

import pytest
import time_machine
from django.db import IntegrityError
from django.test import override_settings
from django.urls import path, reverse

from celmod_course.accounts.models import User
from quiz.models import Attempt
from tests.cme.test_credit import IN_CREDIT_PERIOD, claim_form, claim_url, evaluate
from tests.concurrency import client_of
from tests.conftest import PASSWORD, answer_sheet, complete, sign_up_and_open
from tests.html import block_texts

SIGN_UP = {
    "email": "new@example.org",
    "full_name": "Nia New, PharmD",
    "profession": "pharmacist",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.mark.parametrize("next_value", ["welcome", "x", "\x00", "health", "lessons:catalog"])
def test_sign_up_with_any_next_logs_in_and_never_fails(client, db, next_value):
    url = reverse("accounts:signup")
    response = sign_up_and_open(client, SIGN_UP | {"next": next_value})
    assert response.status_code == 302
    assert response["Location"] == reverse("cme:catalog")
    assert "_auth_user_id" in client.session
    again = client.get(url, {"next": next_value})
    assert again.status_code == 302
    assert again["Location"] == reverse("cme:catalog")


def test_sign_up_follows_a_next_that_is_a_page_of_this_site(client, activity):
    response = sign_up_and_open(client, SIGN_UP | {"next": "/progress/"})
    assert response["Location"] == "/progress/"


def broken(request):
    raise RuntimeError("a bug, on purpose")


def refused_row(request):
    raise IntegrityError(
        'new row for relation "quiz_comment" violates check constraint "x"\n'
        "DETAIL:  Failing row contains (7, hunter2-comment-text, f)."
    )


urlpatterns = [path("broken/", broken), path("refused/", refused_row)]


@override_settings(ROOT_URLCONF="tests.test_hardening", DEBUG=False)
def test_a_server_error_leaves_a_traceback_in_the_log(client, db, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/broken/", {"password": "hunter2-secret"})
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and "a bug, on purpose" in str(record.exc_info[1])
    line = logging.getLogger("django").handlers[0].format(record)
    assert "level=ERROR logger=django.request method=POST path=/broken/" in line
    assert "RuntimeError: a bug, on purpose" in line  # the traceback follows
    assert "hunter2" not in line


@override_settings(ROOT_URLCONF="tests.test_hardening", DEBUG=False)
def test_a_database_errors_details_with_submitted_text_stay_out_of_the_log(client, db, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.post("/refused/", {"body": "hunter2-comment-text"}).status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = logging.getLogger("django").handlers[0].format(record)
    assert "IntegrityError" in line and "violates check constraint" in line
    assert "hunter2" not in line


def test_a_crafted_url_cannot_forge_a_log_line(client, db, caplog):
    forged = "/nowhere%0D%0A2026-12-03 10:00:00,000 level=ERROR logger=forged x%00"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(forged).status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = logging.getLogger("django").handlers[0].format(record)
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert len(line.splitlines()) == 1
    assert line.split(" ", 3)[2] == "level=WARNING"  # the forged text is inside this one line


def test_a_session_cookie_holding_a_nul_byte_is_no_session(client, activity):
    for value in ["abc\x00defghijklmnopqrstuvwxyz012345", "../../etc/passwd", "a" * 30 + "\x7f;"]:
        client.cookies["sessionid"] = value
        response = client.get(activity.get_absolute_url())
        assert response.status_code == 200
        assert "Log in" in response.content.decode()


def test_tokens_in_paths_never_reach_the_log(learner_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        learner_client.get("/accounts/email/confirm/secret-token-value/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = logging.getLogger("django").handlers[0].format(record)
    assert "secret-token-value" not in line
    assert "/accounts/email/confirm/[redacted]" in line


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u200b", "This text has nothing visible in it."),
        ("\u00ad\ufeff\u200b", "This text has nothing visible in it."),
        ("\u202eDM ecilA", "Remove the invisible direction marks from this text"),
    ],
)
def test_invisible_and_reversed_names_are_refused_at_sign_up(client, db, name, message):
    response = client.post(reverse("accounts:signup"), SIGN_UP | {"full_name": name})
    assert response.status_code == 200
    assert message in " ".join(block_texts(response))
    assert not User.objects.exists()


@pytest.mark.parametrize("password", [" " * 12, "a" * 12, "abcdefghijkl", "qwertyuiopas"])
def test_weak_passwords_are_refused(client, db, password):
    data = SIGN_UP | {"password1": password, "password2": password}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert "This password is too easy to guess." in " ".join(block_texts(response))
    assert not User.objects.exists()


def test_a_weak_password_is_refused_with_advice_on_a_better_one(client, db):
    data = SIGN_UP | {"password1": "a" * 12, "password2": "a" * 12}
    text = " ".join(block_texts(client.post(reverse("accounts:signup"), data)))
    assert (
        'This password is too easy to guess. Repeats like "aaa" are easy to guess. Add another '
        "word or two. Uncommon words are better." in text
    )


def test_the_sixth_wrong_current_password_is_throttled(learner_client, learner):
    url = reverse("accounts:password_change")
    wrong = {"old_password": "not my password", "new_password1": "x" * 20, "new_password2": "y"}
    for _ in range(5):
        assert learner_client.post(url, wrong).status_code == 200
    right = {
        "old_password": PASSWORD,
        "new_password1": "brand-new-and-odd-passphrase",
        "new_password2": "brand-new-and-odd-passphrase",
    }
    response = learner_client.post(url, right)
    assert response.status_code == 429
    assert "Too many attempts" in block_texts(response)
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_personal_pages_are_never_cached(learner_client, learner, activity):
    completion = complete(learner, activity)
    learner_client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 3))
    attempt = Attempt.objects.filter(learner=learner).first()
    for url in [
        reverse("cme:progress"),
        completion.get_absolute_url(),
        attempt.get_absolute_url(),
        reverse("accounts:profile"),
        reverse("cme:my_data"),
        activity.get_absolute_url(),
    ]:
        cache_control = learner_client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_readers_pages_stay_cacheable(client, activity):
    assert "no-store" not in client.get(activity.get_absolute_url()).get("Cache-Control", "")


def test_csv_cells_never_run_as_formulas(learner, staff, activity, designation):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        complete(learner, activity)
        evaluate(learner, activity)
        names = {"first_name": '=HYPERLINK("http://x")', "last_name": "@SUM(A1)"}
        client_of(learner).post(claim_url(activity), claim_form("0.5", **names))
    response = client_of(staff).get(reverse("cme:export_claims", args=[activity.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][:2] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]
    for cell in (cell for row in rows for cell in row):
        assert cell[:1] not in ("=", "+", "-", "@"), cell
