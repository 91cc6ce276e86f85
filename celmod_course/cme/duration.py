"""How long an activity takes, estimated from what the learner reads: the words of its lessons
and of its knowledge check (questions and choices), at a steady reading pace. Nothing is typed in
by hand, so the estimate stays true when staff edit the content (the pages keep it per content
version: `celmod_course.web.pagecache.content_memo`).
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from lessons.models import LessonCompletion, Paragraph
from quiz.models import Attempt, Choice, Question

# Words a minute for reading to learn (slower than the ~240 of reading for pleasure).
WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class Estimate:
    words: int

    @property
    def minutes(self):
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))

    def __str__(self):
        """In plain words: "About 10 minutes"."""
        return f"About {self.minutes} minute{'s' if self.minutes != 1 else ''}"

    @property
    def basis(self):
        """What the estimate rests on: "1,885 words to read, at 200 a minute"."""
        return f"{self.words:,} words to read, at {WORDS_PER_MINUTE} a minute"


def estimates(activities):
    """An `Estimate` for each activity, in order: one query."""
    ids = [activity.pk for activity in activities]
    words = _words(ids)
    return [Estimate(words.get(pk, 0)) for pk in ids]


def _words(ids):
    """Words per activity id, from one query over the three kinds of text."""
    paragraphs = Paragraph.objects.filter(lesson__activity__in=ids).order_by()
    questions = Question.objects.filter(activity__in=ids).order_by()
    choices = Choice.objects.filter(question__activity__in=ids).order_by()
    texts = paragraphs.values_list("lesson__activity", "text").union(
        questions.values_list("activity", "prompt"),
        choices.values_list("question__activity", "text"),
        all=True,
    )
    words = Counter()
    for activity_id, text in texts:
        words[activity_id] += len(text.split())
    return dict(words)


def time_recorded(learner, activity):
    """The time the site recorded the learner spending on the activity: from opening each
    lesson's page to completing the lesson, and each knowledge-check attempt from opening to
    submitting. Lessons completed without a known opening count nothing. Two queries."""
    spans = [
        completion.time_spent
        for completion in LessonCompletion.objects.filter(
            learner=learner, lesson__activity=activity, opened_at__isnull=False
        )
    ]
    spans += [
        attempt.submitted_at - attempt.started_at
        for attempt in Attempt.objects.filter(learner=learner, activity=activity)
    ]
    return sum(spans, timedelta())
