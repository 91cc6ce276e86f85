"""Writes of the quiz app that span several models, one function each, keyword-only and atomic.

Completing the activity when an attempt passes is not here: that rule needs the lessons too and
lives a layer up, in `celmod_course.cme.services`, which calls `attempt_submit` first.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Answer, Attempt


def attempt_submit(*, learner, activity, chosen, started_at=None, shuffle_seed=0):
    """Score a knowledge check and keep it with its answers; returns the attempt.

    `chosen` maps every question of the activity to the choice the learner picked; the form
    has already checked that each choice belongs to its question (and the database checks
    it again). `shuffle_seed` is the seed that ordered the choices the learner saw. The
    learner's row is locked until the caller's transaction ends, so that two
    submits of one learner cannot take the same attempt number.
    """
    submitted_at = timezone.now()
    if started_at is None or started_at > submitted_at:
        started_at = submitted_at
    score = sum(1 for choice in chosen.values() if choice.is_correct)
    total = len(chosen)
    # No savepoint when a caller's transaction holds this one: nothing here is caught and retried.
    with transaction.atomic(savepoint=False):
        get_user_model().objects.lock(learner)
        attempt = Attempt.objects.create(
            learner=learner,
            activity=activity,
            number=Attempt.objects.filter(learner=learner, activity=activity).count() + 1,
            started_at=started_at,
            submitted_at=submitted_at,
            score=score,
            total=total,
            passed=activity.passes(score, total),
            shuffle_seed=shuffle_seed,
        )
        Answer.objects.bulk_create(
            Answer(attempt=attempt, question=question, choice=choice, is_correct=choice.is_correct)
            for question, choice in chosen.items()
        )
    return attempt
