"""Writes that may complete an activity: one function each, keyword-only, in one transaction.

Each calls down to the lower app's own write first, then applies the completion rule, with the
learner's row locked so that the last lesson and a passing attempt arriving together cannot
miss each other.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from lessons.models import LessonCompletion
from quiz.services import attempt_submit

from .models import ActivityCompletion


def lesson_complete(*, learner, lesson):
    """Mark the lesson complete; returns the activity's new completion, if this completed it."""
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        LessonCompletion.objects.record(learner=learner, lesson=lesson)
        return ActivityCompletion.objects.record_if_complete(
            learner=learner, activity=lesson.activity
        )


def knowledge_check_submit(*, learner, activity, chosen, started_at=None, shuffle_seed=0):
    """Score and keep an attempt, and complete the activity if it passed and the lessons are
    done; returns the attempt."""
    with transaction.atomic():
        attempt = attempt_submit(
            learner=learner,
            activity=activity,
            chosen=chosen,
            started_at=started_at,
            shuffle_seed=shuffle_seed,
        )
        if attempt.passed:
            ActivityCompletion.objects.record_if_complete(learner=learner, activity=activity)
    return attempt
