from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone


class Activity(models.Model):
    """One CME activity: an expert commentary served as a sequence of lessons."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    introduction = models.TextField()
    released_on = models.DateField("released")
    expires_on = models.DateField(
        "expires", help_text="The last day on which the activity is offered for credit."
    )

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-released_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("released_on")),
                name="lessons_activity_expires_after_release",
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
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"], name="lessons_completion_one_per_learner"
            ),
        ]

    def __str__(self):
        return f"{self.learner} completed {self.lesson}"
