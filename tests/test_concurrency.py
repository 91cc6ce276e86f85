"""Many learners at once, on the real database (SQLite file or PostgreSQL), with real threads:
nothing lost, nothing duplicated, and no database error reaches a learner."""

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion, CreditClaim
from celmod_course.cme.services import account_delete, knowledge_check_submit, lesson_complete
from lessons.models import Lesson, LessonCompletion
from quiz.models import Attempt, Comment, Poll, PollResponse
from tests.cme.test_credit import IN_CREDIT_PERIOD
from tests.concurrency import client_of, posting, run_at_once, run_held
from tests.conftest import answer_sheet, complete, make_learner

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
    activity.attempts_before_wait = 10  # the policy allows them all
    activity.save()
    client = Client()
    client.force_login(learner)
    url = reverse("cme:submit", args=[activity.slug])
    sheet = answer_sheet(activity, right=4)
    statuses = run_at_once([lambda: client.post(url, sheet).status_code] * 6)
    assert statuses == [302] * 6
    numbers = sorted(Attempt.objects.filter(learner=learner).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writing transaction at a time (IMMEDIATE); the row locks are "
    "PostgreSQL's",
)


def right_answers(activity):
    return {q: q.choices.get(is_correct=True) for q in activity.questions.all()}


@postgresql_only
def test_a_learners_requests_wait_for_each_other_before_writing_anything(activity, learner):
    """While one of the learner's requests is in flight (here: the test holds their row), a
    lesson completion and a knowledge-check submit both wait, having written nothing yet."""
    lesson = Lesson.objects.for_activity(activity).first()
    chosen = right_answers(activity)
    results, wrote = run_held(
        "SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE",
        [
            lambda: lesson_complete(learner=learner, lesson=lesson),
            lambda: knowledge_check_submit(learner=learner, activity=activity, chosen=chosen),
        ],
        params=[learner.pk],
    )
    assert wrote == [False, False]
    assert LessonCompletion.objects.filter(learner=learner).count() == 1
    assert results[1].number == 1


@postgresql_only
def test_two_submits_counting_attempts_at_the_same_moment_take_numbers_one_and_two(
    activity, learner
):
    """Both submits reach the count of earlier attempts together (the test holds that table)."""
    chosen = right_answers(activity)
    submit = lambda: knowledge_check_submit(learner=learner, activity=activity, chosen=chosen)  # noqa: E731
    attempts, _ = run_held("LOCK TABLE quiz_attempt IN ACCESS EXCLUSIVE MODE", [submit, submit])
    assert sorted(attempt.number for attempt in attempts) == [1, 2]


@postgresql_only
def test_the_last_lesson_and_a_passing_attempt_at_the_same_moment_complete_the_activity(
    activity, learner
):
    """Each writes its row, then reads the activity's lessons to see whether all is done: the
    test holds that table, so both reach the check together, every run."""
    lessons = list(Lesson.objects.for_activity(activity))
    for lesson in lessons[:-1]:
        LessonCompletion.objects.record(learner=learner, lesson=lesson)
    chosen = right_answers(activity)
    run_held(
        "LOCK TABLE lessons_lesson IN ACCESS EXCLUSIVE MODE",
        [
            lambda: lesson_complete(learner=learner, lesson=lessons[-1]),
            lambda: knowledge_check_submit(learner=learner, activity=activity, chosen=chosen),
        ],
    )
    assert ActivityCompletion.objects.filter(learner=learner, activity=activity).count() == 1


@postgresql_only
def test_comments_claims_and_answers_sent_while_the_account_is_deleted_are_refused(
    activity, learner, designation
):
    """The deletion holds the learner's row until it commits; what the learner sent meanwhile
    waits for it, then finds the account closed: a 403 each, and nothing of it survives."""
    from tests.cme.test_credit import claim_form, claim_url, evaluate

    with time_machine.travel(IN_CREDIT_PERIOD, tick=True):
        complete(learner, activity)
        evaluate(learner, activity)
        client = client_of(learner)
        thoughts = reverse("quiz:comment", args=[activity.slug])
        poll = activity.polls.get()
        vote = {f"poll-{poll.pk}-option": poll.options.first().pk}
        jobs = [
            posting(client_of(learner), thoughts, {"body": f"Sent while leaving {n}"})
            for n in range(3)
        ]
        jobs += [
            posting(client_of(learner), claim_url(activity), claim_form()),
            posting(client_of(learner), poll.get_vote_url(), vote),
        ]
        statuses, _ = run_held(lambda: account_delete(user=learner), jobs)
    assert statuses == [403] * 5
    assert not Comment.objects.filter(learner=learner).exists()
    assert not CreditClaim.objects.exists()
    assert not PollResponse.objects.filter(learner=learner).exists()
    assert client.get(reverse("cme:progress")).status_code == 302  # logged out: no account
