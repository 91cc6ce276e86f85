"""How far a learner has got in an activity, derived from their lesson completions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .models import Activity, Lesson, LessonCompletion

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass(frozen=True)
class Progress:
    activity: Activity
    lessons: list[Lesson]
    completed_at: dict[int, datetime] = field(default_factory=dict)

    @classmethod
    def for_activity(cls, learner, activity, lessons):
        """One query: the learner's completions of this activity's lessons."""
        completed_at = {}
        if learner.is_authenticated:
            completed_at = dict(
                LessonCompletion.objects.filter(
                    learner=learner, lesson__activity=activity
                ).values_list("lesson_id", "completed_at")
            )
        return cls(activity, lessons, completed_at)

    @classmethod
    def for_activities(cls, learner, activities):
        """One query for any number of activities, whose lessons are prefetched."""
        completed_at = defaultdict(dict)
        if learner.is_authenticated:
            rows = LessonCompletion.objects.filter(
                learner=learner, lesson__activity__in=activities
            ).values_list("lesson__activity_id", "lesson_id", "completed_at")
            for activity_id, lesson_id, when in rows:
                completed_at[activity_id][lesson_id] = when
        return [
            cls(activity, list(activity.lessons.all()), completed_at[activity.pk])
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
        return round(100 * self.completed_count / self.total) if self.total else 0

    @property
    def state(self):
        if self.total and self.completed_count == self.total:
            return COMPLETED
        return IN_PROGRESS if self.completed_count else NOT_STARTED

    @property
    def completed_on(self):
        """The day the last lesson was completed, once all are."""
        if self.state != COMPLETED:
            return None
        return timezone.localdate(max(self.completed_at.values()))

    @property
    def next_lesson(self):
        """The first lesson not yet completed, in the activity's order."""
        return next((lesson for lesson in self.lessons if not self.is_completed(lesson)), None)

    @property
    def action(self):
        """The overview's main button: its label and the lesson it opens."""
        if not self.lessons:
            return None
        if self.state == NOT_STARTED:
            return "Start", self.lessons[0]
        if self.state == IN_PROGRESS:
            return "Continue", self.next_lesson
        return "Review", self.lessons[0]
