"""Completing the activity: every lesson and a passed knowledge check, in either order."""

import pytest
import time_machine
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion
from quiz.models import Attempt
from tests.concurrency import client_of, posting, run_at_once
from tests.conftest import answer_sheet, complete_all_lessons
from tests.html import block_texts


def submit(client, activity, right):
    return client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, right))


def complete(client, lesson):
    return client.post(reverse("cme:complete", args=[lesson.activity.slug, lesson.slug]))


def test_lessons_first_then_a_pass_completes_the_activity(
    learner_client, learner, activity, lessons
):
    for lesson in lessons:
        complete(learner_client, lesson)
    assert not ActivityCompletion.objects.exists()
    with time_machine.travel("2026-11-24 15:00Z", tick=False):
        submit(learner_client, activity, right=8)

    completion = ActivityCompletion.objects.get()
    assert completion.learner == learner
    assert completion.attempt == Attempt.objects.get(passed=True)
    assert completion.completed_on.isoformat() == "2026-11-24"

    progress = block_texts(learner_client.get(reverse("cme:progress")))
    assert "Progress: 1 activity completed" in progress
    assert "Completed on November 24, 2026 · Certificate" in progress
    overview = learner_client.get(activity.get_absolute_url())
    assert "Completed on November 24, 2026. View your certificate" in block_texts(overview)
    assert f'href="{lessons[0].get_absolute_url()}">Review<span' in overview.content.decode()


def test_a_pass_first_then_the_last_lesson_completes_the_activity(
    learner_client, learner, activity, lessons
):
    submit(learner_client, activity, right=10)
    assert not ActivityCompletion.objects.exists()
    result = block_texts(learner_client.get(Attempt.objects.get().get_absolute_url()))
    assert (
        "To complete the activity, finish the remaining lessons. Continue with lesson 1" in result
    )
    for lesson in lessons[:-1]:
        complete(learner_client, lesson)
    assert not ActivityCompletion.objects.exists()

    response = complete(learner_client, lessons[-1])
    assert response["Location"] == activity.get_absolute_url()
    assert ActivityCompletion.objects.filter(learner=learner).count() == 1
    page = learner_client.get(activity.get_absolute_url())
    assert "You have completed the activity. Your certificate is ready below." in (
        block_texts(page)
    )


def test_a_failed_attempt_does_not_complete_the_activity(learner_client, activity, lessons):
    for lesson in lessons:
        complete(learner_client, lesson)
    submit(learner_client, activity, right=6)
    assert not ActivityCompletion.objects.exists()
    assert "In progress" in block_texts(learner_client.get(reverse("cme:progress")))


def test_a_later_pass_after_completion_keeps_the_first_completion(
    learner_client, learner, activity
):
    complete_all_lessons(learner, activity)
    submit(learner_client, activity, right=7)
    first = ActivityCompletion.objects.get()
    submit(learner_client, activity, right=10)
    assert ActivityCompletion.objects.get() == first
    assert Attempt.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_racing_passing_submits_write_one_completion(learner, activity):
    complete_all_lessons(learner, activity)
    sheet = answer_sheet(activity, right=9)
    url = reverse("cme:submit", args=[activity.slug])
    client = client_of(learner)
    statuses = run_at_once([posting(client, url, sheet)] * 2)

    assert statuses == [302, 302]
    assert Attempt.objects.filter(learner=learner).count() == 2
    assert ActivityCompletion.objects.filter(learner=learner).count() == 1
