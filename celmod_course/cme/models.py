"""The activity-level records: a learner's completion of an activity, and its certificate.

This is the top layer: it may import `lessons` and `quiz`, and neither imports it. A completion
needs both (every lesson completed, and a passing knowledge-check attempt); the credit claim, the
evaluation and the outcomes that build on it belong here too.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property

from celmod_course.accounts.models import Profession
from celmod_course.refusal import Refused
from celmod_course.validators import a_printed_name, no_control_characters
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
    """A certificate number as printed (XXXX-XXXX-XXXX-XXXX), however it was typed: in any case,
    with or without the dashes, with spaces or other stray characters between the groups."""
    chars = re.sub(r"[^A-Z0-9]", "", typed[:CERTIFICATE_NUMBER_TYPED_MAX].upper())
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def completion_required(step):
    """Why `step` ("The evaluation", "Claiming credit") cannot be taken yet: it comes after the
    activity is complete, and this says what completes it."""
    return Refused(
        f"{step} opens once you have completed the activity: every lesson, and a passed "
        "knowledge check.",
        code="not_completed",
    )


class ActivityCompletionManager(models.Manager):
    def of(self, learner, activity):
        """The learner's completion of the activity, or None."""
        if not learner.is_authenticated:
            return None
        return self.filter(learner=learner, activity=activity).first()

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
        attempt = Attempt.objects.filter(learner=learner, activity=activity).first_passed()
        if attempt is None:
            return None
        try:
            with transaction.atomic():
                return self.create(
                    learner=learner,
                    activity=activity,
                    attempt=attempt,
                    # What the certificate states, as issued: never read from the live profile
                    # or activity again.
                    name=learner.full_name,
                    profession=learner.profession,
                    activity_title=activity.title,
                    released_on=activity.released_on,
                    expires_on=activity.expires_on,
                )
        except IntegrityError:
            return None


class ActivityCompletion(models.Model):
    """A learner's completion of an activity, and the certificate that proves it.

    The certificate is an issued record: the name as printed, the profession and the activity's
    title and dates are written here when the activity is completed, and every page and export
    reads them from here. A correction is a `CertificateCorrection` (re-issue or revocation).
    """

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
    name = models.CharField("name as issued", max_length=150)
    profession = models.CharField(max_length=32, choices=Profession.choices)
    activity_title = models.CharField(max_length=200)
    released_on = models.DateField()
    expires_on = models.DateField()

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
        return self.completed_on <= self.expires_on

    @cached_property
    def _corrections(self):
        """In the order made: one query, or none when prefetched."""
        return sorted(
            self.corrections.all(), key=lambda correction: (correction.made_at, correction.pk)
        )

    @property
    def revocation(self):
        """The correction that revoked this certificate, or None."""
        return next((c for c in self._corrections if c.kind == Correction.REVOKE), None)

    @property
    def reissue(self):
        """The latest re-issue under a corrected name, or None."""
        reissues = [c for c in self._corrections if c.kind == Correction.REISSUE]
        return reissues[-1] if reissues else None

    @property
    def printed_name(self):
        """The name the certificate prints: as issued, or as a staff re-issue corrected it."""
        return self.reissue.name if self.reissue else self.name

    @cached_property
    def claim(self):
        """The credit claimed for this completion, or None (one query)."""
        claims = CreditClaim.objects.filter(evaluation__completion=self)
        return claims.select_related("designation").first()


CREDIT_STEP = Decimal("0.25")


def quarter_steps(amount):
    if amount is not None and amount % CREDIT_STEP:
        raise ValidationError(
            "Credit is counted in steps of 0.25 (for example 0.25, 0.5, 0.75 or 1).",
            code="credit_step",
        )


def in_quarter_steps(field):
    """A check that `field` is a whole number of quarters: four times the amount has no fraction."""
    quarters = models.F(field) * 4
    return Exact(Cast(quarters, models.IntegerField()), quarters)


