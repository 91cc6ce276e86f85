import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from celmod_course.outbox.mail import undeliverable
from celmod_course.validators import a_printed_name, no_control_characters

# The address of an account that has none (a learner whose LMS shared no email address): unique,
# as the email column must be, and under `.invalid`, so that the outbox never sends to it.
NO_EMAIL_DOMAIN = "no-email.invalid"


def no_email_address():
    return f"learner-{secrets.token_hex(8)}@{NO_EMAIL_DOMAIN}"


class Profession(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse or nurse practitioner"
    PHARMACIST = "pharmacist", "Pharmacist"
    PHYSICIAN_ASSISTANT = "physician_assistant", "Physician assistant"
    OTHER = "other", "Other"


def learners_only(field="learner"):
    """A filter that leaves staff out of a table's rows about users (`field` names the user).

    Staff's test runs are not results. One NOT IN over the few staff ids: far cheaper than
    joining every row to its user.
    """
    staff = User.objects.filter(is_staff=True).values("pk")
    return ~models.Q(**{f"{field}__in": staff})


class UserQuerySet(models.QuerySet):
    def update(self, **fields):
        """Update the rows, and forget them in the user cache: an `update()` sends no signal
        (`usercache`). Only the rows read first are updated, so that each one is forgotten."""
        from . import usercache  # not above: its backend needs this module loaded

        user_ids = list(self.values_list("pk", flat=True))
        if not user_ids:
            return 0
        rows = self.filter(pk__in=user_ids)
        count = super(UserQuerySet, rows).update(**fields)
        usercache.forget(user_ids)
        return count


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def normalize_email(self, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        # Log-in is by email, whatever case the learner types it in.
        return self.get(email__iexact=self.normalize_email(username))

    def learners(self):
        """Everyone but staff: the people whose results the dashboard reports."""
        return self.filter(is_staff=False)

    def lock(self, user):
        """Hold the user's row until the transaction ends; raise PermissionDenied (a 403) if
        the account is closed.

        Every write that records something for a learner takes this lock first, so one
        learner's concurrent requests run one after the other (SQLite's IMMEDIATE transactions
        already do; this is for PostgreSQL), and nothing is recorded for an account while or
        after it is deleted: the deletion holds the same lock, and a write that waited for it
        then finds the account closed.

        The counters on `user` are brought up to date from the locked row, so that a whole-row
        save after it (closing the account) never writes back versions a request read before.
        """
        rows = self.select_for_update().filter(pk=user.pk)
        rows = list(rows.values_list("is_active", "page_version", "session_version"))
        if not rows or not rows[0][0]:
            raise PermissionDenied("This account is closed.")
        _, user.page_version, user.session_version = rows[0]

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A learner or a staff member. Logs in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(
        max_length=150,
        help_text="Your name as it should appear on your certificate.",
        validators=[no_control_characters, a_printed_name],
    )
    profession = models.CharField(
        max_length=32, choices=Profession.choices, default=Profession.OTHER
    )
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Staff can use the admin and read the results of every activity.",
    )
    is_active = models.BooleanField(default=True)
    is_synthetic = models.BooleanField(
        "synthetic",
        default=False,
        help_text="Made up by the seed_learners command for demos and benchmarks; not a person.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    page_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the learner's writes; their cached pages are keyed by it.",
    )
    session_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the learner's log-outs; a session from before the last one is void.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        indexes = [
            # The few staff accounts, which the results leave out, found without a scan.
            models.Index(
                fields=["is_staff"], condition=models.Q(is_staff=True), name="accounts_user_staff"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(profession__in=Profession.values),
                name="accounts_user_profession_valid",
                violation_error_message="Choose one of the professions listed.",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name

    @property
    def has_email(self):
        """Whether the account has an address of its own: not one standing for none (an LMS
        that shared none, a deleted account, a synthetic learner), which pages never show."""
        return not undeliverable(self.email)

    @property
    def is_opened(self):
        """Whether the account was ever opened: a sign-up waits, inactive and never logged in,
        for its owner to follow the link mailed to the address."""
        return self.is_active or self.last_login is not None

    def _get_session_auth_hash(self, secret=None):
        """Django checks every session against this on every request. With the session version
        in it, a log-out ends every session of the account for good, even one a cache kept
        after it missed the log-out (a stalled Redis): the version is in the user row each
        request reads, from the database or from the user cache (`usercache`), which forgets
        its copy at every write and keeps none longer than `PAGE_CACHE_SECONDS`: the most
        such a session outlives the log-out."""
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_short_name(self):
        return self.full_name


class Limit(models.Model):
    """How many times something happened in one window of a rate limit (see `limits`)."""

    key = models.CharField(max_length=32, help_text="A hash of the limit's scope and key.")
    seconds = models.PositiveIntegerField(help_text="The length of the limit's window.")
    window = models.BigIntegerField(help_text="Which window: the time divided by its length.")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "seconds", "window"], name="accounts_limit_one_per_window"
            )
        ]

    def __str__(self):
        return f"{self.count} in window {self.window} of {self.seconds} s"
