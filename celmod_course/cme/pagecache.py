"""What makes cached pages (`lessons.caching`) stale, wired here, where every app is known: a
learner's own writes count up their `page_version`; content of the upper apps starts a new
content version; poll answers and comments start a new shared version."""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from lessons.caching import content_changed, others_wrote

# Content of the upper apps that cached pages show (the lessons app connects its own).
CONTENT_MODELS = [
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


def _connect(receiver, labels, apps, name):
    for label in labels:
        model = apps.get_model(label)
        post_save.connect(receiver, sender=model, dispatch_uid=f"{name}-{label}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{name}-{label}-delete")


def connect(apps):
    _connect(_learner_wrote, LEARNER_MODELS, apps, "learner")
    _connect(content_changed, CONTENT_MODELS, apps, "content")
    _connect(others_wrote, SHARED_MODELS, apps, "shared")
