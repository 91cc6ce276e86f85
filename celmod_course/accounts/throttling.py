from django.conf import settings

from .limits import count, hit


def username(request, credentials):
    """Count failed log-ins per email whatever its case, as the log-in itself matches it."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return value.strip().lower()


def client_address(request):
    """The visitor's address. Behind a proxy (TRUST_X_FORWARDED_FOR=1) it is the last address
    the proxy appended to X-Forwarded-For; otherwise the connection's own address."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _wrong_password_window():
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def count_wrong_password(user):
    """A wrong current password typed by a logged-in learner (password change, account deletion),
    counted like a wrong log-in."""
    hit("wrong-password", user.pk, seconds=_wrong_password_window())


def wrong_password_limit_reached(user):
    return count("wrong-password", user.pk, seconds=_wrong_password_window()) >= (
        settings.AXES_FAILURE_LIMIT
    )
