from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models import F


def end_every_session(sender, request, user, **kwargs):
    """A log-out voids the account's sessions in the database row, not only in the session
    store, which a stalled cache could keep (see `User._get_session_auth_hash`)."""
    if user is not None and user.is_authenticated:
        get_user_model().objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)


class AccountsConfig(AppConfig):
    name = "celmod_course.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import usercache

        user_logged_out.connect(end_every_session, dispatch_uid="accounts-end-every-session")
        usercache.connect(get_user_model())
