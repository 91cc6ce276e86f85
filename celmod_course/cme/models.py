"""The activity-level records: a learner's completion of an activity, and its certificate.

This is the top layer: it may import `lessons` and `quiz`, and neither imports it. A completion
needs both (every lesson completed, and a passing knowledge-check attempt); the credit claim, the
evaluation and the outcomes that build on it belong here too.
"""

import re
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from lessons.models import Activity, LessonCompletion
from quiz.models import Attempt

CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CERTIFICATE_NUMBER_LENGTH = 19  # four groups of four, with dashes
CERTIFICATE_NUMBER_TYPED_MAX = 40  # what the verify form takes: spaces and stray characters too


def new_certificate_number():
    """Four groups of four: 80 random bits, so numbers cannot be guessed or enumerated."""
    chars = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def normalize_certificate_number(typed):
    """A certificate number as printed, whatever spaces, case or stray characters were typed."""
    return re.sub(r"[^A-Z0-9-]", "", typed.upper())[:CERTIFICATE_NUMBER_TYPED_MAX]


class ActivityCompletionManager(models.Manager):
    def record_if_complete(self, *, learner, activity):
        """Write the learner's completion once every lesson is done and an attempt passed.

        Call inside a transaction that has locked the learner (`User.objects.lock`), so that the
        last lesson and the passing attempt, arriving together, cannot both miss each other.
        Returns the new completion, or None when not complete yet or already recorded.
        """
        lessons = set(activity.lessons.values_list("pk", flat=True))
        done = set(
            LessonCompletion.objects.filter(learner=learner, lesson__activity=activity).values_list(
                "lesson_id", flat=True
            )
        )
        if not lessons or lessons - done:
            return None
        attempt = (
            Attempt.objects.filter(learner=learner, activity=activity, passed=True)
            .order_by("submitted_at")
            .first()
        )
        if attempt is None:
            return None
        try:
            with transaction.atomic():
                return self.create(learner=learner, activity=activity, attempt=attempt)
        except IntegrityError:
            return None


class ActivityCompletion(models.Model):
    """A learner's completion of an activity, and the certificate that proves it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_completions"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="completions")
    attempt = models.ForeignKey(
        Attempt,
        # The passing attempt cannot be deleted on its own, only with its learner.
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="The passing knowledge-check attempt.",
    )
    completed_at = models.DateTimeField(default=timezone.now)
    certificate_number = models.CharField(
        max_length=CERTIFICATE_NUMBER_LENGTH,
        unique=True,
        default=new_certificate_number,
        editable=False,
    )

    objects = ActivityCompletionManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "activity"], name="cme_activitycompletion_one_per_learner"
            ),
        ]

    def __str__(self):
        return f"{self.learner} completed {self.activity}"

    def get_absolute_url(self):
        return reverse("cme:certificate", args=[self.certificate_number])

    @property
    def completed_on(self):
        return timezone.localdate(self.completed_at)

    @property
    def is_valid_for_credit(self):
        """Credit only for completions on or before the activity's expiration date."""
        return self.completed_on <= self.activity.expires_on
