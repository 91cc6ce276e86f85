"""A learner downloads everything the site holds about them, and can delete their account."""

import json

import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from celmod_course.accounts.models import User
from celmod_course.cme.models import ActivityCompletion, CreditClaim
from celmod_course.cme.services import DELETED_NAME, account_delete
from quiz.models import Attempt, Comment, PollResponse
from tests.cme.test_credit import IN_CREDIT_PERIOD, claim_form, claim_url, evaluate
from tests.concurrency import client_of
from tests.conftest import PASSWORD, complete, complete_all_lessons, make_learner
from tests.html import block_texts


def everything(learner, activity, designation):
    complete(learner, activity)
    client = client_of(learner)
    poll = activity.polls.get()
    client.post(poll.get_before_url(), {f"poll-{poll.pk}-option": poll.options.get(value=2).pk})
    client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": poll.options.get(value=4).pk})
    client.post(reverse("quiz:comment", args=[activity.slug]), {"body": "My own words."})
    evaluate(learner, activity)
    return client


def test_my_data_holds_everything_about_the_learner(learner, activity, designation):
    client = everything(learner, activity, designation)
    response = client.get(reverse("cme:my_data"))
    assert response["Content-Disposition"] == 'attachment; filename="my-cme-data.json"'
    data = json.loads(response.content)
    assert data["profile"]["email"] == learner.email
    assert data["profile"]["full_name"] == "Jane Doe, MD"
    assert len(data["lesson_completions"]) == 4
    assert {a["moment"] for a in data["poll_answers"]} == {
        "Before the first lesson",
        "At Your Thoughts",
    }
    assert data["comments"][0]["comment"] == "My own words."
    assert data["knowledge_check_attempts"][0]["score"] == "10 of 10"
    assert len(data["knowledge_check_attempts"][0]["answers"]) == 10
    assert (
        data["completions"][0]["certificate"] == ActivityCompletion.objects.get().certificate_number
    )
    assert len(data["evaluation_answers"]) == 5
    assert data["credit_claims"] == []
    other = make_learner("other@example.org", "Olga Other")
    assert "Olga" not in client.get(reverse("cme:my_data")).content.decode()
    assert json.loads(client_of(other).get(reverse("cme:my_data")).content)["comments"] == []


def test_deleting_removes_the_person_and_keeps_the_totals(learner, activity, designation, staff):
    client = everything(learner, activity, designation)
    results = reverse("cme:results", args=[activity.slug])
    before = block_texts(client_of(staff).get(results))
    certificate = ActivityCompletion.objects.get().certificate_number

    page = block_texts(client.get(reverse("cme:delete_account")))
    assert any(block.startswith("What stays, and why:") for block in page)
    wrong = client.post(reverse("cme:delete_account"), {"password": "not it at all"})
    assert "That is not your password." in " ".join(block_texts(wrong))
    response = client.post(reverse("cme:delete_account"), {"password": PASSWORD}, follow=True)
    assert "Your account is deleted." in block_texts(response)
    assert "_auth_user_id" not in client.session

    learner.refresh_from_db()
    assert learner.full_name == DELETED_NAME
    assert "example.org" not in learner.email
    assert not learner.is_active and not learner.has_usable_password()
    assert not Comment.objects.exists()
    assert PollResponse.objects.filter(learner=learner).count() == 2
    assert Attempt.objects.filter(learner=learner).count() == 1
    logging_in = {"username": "learner@example.org", "password": PASSWORD}
    assert client.post(reverse("accounts:login"), logging_in).status_code == 200  # refused
    after = block_texts(client_of(staff).get(results))
    assert [b for b in after if "omment" not in b] == [b for b in before if "omment" not in b]
    verify = client.get(reverse("cme:verify", args=[certificate]))
    assert verify.status_code == 404


def test_deleting_forgets_the_failed_log_ins_of_the_address(learner, activity):
    client = client_of(learner)
    wrong = {"username": learner.email, "password": "wrong guess"}
    Client().post(reverse("accounts:login"), wrong)
    assert AccessAttempt.objects.filter(username=learner.email).exists()
    client.post(reverse("cme:delete_account"), {"password": PASSWORD})
    assert not AccessAttempt.objects.filter(username=learner.email).exists()
    assert not AccessFailureLog.objects.filter(username=learner.email).exists()


def test_a_deleted_learners_claim_keeps_its_amount_but_not_its_person(
    learner, activity, designation
):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        client = everything(learner, activity, designation)
        reporting = {"report": "on", "licence_id": "MD1", "birth_month": "1", "birth_day": "2"}
        client.post(claim_url(activity), claim_form("0.5", **reporting))
        client.post(reverse("cme:delete_account"), {"password": PASSWORD})
    claim = CreditClaim.objects.get()
    assert str(claim.amount) == "0.50"
    person = (claim.first_name, claim.last_name, claim.licence_id, claim.birth_month)
    assert person == ("", "", "", None)


def test_the_sixth_wrong_password_is_throttled(learner_client, learner):
    url = reverse("cme:delete_account")
    for _ in range(5):
        assert learner_client.post(url, {"password": "wrong guess!"}).status_code == 200
    assert learner_client.post(url, {"password": PASSWORD}).status_code == 429
    learner.refresh_from_db()
    assert learner.is_active


def test_closing_an_account_never_writes_back_a_page_version_read_before(learner, activity):
    """The page key holds the learner's page version: a whole-row save with an older one would
    bring back pages cached before the learner's latest writes."""
    read_earlier = User.objects.get(pk=learner.pk)
    complete_all_lessons(learner, activity)
    counted = User.objects.get(pk=learner.pk).page_version
    account_delete(user=read_earlier)
    assert User.objects.get(pk=learner.pk).page_version > counted
