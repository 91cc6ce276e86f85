"""What learners answer and say: the knowledge check (questions, choices, attempts, answers), the
polls (options, responses, tallies) and the discussion (comments).

This app sits above `lessons` (questions teach from its lessons) and below `celmod_course.cme`,
which completes the activity when an attempt passes. Statistics count learners only: staff
accounts are left out of every tally (`User.objects.learners()`, `learners_only()`).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from celmod_course.accounts.models import Profession
from celmod_course.signals import rows_updated
from celmod_course.validators import no_control_characters


class QuestionQuerySet(models.QuerySet):
    def for_activity(self, activity):
        return self.filter(activity=activity).order_by("order")


class Question(models.Model):
    """A knowledge-check question; its lesson is the one that teaches the answer."""

    activity = models.ForeignKey(
        "lessons.Activity", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    rationale = models.TextField(help_text="Why the answer is right, and where it stands.")
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.PROTECT, related_name="questions")

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "order"], name="quiz_question_unique_order"
            ),
        ]

    def __str__(self):
        return self.prompt

    def shuffled_choices(self, seed):
        """The choices in the order an attempt shuffled them: the same for the same seed, so
        the attempt's review shows them as the learner saw them. Needs `choices` prefetched."""
        choices = sorted(self.choices.all(), key=lambda choice: choice.pk)
        random.Random(f"{seed}:{self.pk}").shuffle(choices)
        return choices


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField("correct", default=False)

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="quiz_choice_unique_order"),
            models.UniqueConstraint(
                fields=["question"],
                condition=models.Q(is_correct=True),
                name="quiz_choice_one_correct_per_question",
                violation_error_message="A question has one correct choice: tick only one.",
            ),
        ]

    def __str__(self):
        return self.text


class AttemptQuerySet(models.QuerySet):
    def activities_passed(self, learner):
        """The ids of the activities whose knowledge check the learner has passed: until then,
        nothing they are given says which of their answers were right."""
        return set(self.filter(learner=learner, passed=True).values_list("activity_id", flat=True))

    def first_passed(self):
        """The first of these attempts that passed (by attempt number), or None."""
        return self.filter(passed=True).order_by("number").first()

    def best(self):
        """The attempt with the largest share of right answers (the earliest of equals), or
        None: the score an LMS gradebook is sent."""
        return max(
            self.order_by("submitted_at", "pk"),
            key=lambda attempt: Fraction(attempt.score, attempt.total or 1),
            default=None,
        )

    def next_opens_at(self, learner, activity):
        """When the learner may next attempt the activity's knowledge check, or None for now.

        The attempt policy: after every `activity.attempts_before_wait` failed attempts, the
        next opens `activity.wait_hours` after the last one. A learner who has passed may
        retake it at once (the answers are theirs to see by then).
        """
        attempts = self.filter(learner=learner, activity=activity)
        summary = attempts.aggregate(
            count=models.Count("pk"),
            passed=models.Count("pk", filter=models.Q(passed=True)),
            last=models.Max("submitted_at"),
        )
        if summary["passed"] or not summary["count"]:
            return None
        if summary["count"] % activity.attempts_before_wait:
            return None
        opens_at = summary["last"] + timedelta(hours=activity.wait_hours)
        return opens_at if opens_at > timezone.now() else None


class Attempt(models.Model):
    """One submitted knowledge check. Every attempt is kept; retakes add new ones."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    activity = models.ForeignKey(
        "lessons.Activity", on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveIntegerField(help_text="1 for the learner's first attempt, and so on.")
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(help_text="Questions answered correctly.")
    total = models.PositiveSmallIntegerField(help_text="Questions asked.")
    passed = models.BooleanField()
    shuffle_seed = models.PositiveIntegerField(
        default=0, help_text="Orders each question's choices as this attempt showed them."
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["learner", "activity", "passed"])]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "activity", "number"], name="quiz_attempt_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=models.F("total")),
                name="quiz_attempt_score_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__lte=models.F("submitted_at")),
                name="quiz_attempt_started_before_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.score}/{self.total}"

    def get_absolute_url(self):
        return reverse("cme:attempt", args=[self.activity.slug, self.pk])

    @property
    def percent(self):
        return whole_percent(self.score, self.total)

    def lessons_to_review(self, *, lessons):
        """The lessons (from `lessons`, numbered, in order) that teach the questions this attempt
        missed, each once. All a learner who has not yet passed is told of their answers: not
        which questions were right or wrong, so that a retake cannot keep the right ones."""
        missed = set(self.answers.filter(is_correct=False).values_list("question__lesson_id"))
        return [lesson for lesson in lessons if (lesson.pk,) in missed]

    def review(self, *, lessons, show_key):
        """Each answer with its question's choices as this attempt showed them, whether it was
        right, and the lesson that teaches it (from `lessons`, numbered). For a learner who has
        passed; `show_key` adds the correct choice and the rationale."""
        lessons = {lesson.pk: lesson for lesson in lessons}
        answers = (
            self.answers.select_related("question", "choice")
            .prefetch_related("question__choices")
            .order_by("question__order")
        )
        items = []
        for number, answer in enumerate(answers, start=1):
            choices = answer.question.shuffled_choices(self.shuffle_seed)
            items.append(
                ReviewItem(
                    number=number,
                    prompt=answer.question.prompt,
                    choices=choices,
                    chosen=answer.choice,
                    is_correct=answer.is_correct,
                    lesson=lessons[answer.question.lesson_id],
                    correct=next(c for c in choices if c.is_correct) if show_key else None,
                    rationale=answer.question.rationale if show_key else "",
                )
            )
        return items


@dataclass(frozen=True)
class ReviewItem:
    """One question of an attempt's review."""

    number: int
    prompt: str
    choices: list
    chosen: "Choice"
    is_correct: bool
    lesson: object
    correct: "Choice | None"
    rationale: str


