"""The seed_learners command: plausible, clearly synthetic learners for demos and benchmarks."""

import pytest
from django.core.management import CommandError, call_command

from celmod_course.accounts.models import User
from celmod_course.cme.models import ActivityCompletion
from lessons.models import LessonCompletion
from quiz.models import Attempt, PollResponse


def test_it_seeds_synthetic_learners_with_progress_responses_and_attempts(activity, capsys):
    call_command("seed_learners", "200", "--responses", "150", "--attempts", "60")
    learners = User.objects.filter(is_synthetic=True)
    assert learners.count() == 200
    assert all(u.full_name.startswith("Synthetic Learner ") for u in learners)
    assert all(u.email.endswith("@example.invalid") for u in learners)
    assert not any(u.has_usable_password() for u in learners)
    assert PollResponse.objects.count() == 150
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


def test_seeding_twice_adds_more_learners(activity):
    call_command("seed_learners", "20")
    call_command("seed_learners", "30")
    assert User.objects.filter(is_synthetic=True).count() == 50
    assert PollResponse.objects.count() == 16 + 24


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