def amount_text(amount):
    """0.50 as "0.5", 1.00 as "1": credit as it is printed."""
    return f"{amount.normalize():f}"


class CreditDesignationQuerySet(models.QuerySet):
    def for_profession(self, profession, activity):
        """The designation for this profession on this activity, or None."""
        return self.filter(activity=activity, profession=profession).first()


class CreditDesignation(models.Model):
    """The credit an activity offers to one profession: the type as printed, and its maximum.

    One row per profession (an activity offering a certificate of participation to everyone
    else has a row for each of those professions), so a learner's designation is one lookup.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="designations")
    profession = models.CharField(max_length=32, choices=Profession.choices)
    credit_type = models.CharField(
        max_length=200, help_text='As printed on certificates, e.g. "AMA PRA Category 1 Credit™".'
    )
    max_amount = models.DecimalField(
        "maximum",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(CREDIT_STEP), quarter_steps],
        help_text="The most a learner can claim, in steps of 0.25.",
    )
    statement = models.TextField(
        help_text="The designation statement, printed on the certificates of those who claim."
    )

    objects = CreditDesignationQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "profession"],
                name="cme_designation_one_per_profession",
                violation_error_message="This activity already offers credit to that "
                "profession: change that designation instead of adding another.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_amount__gt=0) & in_quarter_steps("max_amount"),
                name="cme_designation_max_in_quarter_steps",
                violation_error_message="The maximum is a positive amount in steps of 0.25.",
            ),
            models.CheckConstraint(
                condition=models.Q(profession__in=Profession.values),
                name="cme_designation_profession_valid",
                violation_error_message="Choose one of the professions listed.",
            ),
        ]

    def __str__(self):
        return (
            f"{amount_text(self.max_amount)} {self.credit_type} ({self.get_profession_display()})"
        )

    @property
    def maximum(self):
        """As printed: "1 AMA PRA Category 1 Credit™"."""
        return f"{amount_text(self.max_amount)} {self.credit_type}"

    @property
    def amounts(self):
        """Every amount a learner may claim: 0.25, 0.5, … up to the maximum."""
        steps = int(self.max_amount / CREDIT_STEP)
        return [CREDIT_STEP * n for n in range(1, steps + 1)]


class Kind(models.TextChoices):
    """The kinds of evaluation item."""

    AGREEMENT = "agreement", "Agreement, from strongly disagree to strongly agree"
    RATING = "rating", "Rating, from poor to excellent"
    YES_NO = "yes_no", "Yes or no, with a comment asked for on no"
    TEXT = "text", "Free text"


class EvaluationQuestion(models.Model):
    """One item of an activity's evaluation, which learners fill in before claiming credit."""

    Kind = Kind
    SCALES = {
        Kind.AGREEMENT: ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
        Kind.RATING: ["Poor", "Fair", "Good", "Very good", "Excellent"],
    }

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evaluation_questions"
    )
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["activity", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "order"], name="cme_evaluationquestion_unique_order"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values),
                name="cme_evaluationquestion_kind_valid",
                violation_error_message="Choose one of the kinds of question listed.",
            ),
        ]

    def __str__(self):
        return self.prompt

    @property
    def scale(self):
        """[(value, label)] for the scaled kinds, 1 to 5; empty for the others."""
        return list(enumerate(self.SCALES.get(self.kind, []), start=1))

    @property
    def choices(self):
        """[(value, label)] a learner picks from: the scale, or yes (1) and no (0); none for
        free text."""
        return [(1, "Yes"), (0, "No")] if self.kind == Kind.YES_NO else self.scale


class Evaluation(models.Model):
    """A learner's one evaluation of an activity they completed (one per completion)."""

    completion = models.OneToOneField(
        ActivityCompletion, on_delete=models.CASCADE, related_name="evaluation"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Evaluation by {self.completion}"


class EvaluationAnswer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        EvaluationQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 5 on a scale.")
    yes = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True, validators=[no_control_characters])

    class Meta:
        ordering = ["evaluation", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "question"], name="cme_evaluationanswer_one_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=5),
                name="cme_evaluationanswer_value_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.value or self.yes or self.text}"


