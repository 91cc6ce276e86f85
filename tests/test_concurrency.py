"""Many learners at once, on the real database (SQLite file or PostgreSQL), with real threads:
nothing lost, nothing duplicated, and no database error reaches a learner."""

import pytest
from django.test import Client
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion
from lessons.models import Lesson, LessonCompletion
from quiz.models import Attempt, Comment, Poll, PollResponse
from tests.concurrency import client_of, posting, run_at_once
from tests.conftest import answer_sheet, make_learner

LEARNERS = 8

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_learners_completing_voting_commenting_and_submitting_at_once(activity):
    lessons = list(Lesson.objects.for_activity(activity))
    poll = Poll.objects.get(activity=activity)
    sheet = answer_sheet(activity, right=9)
    clients = [
        client_of(make_learner(f"c{n}@example.org", f"Concurrent {n}")) for n in range(LEARNERS)
    ]

    jobs = []
    for n, client in enumerate(clients):
        for lesson in lessons:
            url = reverse("cme:complete", args=[activity.slug, lesson.slug])
            jobs += [posting(client, url), posting(client, url)]  # a double click on each lesson
        vote = {f"poll-{poll.pk}-option": str(poll.options.get(value=n % 5 + 1).pk)}
        jobs += [posting(client, poll.get_vote_url(), vote)] * 2
        jobs += [posting(client, reverse("cme:submit", args=[activity.slug]), sheet)] * 2
        comment = {"body": f"Comment from learner {n}"}
        jobs += [posting(client, reverse("quiz:comment", args=[activity.slug]), comment)]

    statuses = run_at_once(jobs)

    assert set(statuses) == {302}
    assert LessonCompletion.objects.count() == LEARNERS * len(lessons)
    assert PollResponse.objects.count() == LEARNERS
    assert Attempt.objects.count() == LEARNERS * 2
    assert (
        sorted(Attempt.objects.values_list("number", flat=True)) == [1] * LEARNERS + [2] * LEARNERS
    )
    assert ActivityCompletion.objects.count() == LEARNERS
    assert Comment.objects.count() == LEARNERS


def test_one_learner_submitting_many_attempts_at_once_numbers_them_all(activity, learner):
    client = Client()
    client.force_login(learner)
    url = reverse("cme:submit", args=[activity.slug])
    sheet = answer_sheet(activity, right=4)
    statuses = run_at_once([lambda: client.post(url, sheet).status_code] * 6)
    assert statuses == [302] * 6
    numbers = sorted(Attempt.objects.filter(learner=learner).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
