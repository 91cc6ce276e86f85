"""Who an LMS launched, where the activity sits in their course, the scores sent back to its
gradebook, and what a launch keeps between its steps.

Platforms (`LtiRegistration`: issuer, client id, key-set, auth and token URLs), their deployments
and the tool's keys are django-lti's models, set up by staff in the admin.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from celmod_course.cme.models import ActivityCompletion
from quiz.models import Attempt

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# The maximum of the gradebook column deep linking asks the LMS to make; also the maximum a score
# is sent out of when the LMS lets the tool post scores but not read the column.
SCORE_MAXIMUM = 100


class Identity(models.Model):
    """A learner as an LMS knows them: the platform's issuer and the subject it sends for them.

    The first launch of a subject makes a local account; every later one signs the same account
    in. An identity is never matched to an account by email: the learner links it to an account
    of theirs with that account's password (`services.account_link`).
    """

    issuer = models.CharField(max_length=255, help_text="The platform's issuer (iss).")
    subject = models.CharField(max_length=255, help_text="The learner's id on the platform (sub).")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    asks_profession = models.BooleanField(
        default=False,
        help_text="The launch made the account; the learner has not yet said their profession.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="lti_identity_one_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


class Placement(models.Model):
    """An activity placed in an LMS course (a resource link), as one learner launched it: which
    activity it opens, and the gradebook column (line item) their score goes to, if any."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="placements")
    activity = models.ForeignKey(
        "lessons.Activity", on_delete=models.CASCADE, related_name="lti_placements"
    )
    deployment = models.ForeignKey("lti_tool.LtiDeployment", on_delete=models.CASCADE)
    context_id = models.CharField(max_length=255, blank=True, help_text="The course on the LMS.")
    resource_link_id = models.CharField(max_length=255)
    lineitem_url = models.URLField(
        max_length=500, blank=True, help_text="The gradebook column; empty when the link has none."
    )
    scopes = models.JSONField(default=list, help_text="What the LMS lets the tool do with grades.")
    launched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "deployment", "context_id", "resource_link_id"],
                name="lti_placement_one_per_link",
            )
        ]

    def __str__(self):
        return f"{self.activity} for {self.identity}"

    @property
    def posts_scores(self):
        return bool(self.lineitem_url) and SCORE_SCOPE in self.scopes


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: gave up"
    SUPERSEDED = "superseded", "Not sent: a later score replaced it"


class ActivityProgress(models.TextChoices):
    SUBMITTED = "Submitted", "Knowledge check passed"
    COMPLETED = "Completed", "Activity completed"


class GradingProgress(models.TextChoices):
    FULLY_GRADED = "FullyGraded", "Fully graded"


class ScoreReportQuerySet(models.QuerySet):
    def record(self, *, learner_id, activity_id, at):
        """Record the learner's score in the activity for every gradebook column a launch of
        theirs placed it in; returns the new reports (none for a learner no LMS launched).

        The score is their best knowledge-check attempt (`Attempt.objects.best()`); the activity
        is Completed once `ActivityCompletion` holds it, Submitted (the check passed, lessons
        remain) before. `at`, when it happened, orders the reports: the LMS keeps the latest.
        """
        placements = Placement.objects.filter(
            identity__user_id=learner_id, activity_id=activity_id
        ).exclude(lineitem_url="")
        placements = [placement for placement in placements if placement.posts_scores]
        if not placements:
            return []
        best = Attempt.objects.filter(learner_id=learner_id, activity_id=activity_id).best()
        completed = ActivityCompletion.objects.filter(
            learner_id=learner_id, activity_id=activity_id
        ).exists()
        return [
            self.create(
                placement=placement,
                score=best.score,
                out_of=best.total,
                activity_progress=(
                    ActivityProgress.COMPLETED if completed else ActivityProgress.SUBMITTED
                ),
                grading_progress=GradingProgress.FULLY_GRADED,
                happened_at=at,
            )
            for placement in placements
        ]

    def stuck(self, *, older_than):
        """Reports still waiting after `older_than`: their sending was lost; it starts again."""
        return self.filter(status=Status.PENDING, created_at__lt=timezone.now() - older_than)


class ScoreReport(models.Model):
    """One score to post to an LMS gradebook, recorded in the transaction of the attempt or
    completion that causes it and sent by the task queue's worker (`tasks.send_score`) after
    that commits, with retries. Staff read in the admin what was sent, and what failed and why.
    """

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(help_text="Right answers in the best attempt.")
    out_of = models.PositiveSmallIntegerField(help_text="Questions in that attempt.")
    activity_progress = models.CharField(max_length=16, choices=ActivityProgress.choices)
    grading_progress = models.CharField(max_length=16, choices=GradingProgress.choices)
    happened_at = models.DateTimeField(help_text="When the attempt or completion happened.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Tries to send it.")
    last_error = models.TextField(blank=True)
    score_given = models.FloatField(null=True, blank=True, help_text="As sent.")
    score_maximum = models.FloatField(
        null=True, blank=True, help_text="The gradebook column's maximum, as sent."
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScoreReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="lti_scorereport_status_valid",
                violation_error_message="A score report is waiting, sent, failed or replaced.",
            ),
            models.CheckConstraint(
                condition=Q(score__lte=models.F("out_of")) & Q(out_of__gt=0),
                name="lti_scorereport_score_within_out_of",
                violation_error_message="A score is at most the number of questions asked.",
            ),
        ]

    def __str__(self):
        return f"{self.score}/{self.out_of} for {self.placement}"

    def scaled_to(self, maximum):
        """The score out of `maximum` (the gradebook column's): the best attempt's share."""
        return round(maximum * self.score / self.out_of, 4)

    def is_superseded(self):
        """Whether a later report of the same placement is sent or on its way: this one is
        stale, and sending it could only be ignored (or worse, undo the later one)."""
        at = self.happened_at
        later = Q(happened_at__gt=at) | Q(happened_at=at, pk__gt=self.pk)
        return (
            ScoreReport.objects.filter(placement_id=self.placement_id)
            .filter(later, status__in=[Status.PENDING, Status.SENT])
            .exists()
        )


class LaunchDataQuerySet(models.QuerySet):
    def live(self):
        return self.filter(expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(expires_at__lte=timezone.now())


class LaunchData(models.Model):
    """What a launch keeps between its steps: the OIDC login's nonce (taken once, by the
    launch), the state's id-token hash, a validated launch's claims (for the deep-linking
    picker). In the database, so that a login answered by one server and the launch answered
    by another agree, with Redis or without it; expired rows are swept by the worker."""

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    objects = LaunchDataQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "launch data"

    def __str__(self):
        return self.key
