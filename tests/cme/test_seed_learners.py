"""The seed_learners command: plausible, clearly synthetic learners for demos and benchmarks."""

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from celmod_course.accounts.models import User
from celmod_course.cme.models import ActivityCompletion
from lessons.models import LessonCompletion
from quiz.models import Answer, Attempt, Comment, Moment, Poll, PollResponse
from tests.conftest import complete
from tests.html import block_texts


def test_it_seeds_synthetic_learners_with_progress_responses_and_attempts(activity, capsys):
    call_command("seed_learners", "200", "--responses", "150", "--attempts", "60")
    learners = User.objects.filter(is_synthetic=True)
    assert learners.count() == 200
    assert all(u.full_name.startswith("Synthetic Learner ") for u in learners)
    assert all(u.email.endswith("@example.invalid") for u in learners)
    assert not any(u.has_usable_password() for u in learners)
    assert PollResponse.objects.filter(moment=Moment.AFTER).count() == 150
    assert Attempt.objects.count() == 60
    assert "Seeded 200 synthetic learners" in capsys.readouterr().out

    lessons = activity.lessons.count()
    for completion in ActivityCompletion.objects.select_related("attempt"):
        assert completion.attempt.passed
        assert LessonCompletion.objects.filter(learner=completion.learner_id).count() == lessons
    for attempt in Attempt.objects.prefetch_related("answers"):
        assert attempt.answers.count() == attempt.total == 10
        assert sum(a.is_correct for a in attempt.answers.all()) == attempt.score
    retakes = Attempt.objects.filter(number__gt=1)
    for retake in retakes:
        earlier = Attempt.objects.get(learner=retake.learner_id, number=retake.number - 1)
        assert earlier.submitted_at <= retake.submitted_at


def test_it_seeds_plausible_before_and_after_pairs(activity):
    call_command("seed_learners", "400", "--responses", "300", "--before", "0.8")
    before = PollResponse.objects.filter(moment=Moment.BEFORE)
    assert 200 < before.count() < 280  # about 80% of the 300
    skipped = before.filter(option__isnull=True).count()
    assert 0 < skipped < before.count() / 4
    after = dict(
        PollResponse.objects.filter(moment=Moment.AFTER).values_list("learner", "option__value")
    )
    pairs = [
        (value, after[learner])
        for learner, value in before.answered().values_list("learner", "option__value")
    ]
    rose = sum(a > b for b, a in pairs)
    fell = sum(a < b for b, a in pairs)
    assert rose > fell > 0  # mostly more confident after, as a plausible cohort would be
    for row in before.select_related("learner"):
        assert (
            row.created_at
            < PollResponse.objects.get(learner=row.learner, moment="after").created_at
        )


def test_seeding_twice_adds_more_learners(activity):
    call_command("seed_learners", "20")
    call_command("seed_learners", "30")
    assert User.objects.filter(is_synthetic=True).count() == 50
    assert PollResponse.objects.filter(moment=Moment.AFTER).count() == 16 + 24


def test_delete_removes_every_synthetic_learner_and_nothing_else(activity, learner):
    call_command("seed_learners", "20")
    call_command("seed_learners", "--delete")
    assert list(User.objects.all()) == [learner]
    assert not PollResponse.objects.exists()


def test_it_refuses_impossible_numbers(activity):
    with pytest.raises(CommandError):
        call_command("seed_learners", "0")
    with pytest.raises(CommandError):
        call_command("seed_learners", "10", "--responses", "11")


