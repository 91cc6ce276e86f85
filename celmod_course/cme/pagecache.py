"""Whole pages from the cache, for readers and for logged-in learners alike.

A page is cached under a key made of everything it shows: the content's version (any content
edit starts a new one), the day (an activity expires at midnight), the path, and for a learner
their own version and their session's CSRF cookie (the token in the page's forms belongs to
it). The learner's version is `User.page_version`, counted up by any write of theirs (a lesson
completed, an answer, an attempt, a completion, a claim, their profile); it comes with the user
row every request loads anyway, so every server process sees it at once. A page carrying a
one-off message is never cached, and neither are pages that show what other learners did (Your
Thoughts).
"""

import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from lessons.caching import content_changed, content_version

# Without a shared cache each server process keeps its own pages, and a content edit reaches the
# others when theirs expire.
PAGE_SECONDS = 60

# What a learner's own pages show about them: a write to any of these starts a new version.
# Content of the upper apps that cached pages show (the lessons app connects its own).
CONTENT_MODELS = ["quiz.Poll", "quiz.PollOption", "cme.CreditDesignation"]
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


def page_key(request):
    """The cache key of this request's page, or None when it must be rendered afresh."""
    if len(messages.get_messages(request)):
        return None
    parts = [content_version(), timezone.localdate(), request.path]
    if request.user.is_authenticated:
        csrf = request.COOKIES.get("csrftoken")
        if not csrf:
            return None
        parts += [request.user.pk, request.user.page_version, csrf]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"page:{digest}"


def cached_page(view):
    """Serve the view's GET from the cache when the same page was rendered for the same key."""

    def wrapper(request, *args, **kwargs):
        key = page_key(request) if request.method == "GET" else None
        if key and (content := cache.get(key)) is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if key and response.status_code == 200:
            cache.set(key, response.content, PAGE_SECONDS)
        return response

    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


def _learner_wrote(sender, instance, update_fields=None, **kwargs):
    if sender._meta.label == "accounts.User":
        if update_fields == frozenset({"last_login"}):
            return  # logging in changes nothing on the pages
        user_id = instance.pk
    else:
        user_id = _learner_id(instance)
    User = get_user_model()
    User.objects.filter(pk=user_id).update(page_version=F("page_version") + 1)


def _learner_id(instance):
    if hasattr(instance, "learner_id"):
        return instance.learner_id
    completion = getattr(instance, "completion", None) or instance.evaluation.completion
    return completion.learner_id


def connect(apps):
    for label in LEARNER_MODELS:
        model = apps.get_model(label)
        post_save.connect(_learner_wrote, sender=model, dispatch_uid=f"page-{label}-save")
        post_delete.connect(_learner_wrote, sender=model, dispatch_uid=f"page-{label}-delete")
    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{label}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{label}-del")