class Answer(models.Model):
    """The choice a learner picked for one question of an attempt.

    The database refuses a choice that belongs to another question (see migration 0002).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="answers")
    is_correct = models.BooleanField(
        "correct", help_text="As graded when submitted, even if the key changes later."
    )

    class Meta:
        ordering = ["attempt", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="quiz_answer_one_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.question} → {self.choice}"


class Moment(models.TextChoices):
    BEFORE = "before", "Before the first lesson"
    AFTER = "after", "At Your Thoughts"


class PollQuerySet(models.QuerySet):
    def for_activity(self, activity):
        return self.filter(activity=activity).order_by("order")

    def with_answered(self, learner):
        """Each poll with `answered`: whether this learner has answered it at Your Thoughts."""
        if not learner.is_authenticated:
            return self.annotate(answered=models.Value(False))
        responses = PollResponse.objects.filter(
            poll=models.OuterRef("pk"), learner=learner, moment=Moment.AFTER
        )
        return self.annotate(answered=models.Exists(responses))

    def to_ask_before(self, learner):
        """The polls to ask this learner before the first lesson: those asked before, which
        they have neither answered nor skipped then, nor answered at Your Thoughts."""
        if not learner.is_authenticated:
            return self.none()
        responses = PollResponse.objects.filter(poll=models.OuterRef("pk"), learner=learner)
        return self.filter(asked_before=True).exclude(models.Exists(responses))


class Poll(models.Model):
    """A question learners answer once, on a scale. An activity may hold several."""

    RESULTS_MIN_RESPONSES = 5  # below this, one answer could be singled out

    activity = models.ForeignKey("lessons.Activity", on_delete=models.CASCADE, related_name="polls")
    order = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=100)
    question = models.CharField(max_length=300)
    asked_before = models.BooleanField(
        "also asked before the first lesson",
        default=False,
        help_text="Ask it before the first lesson too (once, skippable), so that each learner's "
        "answer before and at Your Thoughts can be compared.",
    )

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "slug"], name="quiz_poll_unique_slug"),
            models.UniqueConstraint(fields=["activity", "order"], name="quiz_poll_unique_order"),
        ]

    def __str__(self):
        return self.question

    def get_vote_url(self):
        return reverse("quiz:vote", args=[self.activity.slug, self.slug])

    def get_before_url(self):
        return reverse("quiz:answer_before", args=[self.activity.slug, self.slug])


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)
    value = models.PositiveSmallIntegerField(help_text="The option's place on the scale, 1 to 5.")

    class Meta:
        ordering = ["poll", "order"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "order"], name="quiz_polloption_unique_order"),
            models.UniqueConstraint(fields=["poll", "value"], name="quiz_polloption_unique_value"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5),
                name="quiz_polloption_value_1_to_5",
                violation_error_message="An option's value is a whole number from 1 to 5.",
            ),
        ]

    def __str__(self):
        return self.text


class PollResponseQuerySet(models.QuerySet):
    def record(self, *, learner, option, moment=Moment.AFTER, poll=None):
        """Store the learner's answer (`option` None: they skipped the before question); False
        if they had already answered this poll at this moment. An answer at Your Thoughts keeps
        the learner's answer before the lessons with it, if they gave one.

        The unique constraint decides, so a double submit still leaves one, unchanged, row.
        Callers that must not miss a before answer arriving at the same moment lock the learner
        first (`quiz.services.poll_answer`).
        """
        poll_id = option.poll_id if option else poll.pk
        before = None
        if moment == Moment.AFTER:
            earlier = self.filter(learner=learner, poll_id=poll_id, moment=Moment.BEFORE)
            before = earlier.values_list("option_id", flat=True).first()
        try:
            with transaction.atomic():
                self.create(
                    learner=learner,
                    poll_id=poll_id,
                    option=option,
                    moment=moment,
                    before_option_id=before,
                    profession=learner.profession,
                )
        except IntegrityError:
            return False
        return True

    def answered(self):
        """Answers, not skips."""
        return self.filter(option__isnull=False)


class PollResponse(models.Model):
    """A learner's one, final answer to a poll at one moment: at Your Thoughts, and for polls
    also asked before the first lesson, before it (where skipping is an answer without option).

    The database holds one per learner, poll and moment, and refuses an option of another poll
    (see migration 0004). The learner's profession is kept as it was when they answered, as a
    survey records its respondents; it also spares the results page a join over every response.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_responses"
    )
    profession = models.CharField(max_length=32, choices=Profession.choices)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="responses")
    option = models.ForeignKey(
        PollOption,
        on_delete=models.PROTECT,
        related_name="responses",
        null=True,
        blank=True,
        help_text="Empty where the learner skipped the question before the first lesson.",
    )
    moment = models.CharField(max_length=8, choices=Moment.choices, default=Moment.AFTER)
    before_option = models.ForeignKey(
        PollOption,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="On an answer at Your Thoughts: the same learner's answer before the first "
        "lesson, kept with it (it is final by then) so that pairs are counted without a join.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PollResponseQuerySet.as_manager()

    class Meta:
        indexes = [
            # Covers the tally (poll, moment, profession, option) and the pairs (+ before).
            models.Index(
                fields=["poll", "moment", "profession", "option", "before_option", "learner"],
                name="quiz_response_tally",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "poll", "moment"], name="quiz_pollresponse_one_per_moment"
            ),
            models.CheckConstraint(
                condition=models.Q(profession__in=Profession.values),
                name="quiz_pollresponse_profession_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(moment__in=Moment.values),
                name="quiz_pollresponse_moment_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(option__isnull=False) | models.Q(moment=Moment.BEFORE),
                name="quiz_pollresponse_only_before_is_skipped",
            ),
            models.CheckConstraint(
                condition=models.Q(before_option__isnull=True) | models.Q(moment=Moment.AFTER),
                name="quiz_pollresponse_before_kept_with_after",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.option}"


class Tally:
    """How learners answered a poll: per option and profession, counts and percentages."""

    def __init__(self, poll, rows):
        self.poll = poll
        self.rows = rows  # the poll's options, in order
        self.split = defaultdict(int)  # (profession, option id): learners

    def count(self, option, professions=Profession.values):
        return sum(self.split[profession, option.pk] for profession in professions)

    @cached_property
    def total(self):
        return sum(self.count(option) for option in self.rows)

    @property
    def is_shown(self):
        """Shown to learners only from a few answers on, so that no one can be singled out."""
        return self.total >= Poll.RESULTS_MIN_RESPONSES

    @property
    def options(self):
        """(option, count, percent) in the poll's order."""
        counts = [self.count(option) for option in self.rows]
        return [
            (option, count, whole_percent(count, self.total))
            for option, count in zip(self.rows, counts, strict=True)
        ]

    def mean(self, professions=Profession.values):
        """The mean value answered (1 to 5), or None without answers."""
        pairs = [(option.value, self.count(option, professions)) for option in self.rows]
        total = sum(count for _, count in pairs)
        return sum(value * count for value, count in pairs) / total if total else None


def whole_percent(part, whole):
    """A whole-number percentage, halves rounded up (3 of 8 is 38%), 0 of nothing is 0."""
    return (200 * part + whole) // (2 * whole) if whole else 0


models.TextField.register_lookup(Length)

COMMENT_MAX_LENGTH = 2000


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)

    def set_hidden(self, hidden):
        """Hide or show these comments; returns how many. Pages showing them learn of it."""
        learner_ids = list(self.values_list("learner_id", flat=True).distinct())
        count = self.update(is_hidden=hidden)
        rows_updated.send(sender=Comment, learner_ids=learner_ids)
        return count


class Comment(models.Model):
    """A learner's plain-text comment in an activity's discussion (on Your Thoughts)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    activity = models.ForeignKey(
        "lessons.Activity", on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH, validators=[no_control_characters])
    created_at = models.DateTimeField(default=timezone.now)
    is_hidden = models.BooleanField(
        "hidden", default=False, help_text="Hidden comments are kept but not shown to learners."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["activity", "is_hidden", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body__length__gte=1, body__length__lte=COMMENT_MAX_LENGTH),
                name="quiz_comment_body_1_to_2000",
                violation_error_message=(
                    f"A comment has from 1 to {COMMENT_MAX_LENGTH:,} characters."
                ),
            ),
        ]

    def __str__(self):
        return self.body[:80]
