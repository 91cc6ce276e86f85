"""Hostile input: forged and replayed posts, bad ids, over-long, odd and malicious text, and
pages that belong to someone else. Each gets a clear answer, never a 500, and changes nothing
it must not."""

import pytest
from django.test import Client
from django.urls import reverse

from celmod_course.accounts.models import User
from lessons.models import LessonCompletion
from quiz.models import Answer, Attempt, Comment, Poll, PollResponse, Question
from tests.conftest import PASSWORD, answer_sheet, make_learner
from tests.html import block_texts

SCRIPT = '<script>alert("x")</script>'
SQL = "'; DROP TABLE accounts_user; --"
HUGE = "9" * 30
BAD_IDS = ["abc", "-1", "0", HUGE, "1.5", "1 OR 1=1", SQL, "", "\x00"]


def counts():
    return (
        User.objects.count(),
        LessonCompletion.objects.count(),
        PollResponse.objects.count(),
        Attempt.objects.count(),
        Answer.objects.count(),
        Comment.objects.count(),
    )


@pytest.fixture
def posts(activity, lessons):
    """Every form post of the site, with valid data."""
    poll = Poll.objects.get(activity=activity)
    return {
        "complete lesson": (
            reverse("cme:complete", args=[activity.slug, lessons[0].slug]),
            {},
        ),
        "vote": (poll.get_vote_url(), {f"poll-{poll.pk}-option": str(poll.options.first().pk)}),
        "comment": (reverse("quiz:comment", args=[activity.slug]), {"body": "Hello"}),
        "knowledge check": (
            reverse("cme:submit", args=[activity.slug]),
            answer_sheet(activity, right=10),
        ),
        "sign up": (
            reverse("accounts:signup"),
            {
                "email": "new@example.org",
                "full_name": "New Person",
                "profession": "nurse",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        ),
        "log out": (reverse("accounts:logout"), {}),
        "answer before": (
            poll.get_before_url(),
            {f"poll-{poll.pk}-option": str(poll.options.first().pk)},
        ),
        "evaluation": (reverse("cme:submit_evaluation", args=[activity.slug]), {"question_1": "4"}),
        "claim": (reverse("cme:submit_claim", args=[activity.slug]), {"amount": "0.5"}),
        "profile": (
            reverse("accounts:profile"),
            {"full_name": "Renamed", "profession": "other", "email": "learner@example.org"},
        ),
        "password reset": (reverse("accounts:password_reset"), {"email": "learner@example.org"}),
        "password change": (reverse("accounts:password_change"), {"old_password": PASSWORD}),
        "delete account": (reverse("cme:delete_account"), {"password": PASSWORD}),
    }


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(learner, posts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    before = counts()
    for name, (url, data) in posts.items():
        response = client.post(url, data)
        assert response.status_code == 403, name
        assert "This form could not be sent" in block_texts(response), name
    assert counts() == before
    assert "_auth_user_id" in client.session  # not even logged out
    assert User.objects.get(pk=learner.pk).is_active  # not deleted
    assert User.objects.get(pk=learner.pk).full_name == learner.full_name


def test_a_token_taken_from_another_session_is_refused(learner, posts):
    attacker = Client(enforce_csrf_checks=True)
    attacker.get(reverse("accounts:login"))
    stolen = attacker.cookies["csrftoken"].value
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(learner)
    victim.get(reverse("cme:catalog"))
    before = counts()
    url, data = posts["comment"]
    response = victim.post(url, {**data, "csrfmiddlewaretoken": stolen + "x"})
    assert response.status_code == 403
    assert counts() == before


def test_a_replayed_vote_changes_nothing(learner_client, posts):
    url, data = posts["vote"]
    learner_client.post(url, data)
    before = counts()
    response = learner_client.post(url, data)
    assert response.status_code == 302
    assert counts() == before


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_choice_ids_get_the_form_back_with_an_error(learner_client, activity, bad):
    data = answer_sheet(activity, right=10)
    first = Question.objects.for_activity(activity).first()
    data[f"question_{first.pk}"] = bad
    before = counts()
    response = learner_client.post(reverse("cme:submit", args=[activity.slug]), data)
    assert response.status_code == 200
    assert "Your answers were not submitted." in block_texts(response)
    assert counts() == before


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_option_ids_are_refused_with_a_message(learner_client, activity, bad):
    poll = Poll.objects.get(activity=activity)
    before = counts()
    response = learner_client.post(
        poll.get_vote_url(), {f"poll-{poll.pk}-option": bad}, follow=True
    )
    assert response.status_code == 200
    blocks = block_texts(response)
    assert any("poll" in block and "option" in block for block in blocks)
    assert counts() == before


@pytest.mark.parametrize(
    "url",
    [
        f"/activities/celmods-in-multiple-myeloma/knowledge-check/attempts/{HUGE}/",
        "/activities/celmods-in-multiple-myeloma/knowledge-check/attempts/-1/",
        "/activities/celmods-in-multiple-myeloma/knowledge-check/attempts/abc/",
        "/activities/celmods-in-multiple-myeloma/lessons/%00/",
        "/activities/celmods-in-multiple-myeloma/polls/nope/vote/",
        "/activities/%27%3B%20DROP%20TABLE/",
        f"/certificates/{HUGE}/",
        "/verify/%3Cscript%3E/",
    ],
)
def test_bad_ids_in_addresses_are_not_found(learner_client, activity, url):
    assert learner_client.get(url).status_code in {404, 405}  # 405: the address takes posts
    assert learner_client.post(url).status_code in {404, 405}


@pytest.mark.parametrize("typed", [SQL, SCRIPT, "x" * 5000, "\x00\x01", "ÄÖÜ-ß/../..", "  "])
def test_odd_certificate_numbers_are_not_found_and_escaped(client, activity, typed):
    response = client.get(reverse("cme:verify_lookup"), {"number": typed}, follow=True)
    assert response.status_code in {200, 404}
    html = response.content.decode()
    assert "<script>alert" not in html
    if response.status_code == 404:
        assert "Not found." in " ".join(block_texts(response))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "x" * 151, "Ensure this value has at most 150 characters"),
        ("full_name", "Bell\x07Name", "Remove the invisible control characters"),
        ("full_name", "Null\x00Name", "Null characters are not allowed."),
        ("email", "a" * 250 + "@example.org", "Ensure this value has at most 254 characters"),
        ("email", SQL, "Enter a valid email address."),
        ("email", SCRIPT, "Enter a valid email address."),
        ("profession", SQL, "Select a valid choice."),
        ("password1", "x" * 11, "This password is too short."),
    ],
)
def test_sign_up_refuses_bad_fields_with_a_message(db, client, field, value, message):
    data = {
        "email": "new@example.org",
        "full_name": "New Person",
        "profession": "nurse",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data[field] = value
    if field == "password1":
        data["password2"] = value
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        (SCRIPT, True),
        (SQL, True),
        ("Ünïcödé ✓ — 日本語 — עברית — 🙂", True),
        ("Line one\r\nLine two\tTabbed", True),
        ("Bell \x07 ring", False),
        ("Null \x00 byte", False),
        ("\u200b", False),  # nothing visible
        ("\u200b\u00ad\ufeff", False),
        ("\u202eDM ecilA", False),  # shows as "Alice MD"
        ("Ce\u200bre\u00adblon", True),  # invisible characters beside visible ones are fine
    ],
)
def test_comments_take_any_text_as_plain_text_but_refuse_control_characters(
    learner_client, activity, body, stored
):
    response = learner_client.post(reverse("quiz:comment", args=[activity.slug]), {"body": body})
    assert response.status_code == (302 if stored else 200)
    assert Comment.objects.exists() == stored
    html = learner_client.get(reverse("quiz:your_thoughts", args=[activity.slug])).content
    assert b"<script>alert" not in html