class CreditClaim(models.Model):
    """The credit a learner claims for a completed and evaluated activity: once, never above the
    designated maximum, only in steps of 0.25, and only with the attestation.

    A claim belongs to the learner's evaluation, one to one, which belongs to their completion:
    so there is one claim per learner and activity, and none without both. Triggers (see the
    migration) keep the designation one of the completed activity's, and the amount within its
    maximum.
    """

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="claim")
    designation = models.ForeignKey(
        CreditDesignation, on_delete=models.PROTECT, related_name="claims"
    )
    amount = models.DecimalField(max_digits=5, decimal_places=2)
    attested = models.BooleanField(
        help_text="The learner attests to claiming only credit commensurate with the extent of "
        "their participation."
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    # For the accreditor's learner reporting: the name always; the rest only if the learner
    # opted in when claiming.
    first_name = models.CharField(max_length=100, validators=[no_control_characters])
    last_name = models.CharField(max_length=100, validators=[no_control_characters])
    licence_id = models.CharField(
        "licence or board ID", max_length=50, blank=True, validators=[no_control_characters]
    )
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the certificate states of the credit, as issued when it was claimed.
    profession = models.CharField(max_length=32, choices=Profession.choices)
    credit_type = models.CharField(max_length=200)
    statement = models.TextField()
    time_recorded = models.DurationField(
        null=True,
        help_text="The time the site recorded on the activity when credit was claimed, shown to "
        "the learner beside the amount they attested to.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) & in_quarter_steps("amount"),
                name="cme_claim_amount_in_quarter_steps",
            ),
            models.CheckConstraint(condition=models.Q(attested=True), name="cme_claim_attested"),
            models.CheckConstraint(
                condition=models.Q(birth_month__isnull=True, birth_day__isnull=True)
                | models.Q(
                    birth_month__gte=1, birth_month__lte=12, birth_day__gte=1, birth_day__lte=31
                ),
                name="cme_claim_birth_month_and_day",
            ),
        ]

    def __str__(self):
        return self.credit

    @property
    def credit(self):
        """As printed: "0.5 AMA PRA Category 1 Credit™"."""
        return f"{amount_text(self.amount)} {self.credit_type}"


@dataclass(frozen=True)
class CreditOffer:
    """What a learner may claim now."""

    completion: ActivityCompletion
    evaluation: Evaluation
    designation: CreditDesignation


def credit_offer(*, learner, activity):
    """The credit the learner may claim now; raises Refused saying why not.

    Credit is claimed once, after completing the activity and its evaluation, while the activity
    is not expired and the certificate not revoked, by a learner whose profession it designates
    credit for.
    """
    completion = ActivityCompletion.objects.of(learner, activity)
    if completion is None:
        raise completion_required("Claiming credit")
    if completion.revocation:
        raise Refused(
            "Your certificate for this activity was revoked, so no credit can be claimed for it.",
            code="revoked",
        )
    claim = CreditClaim.objects.filter(evaluation__completion=completion).first()
    if claim is not None:
        raise Refused(
            f"You have claimed {claim.credit} for this activity. Credit is claimed once.",
            code="claimed",
        )
    if activity.is_expired():
        expired = date_format(activity.expires_on, "F j, Y")
        raise Refused(
            f"This activity expired on {expired}, so credit is no "
            "longer offered. Your certificate of completion records that you completed it.",
            code="expired",
        )
    # The profession the certificate was issued under: changing it later earns nothing.
    designation = CreditDesignation.objects.for_profession(completion.profession, activity)
    if designation is None:
        raise Refused(
            "This activity offers no credit for your profession "
            f"({completion.get_profession_display().lower()}, as your certificate was issued). "
            "Your certificate of completion records that you completed it.",
            code="no_designation",
        )
    evaluation = Evaluation.objects.filter(completion=completion).first()
    if evaluation is None:
        raise Refused("Fill in the evaluation first: credit is claimed after it.", code="evaluate")
    return CreditOffer(completion, evaluation, designation)


