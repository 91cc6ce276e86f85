"""Staff reword the knowledge check, the poll and the evaluation in the admin: the pages learners
already have in the cache show the new wording on their next visit, and the overview's time
estimate counts the new words of the knowledge check.

Each case makes one edit alone, so that a page left stale by any one of them shows."""

import re

import pytest
from django.urls import reverse

from lessons.models import Lesson
from quiz.models import Question
from tests.concurrency import client_of
from tests.conftest import complete, make_learner
from tests.html import block_texts, form_data

ADDED = "(reworded in the admin)"


def question_prompt(activity):
    question = Question.objects.for_activity(activity).first()
    return reverse("admin:quiz_question_change", args=[question.pk]), "question_form", "prompt"


def choice_text(activity):
    question = Question.objects.for_activity(activity).first()
    url = reverse("admin:quiz_question_change", args=[question.pk])
    return url, "question_form", "choices-0-text"


def poll_question(activity):
    poll = activity.polls.get()
    return reverse("admin:quiz_poll_change", args=[poll.pk]), "poll_form", "question"


def evaluation_prompt(activity):
    # Evaluation items have their own admin page, linked from the activity's.
    question = activity.evaluation_questions.first()
    url = reverse("admin:cme_evaluationquestion_change", args=[question.pk])
    return url, "evaluationquestion_form", "prompt"


def learner_pages(activity):
    return {
        "overview": activity.get_absolute_url(),
        "first lesson": Lesson.objects.for_activity(activity).first().get_absolute_url(),
        "knowledge check": reverse("cme:knowledge_check", args=[activity.slug]),
        "Your Thoughts": reverse("quiz:your_thoughts", args=[activity.slug]),
        "evaluation": reverse("cme:evaluation", args=[activity.slug]),
    }


def text(client, url):
    return " ".join(block_texts(client.get(url)))


def estimated_words(client, activity):
    overview = client.get(activity.get_absolute_url()).content.decode()
    words = re.search(r'title="([\d,]+) words to read', overview)[1]
    return int(words.replace(",", ""))


@pytest.mark.parametrize(
    ("edit", "shown_on", "read_in_the_estimate"),
    [
        pytest.param(question_prompt, ["knowledge check"], True, id="knowledge-check-question"),
        pytest.param(choice_text, ["knowledge check"], True, id="knowledge-check-choice"),
        pytest.param(poll_question, ["Your Thoughts", "first lesson"], False, id="poll-question"),
        pytest.param(evaluation_prompt, ["evaluation"], False, id="evaluation-question"),
    ],
)
def test_an_admin_edit_of_the_wording_shows_on_every_cached_page_at_once(
    learner_client, activity, staff, edit, shown_on, read_in_the_estimate
):
    # The knowledge check and the poll before the first lesson are shown to a learner who has
    # not started; the evaluation opens to one who completed the activity.
    finisher = make_learner("finisher@example.org", "Fay Finisher")
    complete(finisher, activity)
    finisher_client = client_of(finisher)
    pages = learner_pages(activity)
    for client in (learner_client, finisher_client):
        for url in pages.values():
            client.get(url)  # the CSRF cookie the learner's cached pages are keyed by
            client.get(url)  # now cached
    words = estimated_words(learner_client, activity)

    staff_client = client_of(staff)
    admin_url, form_id, field = edit(activity)
    data = form_data(staff_client.get(admin_url), form_id)
    reworded = f"{data[field]} {ADDED}"
    reader = finisher_client if shown_on == ["evaluation"] else learner_client
    for name in shown_on:
        assert reworded not in text(reader, pages[name]), name
    assert staff_client.post(admin_url, data | {field: reworded}).status_code == 302

    for name in shown_on:
        assert reworded in text(reader, pages[name]), name
    added = len(ADDED.split()) if read_in_the_estimate else 0
    assert estimated_words(learner_client, activity) == words + added
