"""The xAPI statements the site sends, one function per thing a learner does (docs/xapi.md shows
an example of each). Each returns a `Draft`: the statement (xAPI 1.0.3) without its id, which
`Statement.objects.record` gives it, and when it happened, the row's own timestamp.

- The actor is the learner's pseudonym, an account on the site's home page (`SITE_URL`): the
  same pseudonym the staff's CSV exports use (`celmod_course.cme.exports.pseudonym`), never a
  name or an email.
- Activity ids are the site's own absolute URLs: the activity's overview, each lesson's page,
  the knowledge check's page (each question an anchor on it), Your Thoughts' poll (its anchor;
  the question before the lessons, its own URL).
- Verbs are ADL's, and "earned" (credit) from the xAPI registry; the cmi5 extensions are used
  where they fit: progress (0 to 100) with `progressed`, the mastery score with `passed` and
  `failed`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from celmod_course.cme.exports import pseudonym
from celmod_course.cme.models import amount_text
from quiz.models import Moment

VERBS = {
    "progressed": "http://adlnet.gov/expapi/verbs/progressed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "http://id.tincanapi.com/verb/earned",
}
TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "attempt": "http://adlnet.gov/expapi/activities/attempt",
}
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
CMI5_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
PLATFORM = "CELMoDs course site"


@dataclass(frozen=True)
class Draft:
    learner_id: int
    timestamp: datetime
    summary: str  # what it is about, for staff in the admin
    statement: dict


def url(path):
    """The site's absolute URL of `path`: statements are built outside requests."""
    return settings.SITE_URL + path


def credit_extension():
    """The result extension that holds the credit earned: an IRI of the site's own."""
    return url("/xapi/extensions/credit")


def iso_duration(span):
    """A timedelta as xAPI writes a duration (ISO 8601, to the hundredth of a second)."""
    hundredths = round(span.total_seconds() * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    return f"PT{f'{hours}H' if hours else ''}{f'{minutes}M' if minutes else ''}{rest / 100:g}S"


def actor(learner_id):
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": pseudonym(learner_id)},
    }


def activity_object(activity):
    return _object(url(activity.get_absolute_url()), "course", activity.title)


def _object(iri, kind, name, description="", **definition):
    definition = {"type": TYPES[kind], "name": {"en-US": name}, **definition}
    if description:
        definition["description"] = {"en-US": description}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _statement(
    learner_id, verb, obj, timestamp, *, result=None, parents=(), grouping=(), extensions=None
):
    context = {"platform": PLATFORM, "language": "en-US"}
    activities = {}
    if parents:
        activities["parent"] = list(parents)
    if grouping:
        activities["grouping"] = list(grouping)
    if activities:
        context["contextActivities"] = activities
    if extensions:
        context["extensions"] = extensions
    statement = {
        "actor": actor(learner_id),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": timestamp.isoformat(),
    }
    if result:
        statement["result"] = result
    return statement


def lesson_completed(completion, *, number):
    """A lesson completed: `completed` on the lesson (with the time between opening its page and
    completing it, when known)."""
    lesson = completion.lesson
    result = {"completion": True}
    if completion.time_spent is not None:
        result["duration"] = iso_duration(completion.time_spent)
    obj = _object(url(lesson.get_absolute_url()), "lesson", f"Lesson {number}: {lesson.heading}")
    statement = _statement(
        completion.learner_id,
        "completed",
        obj,
        completion.completed_at,
        result=result,
        parents=[activity_object(lesson.activity)],
    )
    return Draft(completion.learner_id, completion.completed_at, obj["id"], statement)


def activity_progressed(completion, *, percent):
    """With each lesson completed: `progressed` on the activity, with its progress (the bar the
    pages show, `Progress.percent`) in cmi5's progress extension."""
    obj = activity_object(completion.lesson.activity)
    statement = _statement(
        completion.learner_id,
        "progressed",
        obj,
        completion.completed_at,
        result={"extensions": {CMI5_PROGRESS: percent}},
    )
    return Draft(completion.learner_id, completion.completed_at, obj["id"], statement)


