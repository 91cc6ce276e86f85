import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from celmod_course.validators import no_control_characters


class Activity(models.Model):
    """One CME activity: an expert commentary served as a sequence of lessons."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    introduction = models.TextField()
    released_on = models.DateField("released")
    expires_on = models.DateField(
        "expires", help_text="The last day on which the activity is offered for credit."
    )
    discussion_prompt = models.TextField(
        blank=True, help_text="Opens the Your Thoughts page, above the poll and the discussion."
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=70, help_text="The knowledge-check score, in percent, needed to pass."
    )

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-released_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("released_on")),
                name="lessons_activity_expires_after_release",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="lessons_activity_pass_mark_percent",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lessons:activity", args=[self.slug])

    def is_expired(self, on=None):
        """Expired from the day after the expiration date, in the site's time zone."""
        return (on or timezone.localdate()) > self.expires_on

    @property
    def status(self):
        return "Expired" if self.is_expired() else "Active"

    def passes(self, score, total):
        """Whether `score` right answers out of `total` reach the pass mark (no rounding)."""
        return total > 0 and score * 100 >= self.pass_mark * total


class Faculty(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="faculty")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    credentials = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "faculty member"
        verbose_name_plural = "faculty"
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "order"], name="lessons_faculty_unique_order"
            ),
        ]

    def __str__(self):
        """The name as the commentary writes it, e.g. "Sagar Lonial, MD, FACP"."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class KeyTakeaway(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="key_takeaways")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "order"], name="lessons_keytakeaway_unique_order"
            ),
        ]

    def __str__(self):
        return self.text


class LessonQuerySet(models.QuerySet):
    def for_activity(self, activity):
        return self.filter(activity=activity).select_related("activity").order_by("order")


class Lesson(models.Model):
    """One commentary section, headed by its question."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=100)
    heading = models.CharField(max_length=300)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "slug"], name="lessons_lesson_unique_slug"),
            models.UniqueConstraint(
                fields=["activity", "order"], name="lessons_lesson_unique_order"
            ),
        ]

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return reverse("lessons:lesson", args=[self.activity.slug, self.slug])


class Paragraph(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="paragraphs")
    order = models.PositiveSmallIntegerField()
    speaker = models.ForeignKey(
        Faculty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paragraphs",
        help_text="Only where the commentary names the speaker before this paragraph.",
    )
    text = models.TextField()

    class Meta:
        ordering = ["lesson", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "order"], name="lessons_paragraph_unique_order"
            ),
        ]

    def __str__(self):
        return self.text[:80]


class LessonCompletionManager(models.Manager):
    def record(self, *, learner, lesson):
        """Mark the lesson complete for the learner; False if it already was.

        The unique constraint decides, so two racing requests still leave one row.
        """
        try:
            with transaction.atomic():
                self.create(learner=learner, lesson=lesson)
        except IntegrityError:
            return False
        return True


class LessonCompletion(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    objects = LessonCompletionManager()

    class Meta:
        indexes = [
            # Covers the results page's count of learners per lesson.
            models.Index(fields=["lesson", "learner"], name="lessons_completion_by_lesson"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"], name="lessons_completion_one_per_learner"
            ),
        ]

    def __str__(self):
        return f"{self.learner} completed {self.lesson}"


CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_certificate_number():
    """Four groups of four: 80 random bits, so numbers cannot be guessed or enumerated."""
    chars = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


class ActivityCompletionManager(models.Manager):
    def record_if_complete(self, *, learner, activity):
        """Write the learner's completion once every lesson is done and an attempt passed.

        Call inside a transaction that has locked the learner (see `lock_learner`), so that the
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
            activity.attempts.filter(learner=learner, passed=True).order_by("submitted_at").first()
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
        "quiz.Attempt",
        # The passing attempt cannot be deleted on its own, only with its learner.
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="The passing knowledge-check attempt.",
    )
    completed_at = models.DateTimeField(default=timezone.now)
    certificate_number = models.CharField(
        max_length=19, unique=True, default=new_certificate_number, editable=False
    )

    objects = ActivityCompletionManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "activity"], name="lessons_activitycompletion_one_per_learner"
            ),
        ]

    def __str__(self):
        return f"{self.learner} completed {self.activity}"

    def get_absolute_url(self):
        return reverse("lessons:certificate", args=[self.certificate_number])

    @property
    def completed_on(self):
        return timezone.localdate(self.completed_at)

    @property
    def is_valid_for_credit(self):
        """Credit only for completions on or before the activity's expiration date."""
        return self.completed_on <= self.activity.expires_on


models.TextField.register_lookup(Length)

COMMENT_MAX_LENGTH = 2000


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)


class Comment(models.Model):
    """A learner's plain-text comment in an activity's discussion."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
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
                name="lessons_comment_body_1_to_2000",
            ),
        ]

    def __str__(self):
        return self.body[:80]
