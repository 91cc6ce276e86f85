"""Writes of the quiz app that span several models or rules, one function each, keyword-only and
atomic.

Completing the activity when an attempt passes is not here: that rule needs the lessons too and
lives a layer up, in `celmod_course.cme.services`, which calls `attempt_submit` first.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from celmod_course.refusal import Refused
from celmod_course.signals import rows_created

from .models import Answer, Attempt, Comment, Moment, PollResponse


def when(moment):
    """A moment for a learner: "on December 4, 2026 at 3:15 p.m. (UTC)", in the site's zone."""
    local = timezone.localtime(moment)
    return f"on {date_format(local, 'F j, Y')} at {date_format(local, 'P')} ({local.tzname()})"


def attempt_submit(*, learner, activity, chosen, started_at=None, shuffle_seed=0):
    """Score a knowledge check and keep it with its answers; returns the attempt, or raises
    Refused while the attempt policy makes the learner wait (`Attempt.objects.next_opens_at`).

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
        opens_at = Attempt.objects.next_opens_at(learner, activity)
        if opens_at is not None:
            raise Refused(
                f"You have used the {activity.attempts_before_wait} attempts in a row the "
                f"knowledge check allows. Your next attempt opens {when(opens_at)}. Until then, "
                "review the lessons.",
                code="wait",
            )
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
        answers = Answer.objects.bulk_create(
            Answer(attempt=attempt, question=question, choice=choice, is_correct=choice.is_correct)
            for question, choice in chosen.items()
        )
        rows_created.send(sender=Answer, rows=answers)
    return attempt


def poll_answer_before(*, learner, poll, option=None):
    """Record the learner's answer to the poll before the first lesson (`option` None: they
    skip it); raises Refused saying why it cannot be recorded.

    Asked once, and only before the answer at Your Thoughts: an answer given after it would not
    measure where the learner started. The learner's row is locked so that this and their
    answer at Your Thoughts, arriving together, are taken one after the other.
    """
    if not poll.asked_before:
        raise Refused("This question is not asked before the lessons.")
    if option is not None and option.poll_id != poll.pk:
        raise Refused("That answer is not one of this question's options.")
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        if PollResponse.objects.filter(learner=learner, poll=poll, moment=Moment.AFTER).exists():
            raise Refused(
                "You have already answered this question at Your Thoughts, so it is not asked "
                "before the lessons any more."
            )
        recorded = PollResponse.objects.record(
            learner=learner, option=option, poll=poll, moment=Moment.BEFORE
        )
    if not recorded:
        raise Refused("You have already answered this question before the lessons.")


def poll_answer(*, learner, option):
    """Record the learner's final answer to a poll at Your Thoughts; False if they had already
    answered it. Their answer before the lessons, if any, is kept with it; the learner's row is
    locked so that one arriving at the same moment is not missed."""
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        return PollResponse.objects.record(learner=learner, option=option)


def comment_post(*, learner, activity, body):
    """Post the learner's comment in the activity's discussion; returns it."""
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        return Comment.objects.create(learner=learner, activity=activity, body=body)
