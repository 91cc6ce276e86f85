"""Many learners at once, on the real database (SQLite file or PostgreSQL), with real threads:
nothing lost, nothing duplicated, and no database error reaches a learner."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lessons.models import ActivityCompletion, Comment, Lesson, LessonCompletion
from quiz.models import Attempt, Poll, PollResponse
from tests.conftest import answer_sheet, make_learner

LEARNERS = 8

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(jobs):
    """Run every job in its own thread, all released together; return their results."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_many_learners_completing_voting_commenting_and_submitting_at_once(activity):
    lessons = list(Lesson.objects.for_activity(activity))
    poll = Poll.objects.get(activity=activity)
    sheet = answer_sheet(activity, right=9)
    clients = []
    for n in range(LEARNERS):
        client = Client()
        client.force_login(make_learner(f"c{n}@example.org", f"Concurrent {n}"))
        clients.append(client)

    def post(client, url, data=None):
        return lambda: client.post(url, data or {}).status_code

    jobs = []
    for n, client in enumerate(clients):
        for lesson in lessons:
            url = reverse("lessons:complete", args=[activity.slug, lesson.slug])
            jobs += [post(client, url), post(client, url)]  # a double click on each lesson
        vote = {f"poll-{poll.pk}-option": str(poll.options.get(value=n % 5 + 1).pk)}
        jobs += [post(client, poll.get_vote_url(), vote)] * 2
        jobs += [post(client, reverse("quiz:submit", args=[activity.slug]), sheet)] * 2
        comment = {"body": f"Comment from learner {n}"}
        jobs += [post(client, reverse("lessons:comment", args=[activity.slug]), comment)]

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
    url = reverse("quiz:submit", args=[activity.slug])
    sheet = answer_sheet(activity, right=4)
    statuses = run_at_once([lambda: client.post(url, sheet).status_code] * 6)
    assert statuses == [302] * 6
    numbers = sorted(Attempt.objects.filter(learner=learner).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