def test_sql_like_and_script_text_in_the_log_in_form_is_just_a_failed_log_in(client, learner):
    for value in (SQL, SCRIPT, "x" * 10_000):
        response = client.post(reverse("accounts:login"), {"username": value, "password": value})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_learner_cannot_reach_staff_pages(learner_client, activity):
    for url in (
        reverse("cme:results", args=[activity.slug]),
        reverse("cme:export_poll_responses", args=[activity.slug]),
        reverse("cme:export_answers", args=[activity.slug]),
    ):
        assert learner_client.get(url).status_code == 403
    response = learner_client.get(reverse("admin:quiz_comment_changelist"))
    assert response.status_code == 302


def test_another_learners_certificate_and_attempt_are_not_found(client, learner, activity):
    from celmod_course.cme.models import ActivityCompletion
    from tests.conftest import complete_all_lessons

    client.force_login(learner)
    complete_all_lessons(learner, activity)
    client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    attempt = Attempt.objects.get(learner=learner)
    completion = ActivityCompletion.objects.get(learner=learner)
    client.force_login(make_learner("other@example.org", "Other"))
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert client.get(completion.get_absolute_url()).status_code == 404


def test_an_oversized_post_is_refused_with_400(learner_client, activity):
    response = learner_client.post(
        reverse("quiz:comment", args=[activity.slug]), {"body": "x" * 3_000_000}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "x" * 151, "profession": "other", "email": "learner@example.org"},
        {"full_name": SCRIPT, "profession": "astronaut", "email": "learner@example.org"},
        {"full_name": "Jane", "profession": "other", "email": "not an email"},
        {"full_name": "Jane", "profession": "other", "email": "a" * 250 + "@example.org"},
        {"full_name": "Bell \x07", "profession": "other", "email": "learner@example.org"},
        {"full_name": "", "profession": "", "email": ""},
    ],
)
def test_a_bad_profile_comes_back_with_errors_and_changes_nothing(learner_client, learner, data):
    response = learner_client.post(reverse("accounts:profile"), data)
    assert response.status_code == 200
    learner.refresh_from_db()
    assert (learner.full_name, learner.profession) == ("Jane Doe, MD", "physician")


@pytest.mark.parametrize("email", ["not an email", "x" * 300 + "@example.org", SQL, "", "\x00"])
def test_a_bad_reset_request_comes_back_with_an_error(client, db, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 200
    assert "Reset your password" in block_texts(response)


@pytest.mark.parametrize("token", ["abc", SQL.replace("/", ""), "x" * 500, "e30:1abc:def"])
def test_forged_email_change_and_reset_links_are_refused(learner_client, token):
    url = reverse("accounts:email_confirm", args=[token])
    assert learner_client.get(url).status_code == 404
    assert learner_client.post(url).status_code == 404
    reset = reverse("accounts:password_reset_confirm", args=["MQ", token])
    assert "This link no longer works" in block_texts(learner_client.get(reset, follow=True))


def test_deleting_without_the_password_changes_nothing(learner_client, learner):
    response = learner_client.post(reverse("cme:delete_account"), {"password": ""})
    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.is_active and learner.full_name == "Jane Doe, MD"