def poll_answered(response):
    """A poll answered: `answered` on the poll, a Likert interaction, with the option's value as
    the response. The question before the lessons is an activity of its own (its URL), so that
    the answers before and after can be paired."""
    poll = response.poll
    activity = poll.activity
    if response.moment == Moment.BEFORE:
        iri = url(poll.get_before_url())
    else:
        iri = url(reverse("quiz:your_thoughts", args=[activity.slug]) + f"#poll-{poll.slug}")
    obj = _object(
        iri,
        "interaction",
        poll.question,
        interactionType="likert",
        scale=[
            {"id": str(option.value), "description": {"en-US": option.text}}
            for option in poll.options.order_by("value")
        ],
    )
    statement = _statement(
        response.learner_id,
        "answered",
        obj,
        response.created_at,
        result={"response": str(response.option.value)},
        parents=[activity_object(activity)],
    )
    return Draft(response.learner_id, response.created_at, iri, statement)


def knowledge_check_object(activity):
    iri = url(reverse("cme:knowledge_check", args=[activity.slug]))
    return _object(iri, "assessment", f"Knowledge check: {activity.title}")


def attempt_object(attempt):
    return _object(url(attempt.get_absolute_url()), "attempt", f"Attempt {attempt.number}")


def attempt_scored(attempt):
    """A knowledge-check attempt: `passed` or `failed` on the knowledge check, with its score,
    the time from opening to submitting it, and the pass mark as cmi5's mastery score."""
    activity = attempt.activity
    obj = knowledge_check_object(activity)
    statement = _statement(
        attempt.learner_id,
        "passed" if attempt.passed else "failed",
        obj,
        attempt.submitted_at,
        result={
            "score": {
                "scaled": round(attempt.score / attempt.total, 4) if attempt.total else 0,
                "raw": attempt.score,
                "min": 0,
                "max": attempt.total,
            },
            "success": attempt.passed,
            "completion": True,
            "duration": iso_duration(attempt.submitted_at - attempt.started_at),
        },
        parents=[activity_object(activity)],
        grouping=[attempt_object(attempt)],
        extensions={CMI5_MASTERY_SCORE: activity.pass_mark / 100},
    )
    summary = f"{obj['id']} (attempt {attempt.number})"
    return Draft(attempt.learner_id, attempt.submitted_at, summary, statement)


def question_answered(answer, *, attempt):
    """Each question of an attempt: `answered` on the question, a choice interaction, with the
    choice picked and whether it was right. The correct choice is not stated: the learner's own
    data download holds these statements, and the key is theirs only once they pass."""
    question = answer.question
    iri = knowledge_check_object(attempt.activity)["id"] + f"#question-{question.pk}"
    obj = _object(
        iri,
        "interaction",
        f"Question {question.order}",
        question.prompt,
        interactionType="choice",
        choices=[
            {"id": f"choice-{choice.pk}", "description": {"en-US": choice.text}}
            for choice in question.choices.all()
        ],
    )
    statement = _statement(
        attempt.learner_id,
        "answered",
        obj,
        attempt.submitted_at,
        result={"response": f"choice-{answer.choice_id}", "success": answer.is_correct},
        parents=[knowledge_check_object(attempt.activity)],
        grouping=[activity_object(attempt.activity), attempt_object(attempt)],
    )
    return Draft(attempt.learner_id, attempt.submitted_at, iri, statement)


def activity_completed(completion, *, duration: timedelta):
    """The activity completed (every lesson, and a passing attempt): `completed` on it, with
    the time the site recorded the learner spending on it (`cme.duration.time_recorded`)."""
    obj = activity_object(completion.activity)
    statement = _statement(
        completion.learner_id,
        "completed",
        obj,
        completion.completed_at,
        result={"completion": True, "success": True, "duration": iso_duration(duration)},
    )
    return Draft(completion.learner_id, completion.completed_at, obj["id"], statement)


def credit_claimed(claim, *, completion):
    """Credit claimed: `earned` on the activity, with the credit type and the amount claimed."""
    obj = activity_object(completion.activity)
    credit = {"type": claim.credit_type, "amount": amount_text(claim.amount)}
    statement = _statement(
        completion.learner_id,
        "earned",
        obj,
        claim.claimed_at,
        result={"extensions": {credit_extension(): credit}},
    )
    summary = f"{amount_text(claim.amount)} {claim.credit_type}: {obj['id']}"
    return Draft(completion.learner_id, claim.claimed_at, summary, statement)
