"""Grade passback starts here: a passing knowledge-check attempt, or a completed activity, of a
learner an LMS launched records a score report for each of their placements, in the same
transaction, and queues it for the worker once that commits. The lower apps know nothing of
this: the receivers are connected from `LtiConfig.ready()`."""

from django.db import transaction
from django.db.models.signals import post_save

from celmod_course.cme.models import ActivityCompletion
from quiz.models import Attempt

from .models import ScoreReport


def _record(learner_id, activity_id, at):
    from .tasks import send_score  # the queue, once Django is set up

    for report in ScoreReport.objects.record(learner_id=learner_id, activity_id=activity_id, at=at):
        transaction.on_commit(lambda pk=report.pk: send_score(pk))


def attempt_saved(sender, instance, created, raw=False, **kwargs):
    if created and instance.passed and not raw:
        _record(instance.learner_id, instance.activity_id, instance.submitted_at)


def completion_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _record(instance.learner_id, instance.activity_id, instance.completed_at)


def connect():
    post_save.connect(attempt_saved, sender=Attempt, dispatch_uid="lti-score-on-attempt")
    post_save.connect(completion_saved, sender=ActivityCompletion, dispatch_uid="lti-score-on-done")
