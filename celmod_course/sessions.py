"""The session store: Django's cached_db (read from the cache, written through to the
database), refusing a malformed session key before any lookup. A cookie holding a NUL byte or
other odd characters is no session, not a database error (PostgreSQL refuses NUL in text)."""

import re

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

# What Django makes: 32 characters of digits and lower-case letters.
SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")


class SessionStore(CachedDbStore):
    def _validate_session_key(self, key):
        return bool(key) and SESSION_KEY.fullmatch(key) is not None
