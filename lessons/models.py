"""The activity's content and its reading: activity, faculty, key takeaways, lessons and their
paragraphs, the abbreviations Ask matches, and which lessons each learner has completed.

This app is the bottom layer: it imports neither `quiz` nor `celmod_course.cme`. Rules that need
the knowledge check too (activity completion, progress, certificates) live in `celmod_course.cme`.
"""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Published activities; staff also see drafts, to preview them."""
        return self if user.is_staff else self.published()


class Activity(models.Model):
    """One CME activity: an expert commentary served as a sequence of lessons.

    A new activity is a draft, seen by staff only, until they publish it.
    """

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
    # The front matter an accredited activity shows before it starts; none of it is in the seed.
    provider = models.CharField(
        max_length=200, blank=True, help_text="The accredited provider, as certificates name it."
    )
    accreditation_statement = models.TextField(
        blank=True, help_text="The provider's accreditation statement, word for word."
    )
    commercial_support = models.TextField(
        blank=True,
        help_text='Who supported the activity commercially, or "This activity received no '
        'commercial support." Left empty, nothing is shown.',
    )
    attempts_before_wait = models.PositiveSmallIntegerField(
        "failed attempts before a wait",
        default=3,
        help_text="Knowledge-check attempts a learner may fail in a row; the next one opens only "
        "after the wait below.",
    )
    wait_hours = models.PositiveSmallIntegerField(
        "wait (hours)",
        default=24,
        help_text="How long, after that many failed attempts, until the next one opens.",
    )
    published = models.BooleanField(
        default=False,
        help_text="Shown to learners and in the catalog. A draft is seen by staff only "
        "(View on site previews it).",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-released_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("released_on")),
                name="lessons_activity_expires_after_release",
                violation_error_message="The expiration date must come after the release date.",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="lessons_activity_pass_mark_percent",
                violation_error_message="The pass mark is a percentage from 1 to 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(attempts_before_wait__gte=1),
                name="lessons_activity_attempts_before_wait_positive",
                violation_error_message="Allow at least one attempt before a wait.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cme:activity", args=[self.slug])

    def is_expired(self, on=None):
        """Expired from the day after the expiration date, in the site's time zone."""
        return (on or timezone.localdate()) > self.expires_on

    @property
    def status(self):
        return "Expired" if self.is_expired() else "Active"

    @property
    def disclosed_faculty(self):
        """The faculty, when any of them has a disclosure to show; otherwise none."""
        faculty = list(self.faculty.all())
        return faculty if any(member.disclosure for member in faculty) else []

    def front_matter_missing(self):
        """What an activity offering credit still needs before it is published, in words for
        staff: objectives, the accreditation statement, a disclosure for every faculty member.
        (Read from the database; the admin checks what is being saved.)"""
        return front_matter_missing(
            objectives=self.objectives.exists(),
            accreditation_statement=self.accreditation_statement,
            faculty_without_disclosure=[str(f) for f in self.faculty.filter(disclosure="")],
        )

    def passes(self, score, total):
        """Whether `score` right answers out of `total` reach the pass mark (no rounding)."""
        return total > 0 and score * 100 >= self.pass_mark * total


NO_OBJECTIVE = "at least one learning objective"
NO_ACCREDITATION_STATEMENT = "the accreditation statement"


def no_disclosure(member):
    return f"a disclosure for {member}"


def front_matter_missing(*, objectives, accreditation_statement, faculty_without_disclosure):
    """The parts of an accredited activity's front matter that are missing, as sentences."""
    missing = []
    if not objectives:
        missing.append(NO_OBJECTIVE)
    if not accreditation_statement.strip():
        missing.append(NO_ACCREDITATION_STATEMENT)
    missing += [no_disclosure(member) for member in faculty_without_disclosure]
    return missing


def front_matter_refusal(missing):
    """Why an activity offering credit cannot be published yet, naming what is missing."""
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return (
        "An activity that offers credit is published only with its learning objectives, its "
        f"accreditation statement and a disclosure for every faculty member. Missing: {listed}."
    )


class LearningObjective(models.Model):
    """What a learner should be able to do after the activity, as staff state it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "order"],
                name="lessons_objective_unique_order",
                violation_error_message="Two objectives cannot share one place in the order.",
            ),
        ]

    def __str__(self):
        return self.text


class Faculty(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="faculty")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    credentials = models.CharField(max_length=100, blank=True)
    disclosure = models.TextField(
        blank=True,
        help_text='Relevant financial relationships with ineligible companies, or "Nothing to '
        'disclose." Required for every faculty member of an activity that offers credit.',
    )

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
    def numbered(self):
        """Each lesson with its `number`: 1 for its activity's first lesson, and so on.

        The number is the lesson's place in its activity, whatever values `order` holds: the one
        way every page, Ask and the dashboard number a lesson.
        """
        number = models.Window(RowNumber(), partition_by="activity", order_by="order")
        return self.annotate(number=number).order_by("activity", "order")

    def for_activity(self, activity):
        """The activity's lessons in order, numbered."""
        return self.filter(activity=activity).select_related("activity").numbered()


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
        return reverse("cme:lesson", args=[self.activity.slug, self.slug])


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
    def record(self, *, learner, lesson, opened_at=None):
        """Mark the lesson complete for the learner; False if it already was. `opened_at`: when
        the page they completed it from was opened, if known.

        The unique constraint decides, so two racing requests still leave one row.
        """
        now = timezone.now()
        if opened_at is not None and opened_at > now:
            opened_at = None
        try:
            with transaction.atomic():
                self.create(learner=learner, lesson=lesson, opened_at=opened_at, completed_at=now)
        except IntegrityError:
            return False
        return True


class LessonCompletion(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    # A lesson that learners have completed cannot be deleted with their records.
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="completions")
    opened_at = models.DateTimeField(
        null=True, blank=True, help_text="When the page the lesson was completed from was opened."
    )
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
            models.CheckConstraint(
                condition=models.Q(opened_at__isnull=True)
                | models.Q(opened_at__lte=models.F("completed_at")),
                name="lessons_completion_opened_before_completed",
            ),
        ]

    def __str__(self):
        return f"{self.learner} completed {self.lesson}"

    @property
    def time_spent(self):
        """From opening the page to completing the lesson, or None if not known."""
        return self.completed_at - self.opened_at if self.opened_at else None


class Abbreviation(models.Model):
    """An abbreviation the commentary defines, so that Ask finds either form from the other."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="abbreviations")
    short = models.CharField(max_length=30, help_text='As written in the text, e.g. "R/R".')
    long = models.CharField(
        max_length=200,
        help_text='The long form in the singular, e.g. "adverse event"; a plural "s" also matches.',
    )

    class Meta:
        ordering = ["activity", "short", "long"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "short", "long"], name="lessons_abbreviation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.short}: {self.long}"
