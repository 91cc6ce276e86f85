"""Rate limits: how many times something happened lately, per client address or account.

One helper for every limit, with two places to count:

- `DATABASE` (the default), for the limits that guard accounts (wrong passwords, password
  resets, email changes): every server process and every server sees the same number, with or
  without Redis, and no flood of cached pages can push a count out. Only POSTs count there.
- `CACHE`, for a limit that only guards capacity on a GET (Ask): the separate "limits" cache,
  so that reading a page writes nothing to the database. It is shared by the servers with
  Redis, counted per process without it, and fails open when Redis does not answer.

A count is estimated over a sliding window, from the current fixed window and the part of the
previous one the sliding window still covers, so a burst at a window's edge cannot double the
limit. Keys are hashed: no email or client address is stored as such. Counts whose windows
have passed are deleted (from the database as new ones are made; the cache expires them).
"""

import hashlib
import time
from datetime import UTC, datetime

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Limit


class _DatabaseCounts:
    @staticmethod
    def counts(digest, seconds, window):
        rows = Limit.objects.filter(key=digest, seconds=seconds, window__in=[window, window - 1])
        return dict(rows.values_list("window", "count"))

    @classmethod
    def add(cls, digest, seconds, window, now):
        this_window = Limit.objects.filter(key=digest, seconds=seconds, window=window)
        with transaction.atomic():
            if not this_window.update(count=F("count") + 1):
                try:
                    with transaction.atomic():
                        expires_at = datetime.fromtimestamp(now + 2 * seconds, tz=UTC)
                        Limit.objects.create(
                            key=digest, seconds=seconds, window=window, count=1,
                            expires_at=expires_at,
                        )  # fmt: skip
                except IntegrityError:  # another request made it first
                    this_window.update(count=F("count") + 1)
                else:
                    passed = datetime.fromtimestamp(now, tz=UTC)
                    Limit.objects.filter(expires_at__lt=passed).delete()
            return cls.counts(digest, seconds, window)


class _CacheCounts:
    @staticmethod
    def _key(digest, window):
        return f"limit:{digest}:{window}"

    @classmethod
    def counts(cls, digest, seconds, window):
        keys = {cls._key(digest, w): w for w in (window, window - 1)}
        return {keys[k]: value for k, value in caches["limits"].get_many(list(keys)).items()}

    @classmethod
    def add(cls, digest, seconds, window, now):
        cache, key = caches["limits"], cls._key(digest, window)
        cache.add(key, 0, timeout=2 * seconds)
        try:
            cache.incr(key)
        except ValueError:  # it expired between add and incr
            cache.set(key, 1, timeout=2 * seconds)
        return cls.counts(digest, seconds, window)


DATABASE, CACHE = _DatabaseCounts, _CacheCounts


def _where(scope, key, seconds):
    now = time.time()
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return digest, int(now // seconds), now


def _estimate(counts, window, seconds, now):
    current, previous = counts.get(window, 0), counts.get(window - 1, 0)
    return current + previous * (1 - (now % seconds) / seconds)


def count(scope, key, *, seconds, store=DATABASE):
    """How many times (scope, key) happened in the last `seconds`, estimated."""
    digest, window, now = _where(scope, key, seconds)
    return _estimate(store.counts(digest, seconds, window), window, seconds, now)


def hit(scope, key, *, seconds, store=DATABASE):
    """Count one more time for (scope, key); returns the estimate including it."""
    digest, window, now = _where(scope, key, seconds)
    return _estimate(store.add(digest, seconds, window, now), window, seconds, now)
