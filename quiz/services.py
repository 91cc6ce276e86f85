from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lessons.models import ActivityCompletion

from .models import Answer, Attempt


def attempt_submit(*, learner, activity, chosen, started_at=None):
    """Score a knowledge check, keep it with its answers, and complete the activity if due.

    `chosen` maps every question of the activity to the choice the learner picked; the form
    has already checked that each choice belongs to its question (and the database checks
    it again).
    """
    submitted_at = timezone.now()
    if started_at is None or started_at > submitted_at:
        started_at = submitted_at
    score = sum(1 for choice in chosen.values() if choice.is_correct)
    total = len(chosen)
    with transaction.atomic():
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
        )
        Answer.objects.bulk_create(
            Answer(attempt=attempt, question=question, choice=choice, is_correct=choice.is_correct)
            for question, choice in chosen.items()
        )
        if attempt.passed:
            ActivityCompletion.objects.record_if_complete(learner=learner, activity=activity)
    return attempt