class Correction(models.TextChoices):
    REISSUE = "reissue", "Re-issue under a corrected name"
    REVOKE = "revoke", "Revoke"


class CertificateCorrection(models.Model):
    """A staff correction of an issued certificate, recorded with who, when and why: a re-issue
    under a corrected name, or a revocation. Kept for good, like every record of the activity."""

    completion = models.ForeignKey(
        ActivityCompletion, on_delete=models.PROTECT, related_name="corrections"
    )
    kind = models.CharField(max_length=8, choices=Correction.choices)
    name = models.CharField(
        "corrected name",
        max_length=150,
        blank=True,
        validators=[no_control_characters, a_printed_name],
        help_text="For a re-issue: the name as the certificate should print it.",
    )
    first_name = models.CharField(
        max_length=100,
        blank=True,
        validators=[no_control_characters],
        help_text="For a re-issue with credit: the corrected first name for the accreditor.",
    )
    last_name = models.CharField(
        max_length=100,
        blank=True,
        validators=[no_control_characters],
        help_text="For a re-issue with credit: the corrected last name for the accreditor.",
    )
    reason = models.TextField(
        validators=[no_control_characters], help_text="Why: what the learner asked, or the error."
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    made_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="cme_correction_has_reason",
                violation_error_message="Say why the certificate is corrected.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=Correction.REVOKE) | ~models.Q(name=""),
                name="cme_correction_reissue_has_name",
                violation_error_message="A re-issue needs the corrected name.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Correction.values),
                name="cme_correction_kind_valid",
                violation_error_message="Choose re-issue or revoke.",
            ),
            models.UniqueConstraint(
                fields=["completion"],
                condition=models.Q(kind=Correction.REVOKE),
                name="cme_correction_revoked_once",
                violation_error_message="This certificate is already revoked.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.completion.certificate_number}"

    def clean(self):
        if self.completion_id and self.completion.revocation:
            raise ValidationError("This certificate is revoked; it cannot be corrected any more.")


class ActivityDocument(Activity):
    """Activities as documents: the admin's page to import one from a file and export any to
    Markdown (`celmod_course.cme.documents`). The same rows as Activity, under an admin entry of
    this app, since the lessons app's admin may not import the documents from here."""

    class Meta:
        proxy = True
        verbose_name = "activity import and export"
        verbose_name_plural = "Import and export activities"


UPLOAD_KEPT = timedelta(hours=1)


class DocumentUploadManager(models.Manager):
    def keep(self, *, staff, filename, slug, data):
        """Keep a previewed file until staff create the draft from it; files kept longer than
        `UPLOAD_KEPT` are deleted meanwhile."""
        self.filter(uploaded_at__lt=timezone.now() - UPLOAD_KEPT).delete()
        return self.create(staff=staff, filename=filename, slug=slug, data=data)

    def kept_for(self, staff, token):
        """The file `staff` previewed under `token`, or None once it is used or too old."""
        return self.filter(
            staff=staff, token=token, uploaded_at__gte=timezone.now() - UPLOAD_KEPT
        ).first()


class DocumentUpload(models.Model):
    """A file uploaded to the import page, kept from its preview to the import it previews, so
    that staff upload it once. In the database rather than a cache: each server process has a
    cache of its own unless Redis is configured, and any of them may answer the second step."""

    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    slug = models.CharField(max_length=100, blank=True)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = DocumentUploadManager()

    def __str__(self):
        return self.filename


class ResultCount(models.Model):
    """One figure of an activity's results, kept current as learners' records arrive (see
    `celmod_course.cme.tallies`, which alone writes it): a count or a sum, named by its key
    (`poll:<poll>:<profession>:<option>`, `item:<question>:correct`, ...)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=250)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "key"], name="cme_resultcount_one_per_key")
        ]

    def __str__(self):
        return f"{self.key} = {self.value}"
