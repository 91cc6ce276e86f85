"""Rate limits: how many times something happened lately, per client address or account.

One helper for every limit (questions to Ask, password resets, wrong passwords), counted in the
cache. A count is estimated over a sliding window, from the current fixed window and the part of
the previous one the sliding window still covers, so a burst at a window's edge cannot double
the limit. The counts live in their own cache ("limits"), which page caching cannot fill; with
REDIS_URL it is shared by every server. Keys are hashed: no email address or client address is
stored as such. If the shared cache is down, counts read as zero: limits fail open.
"""

import hashlib
import time

from django.core.cache import caches


def _cache():
    return caches["limits"]


def _keys(scope, key, seconds, now):
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    window = int(now // seconds)
    return f"limit:{digest}:{window}", f"limit:{digest}:{window - 1}"


def _estimate(current, previous, seconds, now):
    return current + previous * (1 - (now % seconds) / seconds)


def count(scope, key, *, seconds):
    """How many times (scope, key) happened in the last `seconds`, estimated."""
    now = time.time()
    current, previous = _keys(scope, key, seconds, now)
    values = _cache().get_many([current, previous])
    return _estimate(values.get(current, 0), values.get(previous, 0), seconds, now)


def hit(scope, key, *, seconds):
    """Count one more time for (scope, key); returns the estimate including it."""
    now = time.time()
    current, previous = _keys(scope, key, seconds, now)
    cache = _cache()
    cache.add(current, 0, timeout=2 * seconds)
    try:
        value = cache.incr(current)
    except ValueError:  # it expired between add and incr
        cache.set(current, 1, timeout=2 * seconds)
        value = 1
    return _estimate(value, cache.get(previous, 0), seconds, now)
