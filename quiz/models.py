from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


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
            ),
        ]

    def __str__(self):
        return self.text


class Attempt(models.Model):
    """One submitted knowledge check. Every attempt is kept; retakes add new ones."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    activity = models.ForeignKey(
        "lessons.Activity", on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(help_text="Questions answered correctly.")
    total = models.PositiveSmallIntegerField(help_text="Questions asked.")
    passed = models.BooleanField()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["learner", "activity", "passed"])]
        constraints = [
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
        return reverse("quiz:attempt", args=[self.activity.slug, self.pk])

    @property
    def percent(self):
        return round(100 * self.score / self.total) if self.total else 0


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
