"""What records a statement: the lower apps' own writes, heard here through their signals (they
never import this app). Each receiver runs inside the transaction that writes the row, so the
statement is kept with it or not at all, and is queued for sending once that commits.

Nothing is recorded while `XAPI_ENDPOINT` is unset, for a row loaded from a fixture, or for
staff (their test runs are not anyone's learning, as they are not results).
"""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_save

from celmod_course.cme.duration import time_recorded
from celmod_course.cme.models import ActivityCompletion, CreditClaim
from celmod_course.cme.progress import Progress
from celmod_course.signals import rows_created
from lessons.models import Lesson, LessonCompletion
from quiz.models import Answer, Attempt, PollResponse

from . import statements
from .models import Statement


def _recording(created=True, raw=False):
    """Whether a write should make statements: before anything is looked up for them."""
    return bool(settings.XAPI_ENDPOINT) and created and not raw


def _learning(learner):
    return not learner.is_staff


def lesson_completed(sender, instance, created, raw=False, **kwargs):
    if not (_recording(created, raw) and _learning(instance.learner)):
        return
    lessons = list(Lesson.objects.for_activity(instance.lesson.activity))
    number = next(lesson.number for lesson in lessons if lesson.pk == instance.lesson_id)
    progress = Progress.for_activity(instance.learner, instance.lesson.activity, lessons)
    Statement.objects.record(statements.lesson_completed(instance, number=number))
    Statement.objects.record(statements.activity_progressed(instance, percent=progress.percent))


def poll_answered(sender, instance, created, raw=False, **kwargs):
    # A skipped question before the lessons is no answer: nothing to state.
    if instance.option_id is None or not (_recording(created, raw) and _learning(instance.learner)):
        return
    Statement.objects.record(statements.poll_answered(instance))


def attempt_scored(sender, instance, created, raw=False, **kwargs):
    if _recording(created, raw) and _learning(instance.learner):
        Statement.objects.record(statements.attempt_scored(instance))


def questions_answered(sender, rows, **kwargs):
    """The answers of an attempt, created together (`bulk_create`, so no post_save)."""
    if not (rows and _recording() and _learning(rows[0].attempt.learner)):
        return
    prefetch_related_objects(rows, "question__choices")
    for answer in sorted(rows, key=lambda answer: answer.question.order):
        Statement.objects.record(statements.question_answered(answer, attempt=answer.attempt))


def activity_completed(sender, instance, created, raw=False, **kwargs):
    if _recording(created, raw) and _learning(instance.learner):
        duration = time_recorded(instance.learner, instance.activity)
        Statement.objects.record(statements.activity_completed(instance, duration=duration))


def credit_claimed(sender, instance, created, raw=False, **kwargs):
    if not _recording(created, raw):
        return
    completion = instance.evaluation.completion
    if _learning(completion.learner):
        Statement.objects.record(statements.credit_claimed(instance, completion=completion))


def connect():
    """Listen to the writes that make statements (called once, from the app's `ready()`)."""
    for receiver, model in [
        (lesson_completed, LessonCompletion),
        (poll_answered, PollResponse),
        (attempt_scored, Attempt),
        (activity_completed, ActivityCompletion),
        (credit_claimed, CreditClaim),
    ]:
        post_save.connect(receiver, sender=model, dispatch_uid=f"xapi-{receiver.__name__}")
    rows_created.connect(questions_answered, sender=Answer, dispatch_uid="xapi-questions-answered")
