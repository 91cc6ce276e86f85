"""Inside Django, before the served run of `make bench`: the learners it acts as, each with a
session, printed as one line of JSON (the plan bench/served.py and bench/locustfile.py follow).

The activity is made open and offering credit to every profession first, as a running course
is: the fixtures' expiry date has passed, and they state no credit. Then, among the synthetic
learners, each write finds learners who can make it once, so that every request does the real
write (no learner in two lists):

- complete: learners who never completed a lesson complete the first;
- vote: learners who never answered the poll answer it at Your Thoughts;
- submit: learners who completed every lesson and never took the knowledge check submit it with
  every answer right, which completes the activity;
- claim: learners who completed the activity fill in the evaluation here, through the service
  its page calls, and claim credit in the run.

The readers, whose session reads the pages, are learners who answered the poll.
"""

import json
from datetime import timedelta
from decimal import Decimal

from project import setup_django

WRITERS = 2000  # per write: about what 20 learners write in the run's 10 s on this machine
READERS = 200


def open_with_credit(activity):
    from celmod_course.accounts.models import Profession
    from celmod_course.cme.models import CreditDesignation

    activity.expires_on = activity.released_on + timedelta(days=3 * 365)
    activity.save()
    for profession in Profession.values:
        CreditDesignation.objects.get_or_create(
            activity=activity,
            profession=profession,
            defaults={
                "credit_type": "AMA PRA Category 1 Credit™",
                "max_amount": Decimal("1.00"),
                "statement": "The provider designates this enduring material for a maximum of "
                "1 AMA PRA Category 1 Credit™.",
            },
        )


def sessions_for(users):
    """A logged-in session for each user, as logging in makes one, stored in one go."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from celmod_course.accounts.usercache import BACKEND

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    store = store_class()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys, rows = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        keys.append(key)
        rows.append(
            store_class.get_model_class()(
                session_key=key, session_data=store.encode(data), expire_date=expires
            )
        )
    store_class.get_model_class().objects.bulk_create(rows, batch_size=1000)
    return keys


def pick(candidates, taken, count=WRITERS):
    """Up to `count` of the learners `candidates`, none already `taken` (which grows)."""
    from celmod_course.accounts.models import User

    ids = []
    for pk in candidates.values_list("pk", flat=True)[: count + len(taken)]:
        if pk not in taken and len(ids) < count:
            ids.append(pk)
    taken.update(ids)
    return list(User.objects.filter(pk__in=ids))


def plan():
    from django.db import transaction
    from django.db.models import Count, Exists, OuterRef
    from django.urls import reverse

    from celmod_course.accounts.models import User
    from celmod_course.cme.models import ActivityCompletion, Evaluation, EvaluationQuestion
    from celmod_course.cme.services import evaluation_submit
    from celmod_course.web.forms import KnowledgeCheckForm
    from lessons.models import Activity, Lesson
    from quiz.models import Attempt, Poll, PollResponse, Question

    activity = Activity.objects.get()
    open_with_credit(activity)
    lessons = list(Lesson.objects.for_activity(activity))
    poll = Poll.objects.for_activity(activity).first()
    learners = User.objects.filter(is_synthetic=True).order_by("pk")
    answered = Exists(PollResponse.objects.filter(learner=OuterRef("pk")))
    attempted = Exists(Attempt.objects.filter(learner=OuterRef("pk")))
    completed = ActivityCompletion.objects.filter(learner=OuterRef("pk"), activity=activity)
    evaluated = Evaluation.objects.filter(completion__learner=OuterRef("pk"))

    taken = set()
    claimants = pick(learners.filter(Exists(completed), ~Exists(evaluated)), taken)
    evaluation = dict.fromkeys(EvaluationQuestion.objects.filter(activity=activity), (4, True, ""))
    with transaction.atomic():  # one commit for them all: set-up, not what is measured
        for learner in claimants:
            evaluation_submit(learner=learner, activity=activity, answers=evaluation)
    writers = {
        "complete": pick(learners.filter(lesson_completions__isnull=True), taken),
        "vote": pick(learners.filter(~answered), taken),
        "submit": pick(
            learners.filter(~attempted)
            .annotate(lessons_done=Count("lesson_completions"))
            .filter(lessons_done=len(lessons)),
            taken,
        ),
        "claim": claimants,
    }

    questions = Question.objects.for_activity(activity).prefetch_related("choices")
    right_answers = {
        KnowledgeCheckForm.field_name(q): str(next(c.pk for c in q.choices.all() if c.is_correct))
        for q in questions
    }
    knowledge_check = reverse("cme:knowledge_check", args=[activity.slug])
    # What each write posts, and where its page sends the learner when the write is done.
    posts = {
        "complete": {
            "path": reverse("cme:complete", args=[activity.slug, lessons[0].slug]),
            "data": {},
            "lands": lessons[1].get_absolute_url(),
        },
        "vote": {
            "path": poll.get_vote_url(),
            "data": {f"poll-{poll.pk}-option": str(poll.options.order_by("value").last().pk)},
            "lands": reverse("quiz:your_thoughts", args=[activity.slug]),
        },
        "submit": {
            "path": reverse("cme:submit", args=[activity.slug]),
            "data": right_answers,
            "lands": knowledge_check + "attempts/",
        },
        "claim": {
            "path": reverse("cme:submit_claim", args=[activity.slug]),
            "data": {"amount": "0.5", "first_name": "Bench", "last_name": "Bench", "attest": "on"},
            "lands": reverse("cme:certificate", args=["NUMBER"]).removesuffix("NUMBER/"),
        },
    }
    readers = learners.filter(answered)[:READERS]
    lesson = lessons[1]
    return {
        "readers": sessions_for(readers),
        "paths": {
            "baseline": reverse("health"),
            "reader-lesson": lesson.get_absolute_url(),
            "lesson": lesson.get_absolute_url(),
            "overview": activity.get_absolute_url(),
            "your-thoughts": reverse("quiz:your_thoughts", args=[activity.slug]),
            "knowledge-check": knowledge_check,
        },
        "writes": {
            write: {**posts[write], "sessions": sessions_for(users)}
            for write, users in writers.items()
        },
    }


if __name__ == "__main__":
    setup_django()
    print(json.dumps(plan()))
