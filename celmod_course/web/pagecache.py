"""The page cache: whole pages for readers and learners, and everything that decides when a
cached page is stale. Nothing else in the project caches pages or keeps a cache version.

The key of a page holds everything the page renders from the request:

- the **content version**, renewed by every save or delete of what pages show of an activity
  (`CONTENT_MODELS`: its text, lessons, faculty, knowledge check, polls, credit and evaluation),
  in the admin, by `loaddata`, anywhere, and by a bulk `update()` of them, which sends
  `celmod_course.signals.rows_updated`;
- the **day** in the site's time zone: an activity expires at midnight;
- the **path**. The query string is not in the key, and no cached page renders it (the Log in
  and Sign up links return to the path). The one parameter a cached page reads, Your Thoughts'
  `?page=`, is in its key, and that view redirects any value but a real page's number;
- for a learner, their id and **`User.page_version`**, counted up by every write of theirs
  (`LEARNER_MODELS`). It is a column of the user row every request loads anyway (from the
  database, or with Redis from the user cache, which the count forgets:
  `celmod_course.accounts.usercache`), so every server process sees a new one at once;
- for pages that show what other learners did (`shared=True`: the poll's tally, the
  discussion), the **shared version**, renewed by every poll answer and every comment posted,
  edited, hidden or shown (`SHARED_MODELS`, the admin's hide and show actions included).

The CSRF token is not in the key, so a client sending new cookies cannot mint new entries. A page
is stored with a placeholder where its forms' token was, and each request gets its own token in
its place when the page is served; so too the signed time the page was served, which a form
carries as `{% served_at %}` (a lesson's "Complete and continue" records when it was opened).
Per learner the cache holds at most one entry per page (and per Your Thoughts page number) for
their current versions; older ones expire.

How long: pages are kept `settings.PAGE_CACHE_SECONDS` (60 unless set). With Redis
(`REDIS_URL`) every server shares the cache and the versions, which live until renewed: an edit
shows on every server's next request. Without Redis each process keeps its own cache, and the
versions and memos expire after `PAGE_CACHE_SECONDS` too: an edit shows at once in the process
that saved it, and within that time (60 seconds) in every other.

Never cached: anything but a GET answered 200 (an LTI launch is a POST: it signs the learner in
and redirects, and the pages it leads to are cached per learner as any), a response carrying a
one-off message, and pages of others' activity (`shared=True`) for visitors who are not logged
in.
"""

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from celmod_course.signals import rows_updated

CONTENT_VERSION = "content-version"
SHARED_VERSION = "shared-version"

# What pages show of an activity.
CONTENT_MODELS = [
    "lessons.Activity",
    "lessons.Faculty",
    "lessons.LearningObjective",
    "lessons.KeyTakeaway",
    "lessons.Lesson",
    "lessons.Paragraph",
    "lessons.Abbreviation",
    "quiz.Question",
    "quiz.Choice",
    "quiz.Poll",
    "quiz.PollOption",
    "cme.CreditDesignation",
    "cme.EvaluationQuestion",
]
# What a learner's pages show about them.
LEARNER_MODELS = [
    "accounts.User",
    "lessons.LessonCompletion",
    "quiz.Attempt",
    "quiz.PollResponse",
    "quiz.Comment",
    "cme.ActivityCompletion",
    "cme.Evaluation",
    "cme.CreditClaim",
]
# What pages show of every learner: the poll's tally, the discussion.
SHARED_MODELS = ["quiz.PollResponse", "quiz.Comment"]

_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"
_CSRF_CHARS, _LENGTH = CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
_CSRF_INDEX = {char: index for index, char in enumerate(_CSRF_CHARS)}
_CHARS = len(_CSRF_CHARS)
_UNBIASED = 256 - 256 % _CHARS  # bytes from here up would favour the first characters
SERVED_PLACEHOLDER = "\x00served\x00"
SERVED_SALT = "web.page-served"
SERVED_MAX_AGE = timedelta(days=1)  # a page left open for over a day tells nothing of reading time


def _served_signature(moment):
    return salted_hmac(SERVED_SALT, moment, algorithm="sha256").hexdigest()


def served_token():
    """The signed moment this page is served, for a form to send back: the time in
    milliseconds and its HMAC (`signing.dumps` with its JSON and base64 took four times as long,
    on every warm lesson page)."""
    moment = str(int(timezone.now().timestamp() * 1000))
    return f"{moment}:{_served_signature(moment)}"


def read_served_token(token):
    """When the page that sent `token` was served, or None if missing, forged or too old."""
    moment, _, signature = (token or "").partition(":")
    if not (moment.isascii() and moment.isdigit()):
        return None
    if not constant_time_compare(signature, _served_signature(moment)):
        return None
    served, now = datetime.fromtimestamp(int(moment) / 1000, tz=UTC), timezone.now()
    return served if now - SERVED_MAX_AGE <= served <= now else None


