"""The LTI writes that span several models, one function each, keyword-only, in one transaction:
signing in the learner a launch names, their first launch's question, linking their LMS to an
account of their own, and closing an account with its LMS identities."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from celmod_course.accounts.models import Profession, no_email_address
from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.services import account_delete as cme_account_delete
from celmod_course.outbox.mail import undeliverable
from celmod_course.refusal import Refused
from celmod_course.validators import DIRECTION_CONTROLS
from lessons.models import LessonCompletion
from quiz.models import Attempt, Comment, PollResponse

from .models import Identity, Placement

# The name of a learner whose LMS shared none, until they type theirs on the first launch's page.
UNNAMED = "Learner from your LMS"


def launch_sign_in(*, launch, activity):
    """The identity of the learner the launch names, with a new account on their first launch,
    and the activity's placement in their course recorded (its gradebook column); returns the
    identity. Raises Refused for an account that was closed."""
    with transaction.atomic():
        identity = _identity(launch)
        if not identity.user.is_active:
            raise Refused(
                "The account this LMS signs you in to was deleted on this site.", code="closed"
            )
        lineitem_url, scopes = launch.grades
        Placement.objects.update_or_create(
            identity=identity,
            deployment=launch.deployment,
            context_id=launch.context_id[:255],
            resource_link_id=launch.resource_link_id[:255],
            defaults={
                "activity": activity,
                "lineitem_url": lineitem_url[:500],
                "scopes": [str(scope) for scope in scopes],
                "launched_at": timezone.now(),
            },
        )
    return identity


def _identity(launch):
    """The learner's identity; on their first launch, a new account for it.

    The account takes the name the platform shares, and its email address only if shared and
    used by no other account: a platform may claim any address, so an identity is never joined
    to an account by email (the learner links one with its password, `account_link`). Without
    an address of its own, the account has one that stands for none (`no_email_address`). It
    has no password: the learner signs in from their LMS.
    """
    found = Identity.objects.select_related("user").filter(
        issuer=launch.issuer, subject=launch.subject
    )
    if identity := found.first():
        return identity
    for email in filter(None, [_shared_email(launch), no_email_address()]):
        user = get_user_model()(
            email=email, full_name=_shared_name(launch) or UNNAMED, profession=Profession.OTHER
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
                return Identity.objects.create(
                    issuer=launch.issuer, subject=launch.subject, user=user, asks_profession=True
                )
        except IntegrityError:  # the same first launch twice at once, or the address just taken
            if identity := found.first():
                return identity
    raise IntegrityError("No account could be made for this launch.")


def _shared_email(launch):
    User = get_user_model()
    email = User.objects.normalize_email(launch.email)
    try:
        validate_email(email)
    except ValidationError:
        return ""
    if len(email) > 254 or undeliverable(email):
        return ""
    return "" if User.objects.filter(email__iexact=email).exists() else email


def _shared_name(launch):
    """The platform's name for the learner, as plain text that prints, or ""."""
    name = "".join(c for c in launch.name if c.isprintable() and c not in DIRECTION_CONTROLS)
    name = " ".join(name.split())[:150]
    return name if sum(c.isalpha() for c in name) >= 2 else ""


def profile_complete(*, user, full_name, profession):
    """The first launch's question answered: the learner's name and profession kept, and not
    asked again."""
    with transaction.atomic():
        get_user_model().objects.lock(user)
        user.full_name, user.profession = full_name, profession
        user.save(update_fields=["full_name", "profession"])
        Identity.objects.filter(user=user).update(asks_profession=False)


def made_by_a_launch(user):
    """Whether the account was made by an LMS launch and never had a password: the only kind
    that may be linked to another account."""
    return not user.has_usable_password() and Identity.objects.filter(user=user).exists()


def account_link(*, user, account):
    """Move the LMS identities of `user`, the account a launch made, to `account`, the
    learner's own (they typed its password), and remove `user`. Raises Refused when `account`
    is a staff account or `user` holds records of its own (they would be lost)."""
    if account.is_staff:
        raise Refused("Staff accounts cannot be signed in to from an LMS.", code="staff")
    User = get_user_model()
    with transaction.atomic():
        User.objects.lock(user)
        User.objects.lock(account)
        if not made_by_a_launch(user) or user.pk == account.pk:
            raise Refused("This account is already yours on this site.", code="linked")
        if _holds_records(user):
            raise Refused(
                "The account your LMS made here already holds your progress, so it cannot be "
                "joined to another account. Go on with it, or ask the site's staff to merge "
                "the two.",
                code="records",
            )
        Identity.objects.filter(user=user).update(user=account, asks_profession=False)
        user.delete()


def _holds_records(user):
    return any(
        model.objects.filter(learner=user).exists()
        for model in (LessonCompletion, Attempt, PollResponse, Comment, ActivityCompletion)
    )


def account_delete(*, user):
    """Close the account (`cme.services.account_delete`) and forget its LMS identities: a later
    launch of the same learner starts a new account."""
    with transaction.atomic():
        Identity.objects.filter(user=user).delete()
        cme_account_delete(user=user)
