"""How far a learner has got in an activity: lessons, Your Thoughts, knowledge check, completion.

One `Progress` per activity answers every page's questions about it (marks in the table of
contents, the progress bar, the state, the overview's main button), so they cannot disagree.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import prefetch_related_objects
from django.urls import reverse

from celmod_course.refusal import Refused
from lessons.models import Activity, Lesson, LessonCompletion
from quiz.models import Attempt, Poll, whole_percent

from .models import ActivityCompletion, CreditClaim, Evaluation, amount_text, credit_offer


class State(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


@dataclass(frozen=True)
class Step:
    """Where the overview's main button leads."""

    label: str
    url: str
    title: str = ""  # what the label leads to, for screen readers, when the label alone is vague


@dataclass(frozen=True)
class Progress:
    learner: object
    activity: Activity
    lessons: list[Lesson]  # numbered, in order (`Lesson.objects.numbered()`)
    completed_at: dict[int, datetime] = field(default_factory=dict)
    attempted: bool = False
    passed: bool = False
    completion: ActivityCompletion | None = None

    @classmethod
    def for_activity(cls, learner, activity, lessons):
        """Three queries: lesson completions, attempts, and the activity completion."""
        return cls.for_activities(learner, [activity], {activity.pk: lessons})[0]

    @classmethod
    def for_activities(cls, learner, activities, lessons=None):
        """Three queries for any number of activities.

        `lessons` maps activity ids to their numbered lessons; without it they are fetched
        (one query more).
        """
        if lessons is None:
            lessons = defaultdict(list)
            for lesson in Lesson.objects.filter(activity__in=activities).numbered():
                lessons[lesson.activity_id].append(lesson)
        completed_at = defaultdict(dict)
        attempted, passed, completions = set(), set(), {}
        if learner.is_authenticated:
            rows = LessonCompletion.objects.filter(
                learner=learner, lesson__activity__in=activities
            ).values_list("lesson__activity_id", "lesson_id", "completed_at")
            for activity_id, lesson_id, when in rows:
                completed_at[activity_id][lesson_id] = when
            outcomes = (
                Attempt.objects.filter(learner=learner, activity__in=activities)
                .values_list("activity_id", "passed")
                .order_by()  # the default ordering would put its columns in the DISTINCT
                .distinct()
            )
            for activity_id, has_passed in outcomes:
                attempted.add(activity_id)
                if has_passed:
                    passed.add(activity_id)
            completions = {
                completion.activity_id: completion
                for completion in ActivityCompletion.objects.filter(
                    learner=learner, activity__in=activities
                ).select_related("activity")
            }
        return [
            cls(
                learner,
                activity,
                lessons[activity.pk],
                completed_at[activity.pk],
                attempted=activity.pk in attempted,
                passed=activity.pk in passed,
                completion=completions.get(activity.pk),
            )
            for activity in activities
        ]

    def is_completed(self, lesson):
        return lesson.pk in self.completed_at

    @property
    def marked_lessons(self):
        """(lesson, completed) pairs in order, for tables of contents."""
        return [(lesson, self.is_completed(lesson)) for lesson in self.lessons]

    @property
    def completed_count(self):
        return sum(1 for lesson in self.lessons if self.is_completed(lesson))

    @property
    def total(self):
        return len(self.lessons)

    @property
    def percent(self):
        return whole_percent(self.completed_count, self.total)

    @cached_property
    def polls_answered(self):
        """Whether the learner has answered every poll of Your Thoughts (one query, on demand)."""
        polls = list(Poll.objects.for_activity(self.activity).with_answered(self.learner))
        return bool(polls) and all(poll.answered for poll in polls)

    @cached_property
    def designations(self):
        return list(self.activity.designations.all())

    @property
    def credit_offered(self):
        """The credit the activity offers, as lines: the learner's own designation when they are
        logged in ("up to 1 AMA PRA Category 1 Credit™"), every profession's otherwise."""
        designations = self.designations
        if self.learner.is_authenticated:
            mine = [d for d in designations if d.profession == self.learner.profession]
            return [f"up to {d.maximum}" for d in mine]
        return [f"{d.get_profession_display()}: up to {d.maximum}" for d in designations]

    @cached_property
    def evaluated(self):
        """Whether the learner has filled in the evaluation (one query, once completed)."""
        return (
            bool(self.completion) and Evaluation.objects.filter(completion=self.completion).exists()
        )

    @cached_property
    def credit(self):
        """Where the learner stands on credit, as `credit_offer` says: "offered" (to claim now),
        or why not: "not_completed", "evaluate", "claimed", "expired", "no_designation" or
        "revoked".
        Before completion it says what is already known: expired, or none for the profession."""
        if not self.completion:
            if self.activity.is_expired():
                return "expired"
            if self.learner.is_authenticated and not self.credit_offered:
                return "no_designation"
            return "not_completed"
        try:
            credit_offer(learner=self.learner, activity=self.activity)
        except Refused as refusal:
            return refusal.code
        return "offered"

    @property
    def state(self):
        if self.completion:
            return State.COMPLETED
        return State.IN_PROGRESS if self.completed_count or self.attempted else State.NOT_STARTED

    @property
    def completed_on(self):
        return self.completion.completed_on if self.completion else None

    @property
    def next_lesson(self):
        """The first lesson not yet completed, in the activity's order."""
        return next((lesson for lesson in self.lessons if not self.is_completed(lesson)), None)

    @property
    def your_thoughts_number(self):
        """Your Thoughts and the knowledge check follow the lessons in the table of contents."""
        return self.total + 1

    @property
    def knowledge_check_number(self):
        return self.total + 2

    @property
    def evaluation_number(self):
        return self.total + 3

    @property
    def credit_number(self):
        """Credit is a step only where the activity designates some."""
        return self.total + 4

    @property
    def certificate_number(self):
        return self.total + (5 if self.designations else 4)

    @property
    def knowledge_check_url(self):
        return reverse("cme:knowledge_check", args=[self.activity.slug])

    @property
    def action(self):
        """The overview's main button: Start, Continue (to the first unfinished step), the next
        step to credit once completed when credit is offered to the learner, or Review."""
        if not self.lessons:
            return None
        first = self.lessons[0]
        if self.state == State.NOT_STARTED:
            return Step("Start", first.get_absolute_url(), first.heading)
        if self.state == State.COMPLETED:
            slug = self.activity.slug
            if self.credit == "evaluate":
                return Step("Next: evaluation and credit", reverse("cme:evaluation", args=[slug]))
            if self.credit == "offered":
                return Step("Next: claim your credit", reverse("cme:claim", args=[slug]))
            return Step("Review", first.get_absolute_url(), first.heading)
        if self.next_lesson:
            return Step("Continue", self.next_lesson.get_absolute_url(), self.next_lesson.heading)
        return Step("Continue", self.knowledge_check_url, "Knowledge check")


