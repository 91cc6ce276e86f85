"""The caches. Neither checks that a key would suit memcached, as Django's backends do on every
read and write (reading every character of the key, about a fifth of what a cached page's
reads cost): no memcached serves this site, and its keys are short and fixed in shape.

The shared cache, Redis, as a convenience the site can lose: when Redis does not answer, a
read misses and a write is dropped, and the page is served from the database as if nothing
were cached. (Django's own Redis backend raises instead.)

A fuse keeps a stalled Redis from slowing every request: its connect and read timeouts are
short (settings: 0.1 s), and after a failure this process skips Redis for `FUSE_SECONDS`, then
tries it again. So a request waits on a stalled Redis at most once per process and fuse, not
once per cache call.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

FUSE_SECONDS = 5.0
_blown_until = 0.0  # per process: until when Redis is skipped


def _fail_open(default_of):
    def decorate(method):
        def wrapper(self, *args, **kwargs):
            global _blown_until
            if time.monotonic() < _blown_until:
                return default_of(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                _blown_until = time.monotonic() + FUSE_SECONDS
                log.warning(
                    "Redis is not answering (%s); going on without the cache for %d s.",
                    type(error).__name__,
                    FUSE_SECONDS,
                )
                return default_of(*args, **kwargs)

        wrapper.__name__ = method.__name__
        return wrapper

    return decorate


class LocalCache(LocMemCache):
    """Each server process's own cache, when there is no Redis."""

    def validate_key(self, key):
        pass


class FailOpenRedisCache(RedisCache):
    def validate_key(self, key):
        pass

    get = _fail_open(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _fail_open(lambda keys, version=None: {})(RedisCache.get_many)
    set = _fail_open(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _fail_open(lambda *args, **kwargs: [])(RedisCache.set_many)
    add = _fail_open(lambda *args, **kwargs: False)(RedisCache.add)
    delete = _fail_open(lambda *args, **kwargs: False)(RedisCache.delete)
    incr = _fail_open(lambda *args, **kwargs: 0)(RedisCache.incr)
    touch = _fail_open(lambda *args, **kwargs: False)(RedisCache.touch)
    has_key = _fail_open(lambda *args, **kwargs: False)(RedisCache.has_key)
    clear = _fail_open(lambda *args, **kwargs: None)(RedisCache.clear)