def test_the_seeded_learners_keep_the_shape_and_every_rule_of_real_ones(activity, learner):
    call_command(
        "seed_learners", "300", "--responses", "200", "--attempts", "150", "--before", "0.5"
    )
    connection.check_constraints()  # every foreign key, which the database checks at commit

    learners = dict(User.objects.filter(is_synthetic=True).values_list("pk", "profession"))
    assert len(learners) == 300
    assert min(learners) > learner.pk

    lessons = list(activity.lessons.order_by("order").values_list("pk", flat=True))
    done = {}
    for user_id, lesson_id in LessonCompletion.objects.values_list("learner", "lesson"):
        done.setdefault(user_id, []).append(lesson_id)
    assert all(sorted(ids, key=lessons.index) == lessons[: len(ids)] for ids in done.values())
    finished = {user_id for user_id, ids in done.items() if len(ids) == len(lessons)}

    poll = Poll.objects.get(activity=activity)
    responses = PollResponse.objects.filter(poll=poll)
    after = {r.learner_id: r for r in responses.filter(moment=Moment.AFTER)}
    before = {r.learner_id: r for r in responses.filter(moment=Moment.BEFORE)}
    assert len(after) == 200
    assert 70 < len(before) < 130 and set(before) <= set(after)
    for user_id, answer in after.items():
        earlier = before.get(user_id)
        assert answer.before_option_id == (earlier.option_id if earlier else None)
        assert answer.profession == learners[user_id]
    stored = list(responses.order_by("pk").values_list("created_at", flat=True))
    assert stored == sorted(stored)  # recorded in the order given, as real answers are

    attempts = list(Attempt.objects.order_by("pk").prefetch_related("answers"))
    assert len(attempts) == 150
    assert [a.submitted_at for a in attempts] == sorted(a.submitted_at for a in attempts)
    numbers, first_passed = {}, {}
    for attempt in attempts:
        assert attempt.learner_id in finished
        numbers[attempt.learner_id] = numbers.get(attempt.learner_id, 0) + 1
        assert attempt.number == numbers[attempt.learner_id]
        assert attempt.answers.count() == attempt.total == 10
        assert sum(a.is_correct for a in attempt.answers.all()) == attempt.score
        assert attempt.passed == activity.passes(attempt.score, attempt.total)
        if attempt.passed:
            first_passed.setdefault(attempt.learner_id, attempt.pk)

    completions = ActivityCompletion.objects.all()
    assert dict(completions.values_list("learner", "attempt")) == first_passed
    for completion in completions.select_related("learner"):
        assert completion.name == completion.learner.full_name
        assert completion.profession == completion.learner.profession
        assert completion.activity_title == activity.title


def snapshot():
    """What the synthetic learners did, by name: everything but ids and certificate numbers."""
    return [
        (
            user.full_name,
            user.profession,
            user.date_joined,
            list(user.lesson_completions.order_by("lesson__order").values_list("completed_at")),
            list(user.poll_responses.order_by("moment").values_list("moment", "option__value")),
            list(user.attempts.order_by("number").values_list("score", "submitted_at")),
            list(
                Answer.objects.filter(attempt__learner=user)
                .order_by("attempt__number", "question__order")
                .values_list("choice__text")
            ),
        )
        for user in User.objects.filter(is_synthetic=True).order_by("full_name")
    ]


def test_the_same_seed_makes_the_same_learners(activity):
    with time_machine.travel("2026-01-10 12:00Z", tick=False):
        call_command("seed_learners", "40", "--seed", "7")
        first = snapshot()
        call_command("seed_learners", "--delete")
        call_command("seed_learners", "40", "--seed", "7")
    assert snapshot() == first
    assert len({row[2] for row in first}) == 40


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in [
            User,
            LessonCompletion,
            PollResponse,
            Attempt,
            Answer,
            ActivityCompletion,
            Comment,
            LogEntry,
        ]
    }


def test_delete_removes_the_synthetic_learners_rows_and_no_other(activity, learner, staff):
    poll = Poll.objects.get(activity=activity)
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=4))
    complete(learner, activity)
    Comment.objects.create(learner=learner, activity=activity, body="Mine")
    before_seeding = row_counts()

    call_command("seed_learners", "60")
    synthetic = User.objects.filter(is_synthetic=True).first()
    # Rows the seed did not make go too: whatever refers to a synthetic learner.
    Comment.objects.create(learner=synthetic, activity=activity, body="Made up")
    LogEntry.objects.create(user=synthetic, action_flag=ADDITION, object_repr="made up")
    assert row_counts()["User"] == before_seeding["User"] + 60

    call_command("seed_learners", "--delete")
    assert row_counts() == before_seeding
    assert set(User.objects.all()) == {learner, staff}
    assert ActivityCompletion.objects.get().learner == learner


def test_your_thoughts_counts_the_seeded_learners_and_forgets_them_when_deleted(
    activity, learner_client, learner
):
    poll = Poll.objects.get(activity=activity)
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=4))
    url = reverse("quiz:your_thoughts", args=[activity.slug])
    waiting = "How other learners answered appears here once at least 5 learners have answered"
    assert any(text.startswith(waiting) for text in block_texts(learner_client.get(url)))

    call_command("seed_learners", "10")  # 8 of them answer
    assert "How 9 learners answered" in block_texts(learner_client.get(url))

    call_command("seed_learners", "--delete")
    assert any(text.startswith(waiting) for text in block_texts(learner_client.get(url)))