@dataclass(frozen=True)
class Transcript:
    """The learner's CME transcript: each completed activity with the credit claimed for it,
    and the total claimed per credit type."""

    entries: list[tuple[ActivityCompletion, CreditClaim | None]]

    @classmethod
    def for_learner(cls, learner):
        """Two queries: the completions and the claims."""
        completions = ActivityCompletion.objects.filter(learner=learner).select_related("activity")
        return cls.for_completions(list(completions))

    @classmethod
    def for_completions(cls, completions):
        """Two queries: the claims and the corrections for these completions (with their
        activities fetched)."""
        prefetch_related_objects(completions, "corrections")
        claims = {
            claim.evaluation.completion_id: claim
            for claim in CreditClaim.objects.filter(
                evaluation__completion__in=completions
            ).select_related("designation", "evaluation")
        }
        completions = sorted(completions, key=lambda completion: completion.completed_at)
        return cls([(completion, claims.get(completion.pk)) for completion in completions])

    @property
    def totals(self):
        """[(credit type, total amount as printed)], by credit type; a revoked certificate's
        credit counts for nothing."""
        totals = defaultdict(Decimal)
        for completion, claim in self.entries:
            if claim and not completion.revocation:
                totals[claim.credit_type] += claim.amount
        return [(credit_type, amount_text(total)) for credit_type, total in sorted(totals.items())]

    def csv_rows(self):
        for completion, claim in self.entries:
            yield [
                completion.activity_title,
                completion.completed_on.isoformat(),
                completion.certificate_number,
                claim.credit_type if claim else "",
                amount_text(claim.amount) if claim else "",
            ]


TRANSCRIPT_CSV_HEADER = ["activity", "completed_on", "certificate_number", "credit_type", "amount"]
