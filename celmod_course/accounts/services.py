"""Signing up, without telling anyone whether an address has an account.

Every sign-up gets the same answer ("check your email") and costs the same work (a password
hash, a queued mail). A new address gets an account that opens when its owner follows the link
mailed to it; an address with an account gets a notice instead, with a link to log in or to
choose a new password; an address whose account was never opened gets the link again, for
whoever now proves they own it.
"""

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from .limits import hit
from .models import User

SIGNUP_SALT = "accounts.signup"
SIGNUP_MAX_AGE = 60 * 60 * 24  # the link to open a new account works for a day
SIGNUPS_PER_EMAIL = 3  # mails an hour to one address; the page answers the same beyond


def sign_up(*, email, full_name, profession, password, next_url, absolute):
    """Record the sign-up and queue its mail; `absolute(path)` makes a link of a path."""
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email__iexact=email).first()
        if existing is not None and existing.is_opened:
            make_password(password)  # the same work as for a new account
            template, token = "signup_exists", None
        else:
            user = existing or User(email=email)
            user.full_name, user.profession, user.is_active = full_name, profession, False
            user.set_password(password)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:  # the same address, signing up at the same moment
                return
            template = "signup_confirm"
            token = signing.dumps(
                {"user": user.pk, "next": next_url, "sign-up": _this_sign_up(user)},
                salt=SIGNUP_SALT,
            )
        if hit("signup-email", email, seconds=3600) <= SIGNUPS_PER_EMAIL:
            _mail(email, template, absolute=absolute, token=token)


def _mail(email, template, *, absolute, token=None):
    context = {
        "open": absolute(reverse("accounts:signup_open", args=[token])) if token else "",
        "log_in": absolute(reverse("accounts:login")),
        "reset": absolute(reverse("accounts:password_reset")),
    }
    subject = "Open your account at CME activities"
    if template == "signup_exists":
        subject = "You already have an account at CME activities"
    send_mail(subject, render_to_string(f"accounts/{template}_email.txt", context), None, [email])


def account_to_open(token):
    """The never-opened account a sign-up link opens, and where it returns, or (None, "")."""
    try:
        value = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_MAX_AGE)
    except signing.BadSignature:
        return None, ""
    user = User.objects.filter(pk=value.get("user")).first()
    if user is None or user.is_opened or value.get("sign-up") != _this_sign_up(user):
        return None, ""
    return user, value.get("next", "")


def _this_sign_up(user):
    """Names the sign-up a link was mailed for: a later sign-up (another password) voids it."""
    return salted_hmac(SIGNUP_SALT, user.password).hexdigest()[:16]


def account_open(*, user):
    """Open the account: its owner followed the link. True if this opened it."""
    with transaction.atomic():
        return bool(
            User.objects.filter(pk=user.pk, is_active=False, last_login__isnull=True).update(
                is_active=True
            )
        )
