"""The activity-level writes: one function each, keyword-only, in one transaction.

Those that may complete an activity call down to the lower app's own write first, then apply
the completion rule, with the learner's row locked so that the last lesson and a passing
attempt arriving together cannot miss each other. The evaluation and the credit claim come
after completion and refuse, with a reason for the learner (`Refused`), what they cannot do.
"""

import secrets

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from celmod_course.refusal import Refused
from celmod_course.signals import rows_created, rows_updated
from lessons.models import LessonCompletion
from quiz.models import Comment
from quiz.services import attempt_submit

from . import tallies
from .duration import time_recorded
from .models import (
    ActivityCompletion,
    CertificateCorrection,
    CreditClaim,
    Evaluation,
    EvaluationAnswer,
    completion_required,
    credit_offer,
)


def lesson_complete(*, learner, lesson, opened_at=None):
    """Mark the lesson complete (`opened_at`: when its page was opened, if known); returns the
    activity's new completion, if this completed it."""
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        LessonCompletion.objects.record(learner=learner, lesson=lesson, opened_at=opened_at)
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


def evaluation_submit(*, learner, activity, answers):
    """Keep the learner's evaluation with its answers (`{question: (value, yes, text)}`).

    Opens once the activity is complete; raises Refused before that, or when the learner has
    already submitted one (the one-to-one with the completion decides, also for a double
    submit).
    """
    completion = ActivityCompletion.objects.of(learner, activity)
    if completion is None:
        raise completion_required("The evaluation")
    try:
        with transaction.atomic():
            get_user_model().objects.lock(learner)
            evaluation = Evaluation.objects.create(completion=completion)
            rows = EvaluationAnswer.objects.bulk_create(
                EvaluationAnswer(evaluation=evaluation, question=q, value=v, yes=y, text=t)
                for q, (v, y, t) in answers.items()
            )
            rows_created.send(sender=EvaluationAnswer, rows=rows)
    except IntegrityError:
        raise Refused("You have already submitted the evaluation. Thank you.") from None
    return evaluation


def credit_claim(*, learner, activity, amount, first_name, last_name, reporting=None):
    """Record the learner's credit claim; raises Refused saying why it cannot be made.

    `reporting` holds the accreditor-reporting fields the learner opted to give (licence_id,
    birth_month, birth_day). The amount must be one the designation offers; the database holds
    one claim per evaluation (and so per learner and activity), whatever arrives at once.
    """
    with transaction.atomic():
        get_user_model().objects.lock(learner)
        offer = credit_offer(learner=learner, activity=activity)
        if amount not in offer.designation.amounts:
            raise Refused("Choose one of the amounts offered: steps of 0.25 up to the maximum.")
        try:
            with transaction.atomic():
                return CreditClaim.objects.create(
                    evaluation=offer.evaluation,
                    designation=offer.designation,
                    # What the certificate states of the credit, as issued now.
                    profession=offer.completion.profession,
                    credit_type=offer.designation.credit_type,
                    statement=offer.designation.statement,
                    time_recorded=time_recorded(learner, activity),
                    amount=amount,
                    attested=True,
                    first_name=first_name,
                    last_name=last_name,
                    **(reporting or {}),
                )
        except IntegrityError:
            raise Refused("You have already claimed credit for this activity.") from None


DELETED_NAME = "Deleted learner"


def account_delete(*, user):
    """Remove the person from their account: name, email, password, comments, the names and
    reporting details on their credit claims, their written evaluation answers, their log-in
    records. What they did stays for the activity's statistics, pointing to a row that no
    longer names anyone: answers, attempts, completions, the amount of credit claimed."""
    with transaction.atomic():
        get_user_model().objects.lock(user)
        old_email = user.email
        Comment.objects.filter(learner=user).delete()
        with tallies.changing(user.pk, ["evaluations"]):  # how many wrote an answer
            EvaluationAnswer.objects.filter(evaluation__completion__learner=user).update(text="")
        CreditClaim.objects.filter(evaluation__completion__learner=user).update(
            first_name="", last_name="", licence_id="", birth_month=None, birth_day=None
        )
        ActivityCompletion.objects.filter(learner=user).update(name=DELETED_NAME)
        CertificateCorrection.objects.filter(completion__learner=user).exclude(name="").update(
            name=DELETED_NAME, first_name="", last_name=""
        )
        rows_updated.send(sender=CreditClaim, learner_ids=[user.pk])
        AccessAttempt.objects.filter(username=old_email).delete()
        AccessLog.objects.filter(username=old_email).delete()
        AccessFailureLog.objects.filter(username=old_email).delete()
        user.email = f"deleted-{user.pk}-{secrets.token_hex(8)}@deleted.invalid"
        user.full_name = DELETED_NAME
        user.is_active = False
        user.set_unusable_password()
        user.save()
