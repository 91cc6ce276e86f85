"""The signed-in user from the cache, so that a warm logged-in page runs no query at all; and
everything that decides when a cached user is stale. Nothing else caches users.

On every request Django asks the session's authentication backend for the user (`get_user`),
then checks the session against it: the session's hash must match the user's, made of the
password and the `session_version` a log-out counts up (`User._get_session_auth_hash`).
`UserBackend` is Django's `ModelBackend` with that one read taken from the cache; the check is
Django's own, unchanged, so a password change or a log-out voids a session as before, and a
deactivated account (a deletion) is no user, as before.

A cached user is never older than the row, because every write of a user row forgets it:

- a `save()` or a `delete()` anywhere (post_save, post_delete: `connect()`);
- every `update()` of User rows (`UserQuerySet.update`, which sends no signal): the page
  version the page cache counts up, the session version a log-out counts up, an account
  opened, an email address changed.

The race: a request reads the row just before another request's write commits, and stores it
just after that write forgot it. So a user is cached under a **generation**, a random token
per user that forgetting deletes. A request reads the generation first, then the row, and
stores the row under that generation: a row read before a write committed goes, if at all,
under a generation the write then deleted, where no request looks again; the next request
makes a new generation and reads the new row. This needs no assumption about how long a
request takes (a short-lived tombstone would: that no request waits longer between its read
and its store than the tombstone lives). Forgetting happens at once, for the writing
transaction's own reads (and a test's, which never commits), and again once the transaction
commits: between the two, another request may have stored the row as it still was.

Every entry expires after `settings.PAGE_CACHE_SECONDS` (60 unless set). That bounds what a
lost write costs: the Redis wrapper drops writes while Redis stalls (`celmod_course.cache`), a
forgetting with them, and a row changed outside Django (SQL, a restore) forgets nothing; the
old user is then served at most that long. The cached user holds the row as the database does,
password hash included; the same cache already holds the sessions themselves.

Where the generations live decides who sees a forgetting. With Redis (`REDIS_URL`), which
every server shares, in Redis, beside the users. Without it each server process caches users in
its own memory, so a forgetting must reach every process on the machine at once: the
generations live in a small file every process maps into its memory (`SharedGenerations`,
`settings.USER_GENERATIONS_PATH`), one slot of 8 bytes per user id modulo 65,536; a read is a
memory read, and users sharing a slot only forget each other more often. `settings.CACHE_USERS`
(on unless set) turns the whole of it off.
"""

import mmap
import secrets
from functools import cache as once
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class UserBackend(ModelBackend):
    """Django's `ModelBackend`, with the signed-in user read from the cache."""

    def get_user(self, user_id):
        if not settings.CACHE_USERS:
            return super().get_user(user_id)
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, settings.PAGE_CACHE_SECONDS)
        return user


# For the log-ins that name their backend (an LTI launch, an account just opened).
BACKEND = f"{UserBackend.__module__}.{UserBackend.__qualname__}"


class CachedGenerations:
    """Generations in the shared cache (Redis), made when missing, kept as long as users."""

    def _key(self, user_id):
        return f"user-generation:{user_id}"

    def get(self, user_id):
        make = lambda: secrets.token_hex(8)  # noqa: E731
        return cache.get_or_set(self._key(user_id), make, settings.PAGE_CACHE_SECONDS)

    def renew(self, user_ids):
        for user_id in user_ids:
            cache.delete(self._key(user_id))


class SharedGenerations:
    """Generations in a file that every process on this machine maps into memory: renewing
    one writes 8 random bytes that every process reads at once."""

    SLOTS = 1 << 16

    def __init__(self, path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as file:
            if file.seek(0, 2) < self.SLOTS * 8:
                file.truncate(self.SLOTS * 8)
            self.memory = mmap.mmap(file.fileno(), self.SLOTS * 8)

    def _slot(self, user_id):
        start = int(user_id) % self.SLOTS * 8
        return slice(start, start + 8)

    def get(self, user_id):
        return self.memory[self._slot(user_id)].hex()

    def renew(self, user_ids):
        for user_id in user_ids:
            self.memory[self._slot(user_id)] = secrets.token_bytes(8)


@once
def _shared(path):
    return SharedGenerations(path)


def generations():
    """This process's generations: in Redis with Redis, in the shared file without."""
    if settings.REDIS_URL:
        return CachedGenerations()
    return _shared(settings.USER_GENERATIONS_PATH)


def user_key(user_id):
    """Where the user is cached now: under their current generation. Read it before the row
    that is stored there."""
    return f"user:{user_id}:{generations().get(user_id)}"


def _renew(user_ids):
    generations().renew(user_ids)


def forget(user_ids):
    """These users' rows changed: drop their cached copies now, and again at commit."""
    user_ids = list(user_ids)
    _renew(user_ids)
    transaction.on_commit(partial(_renew, user_ids))


def _saved_or_deleted(sender, instance, **kwargs):
    forget([instance.pk])


def connect(user_model):
    """Wire the invalidations that signals bring (called once, from the accounts app's
    `ready()`); `UserQuerySet.update` brings the rest."""
    for signal in (post_save, post_delete):
        signal.connect(_saved_or_deleted, sender=user_model, dispatch_uid="usercache-forget")