def _csrf_token(request):
    """This request's CSRF token for a page served from the cache: what `get_token` gives, a
    fresh mask over the browser's CSRF secret (so no two responses carry the same token), made
    with one read of the system's randomness instead of one per character, which cost a warm
    page a tenth of its time. Like the page, it does not re-send the CSRF cookie the browser
    already holds; a browser without one gets it from `get_token`."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)
    indexes = [byte % _CHARS for byte in secrets.token_bytes(64) if byte < _UNBIASED][:_LENGTH]
    if len(indexes) < _LENGTH:  # practically never: over half the bytes refused
        return get_token(request)
    mask = "".join([_CSRF_CHARS[y] for y in indexes])
    pairs = zip(secret, indexes, strict=True)
    return mask + "".join([_CSRF_CHARS[(_CSRF_INDEX[x] + y) % _CHARS] for x, y in pairs])


def _for_this_request(request, content):
    """A page as stored, with this request's CSRF token and served time in their places."""
    if _CSRF_PLACEHOLDER in content:
        content = content.replace(_CSRF_PLACEHOLDER, _csrf_token(request).encode())
    if SERVED_PLACEHOLDER.encode() in content:
        content = content.replace(SERVED_PLACEHOLDER.encode(), served_token().encode())
    return content


def _page_seconds():
    return settings.PAGE_CACHE_SECONDS


def _version_seconds():
    return None if settings.REDIS_URL else _page_seconds()


def _version(key):
    return cache.get_or_set(key, lambda: secrets.token_hex(8), timeout=_version_seconds())


def content_version():
    """The content's current version: Ask's index and `content_memo` are kept per version too."""
    return _version(CONTENT_VERSION)


def content_memo(name, compute):
    """`compute()`, kept for the current content version (for values that follow the content
    only, such as time estimates)."""
    key = f"memo:{content_version()}:{name}"
    return cache.get_or_set(key, compute, timeout=_version_seconds())


def content_changed(**kwargs):
    _renew(CONTENT_VERSION)


def others_wrote(**kwargs):
    _renew(SHARED_VERSION)


def _renew(key):
    """A new version now, and again once the write commits: a page read meanwhile saw the rows
    as they were, and may have made a version of its own for them."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def learner_wrote(sender, instance, update_fields=None, **kwargs):
    if sender._meta.label == "accounts.User":
        if update_fields == frozenset({"last_login"}):
            return  # logging in changes nothing on the pages
        user_id = instance.pk
    elif hasattr(instance, "learner_id"):
        user_id = instance.learner_id
    else:
        completion = getattr(instance, "completion", None) or instance.evaluation.completion
        user_id = completion.learner_id
    _count_up([user_id])


def _count_up(user_ids):
    """A new page version for each of these learners."""
    get_user_model().objects.filter(pk__in=user_ids).update(page_version=F("page_version") + 1)


def _bulk_updated(sender, learner_ids=(), **kwargs):
    label = sender._meta.label
    if label in CONTENT_MODELS:
        content_changed()
    if label in SHARED_MODELS:
        others_wrote()
    if label in LEARNER_MODELS and learner_ids:
        _count_up(learner_ids)


def connect():
    """Wire every invalidation (called once, from the web app's `ready()`)."""
    for receiver, labels in [
        (content_changed, CONTENT_MODELS),
        (learner_wrote, LEARNER_MODELS),
        (others_wrote, SHARED_MODELS),
    ]:
        for label in labels:
            model = apps.get_model(label)
            uid = f"pagecache-{receiver.__name__}-{label}"
            post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
    rows_updated.connect(_bulk_updated, dispatch_uid="pagecache-rows-updated")


def page_key(request, *, shared=False):
    """The cache key of this request's page, or None when it must be rendered afresh."""
    if len(messages.get_messages(request)):
        return None
    if shared and not request.user.is_authenticated:
        return None
    today = timezone.localdate(timezone=timezone.get_default_timezone())  # none is ever activated
    parts = [content_version(), today, request.path]
    if shared:
        parts += [_version(SHARED_VERSION), request.GET.get("page", "")]
    if request.user.is_authenticated:
        parts += [request.user.pk, request.user.page_version]
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(view=None, *, shared=False):
    """Serve the view's GET from the cache when the same page was rendered for the same key."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = page_key(request, shared=shared) if request.method == "GET" else None
            if key and (stored := cache.get(key)) is not None:
                return HttpResponse(_for_this_request(request, stored))
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                stored = _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
                if key:
                    cache.set(key, stored, _page_seconds())
                response.content = _for_this_request(request, stored)
            return response

        return wrapper

    return decorate(view) if view else decorate
