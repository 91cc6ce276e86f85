"""The seed_learners command: plausible, clearly synthetic learners for demos and benchmarks."""

import pytest
from django.core.management import CommandError, call_command

from celmod_course.accounts.models import User
from celmod_course.cme.models import ActivityCompletion
from lessons.models import LessonCompletion
from quiz.models import Attempt, Moment, PollResponse


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
