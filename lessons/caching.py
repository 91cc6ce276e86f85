"""A version of the activities' content, so that pages cached from it are dropped when it changes.

Every save or delete of content (in the admin, by `loaddata`, anywhere) starts a new version;
cache keys that include `content_version()` then miss, and the next request renders afresh.
"""

import secrets

from django.core.cache import cache

VERSION_KEY = "content-version"


def content_version():
    return cache.get_or_set(VERSION_KEY, lambda: secrets.token_hex(8), timeout=None)


def content_changed(**kwargs):
    cache.delete(VERSION_KEY)
