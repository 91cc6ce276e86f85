"""Whole pages from the cache, for readers and for logged-in learners alike.

A page is cached under a key made of everything it shows: the content's version (every save or
delete of content, in the admin, by `loaddata`, anywhere, starts a new one), the day (an
activity expires at midnight), the path (a query string adds no entry), and for a learner their
own version and their session's CSRF cookie (the token in the page's forms belongs to it). The
learner's version is `User.page_version`, counted up by any write of theirs (wired in
`celmod_course.cme.pagecache`); it comes with the user row every request loads anyway, so every
server process sees it at once. Pages that show what other learners did (Your Thoughts) add the
shared version, which every poll answer and comment starts anew; they hold forms, so they are
cached for learners only. A page carrying a one-off message is never cached.
"""

import hashlib
import secrets
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone

# Without a shared cache each server process keeps its own pages, and a content edit (or another
# learner's answer) reaches the others when theirs expire.
PAGE_SECONDS = 60
CONTENT_VERSION = "content-version"
SHARED_VERSION = "shared-version"


def _version(key):
    return cache.get_or_set(key, lambda: secrets.token_hex(8), timeout=None)


def content_version():
    return _version(CONTENT_VERSION)


def content_changed(**kwargs):
    cache.delete(CONTENT_VERSION)


def others_wrote(**kwargs):
    cache.delete(SHARED_VERSION)


def page_key(request, *, shared=False):
    """The cache key of this request's page, or None when it must be rendered afresh."""
    if len(messages.get_messages(request)):
        return None
    if shared and not request.user.is_authenticated:
        return None  # its forms carry the visitor's own CSRF token, which readers' pages lack
    parts = [content_version(), timezone.localdate(), request.path]
    if shared:
        parts += [_version(SHARED_VERSION), request.GET.get("page", "")]
    if request.user.is_authenticated:
        csrf = request.COOKIES.get("csrftoken")
        if not csrf:
            return None
        parts += [request.user.pk, request.user.page_version, csrf]
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(view=None, *, shared=False):
    """Serve the view's GET from the cache when the same page was rendered for the same key."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = page_key(request, shared=shared) if request.method == "GET" else None
            if key and (content := cache.get(key)) is not None:
                return HttpResponse(content)
            response = view(request, *args, **kwargs)
            if key and response.status_code == 200:
                cache.set(key, response.content, PAGE_SECONDS)
            return response

        return wrapper

    return decorate(view) if view else decorate
