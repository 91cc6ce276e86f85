"""A learner's data download holds their own comments, not those of the learners they discussed
the activity with."""

import json

from django.urls import reverse

from tests.concurrency import client_of
from tests.conftest import make_learner
from tests.html import block_texts

MINE = "How do CELMoDs fit after CAR T?"
THEIRS = "We switch to a CELMoD at the first relapse."


def test_my_data_holds_my_comment_and_not_anothers_in_the_same_discussion(learner_client, activity):
    other = client_of(make_learner("olga@example.org", "Olga Other"))
    comment_url = reverse("quiz:comment", args=[activity.slug])
    learner_client.post(comment_url, {"body": MINE})
    other.post(comment_url, {"body": THEIRS})
    your_thoughts = reverse("quiz:your_thoughts", args=[activity.slug])
    discussion = block_texts(learner_client.get(your_thoughts))
    assert MINE in discussion and THEIRS in discussion

    response = learner_client.get(reverse("cme:my_data"))
    data = json.loads(response.content)
    assert [comment["comment"] for comment in data["comments"]] == [MINE]
    assert THEIRS not in response.content.decode()
    assert "Olga" not in response.content.decode()


def test_my_data_holds_my_log_ins_and_last_login(client, learner):
    from tests.conftest import PASSWORD

    client.post(reverse("accounts:login"), {"username": learner.email, "password": "wrong one"})
    client.post(reverse("accounts:login"), {"username": learner.email, "password": PASSWORD})
    data = client.get(reverse("cme:my_data")).json()
    assert data["profile"]["last_login"]
    assert len(data["log_ins"]) == 1 and data["log_ins"][0]["at"]
    assert data["failed_log_ins"] == []  # the failure's count is reset by the log-in after it
