"""Everything the site holds about one learner, as one document they can download."""

from axes.models import AccessFailureLog, AccessLog

from lessons.models import LessonCompletion
from quiz.models import Attempt, Comment, PollResponse

from .models import ActivityCompletion, CreditClaim, EvaluationAnswer


def personal_data(user):
    """A JSON-ready dict: the profile, then every record of what the learner did."""
    passed = Attempt.objects.activities_passed(user)
    return {
        "profile": {
            "email": user.email if user.has_email else "",
            "full_name": user.full_name,
            "profession": user.get_profession_display(),
            "joined": user.date_joined,
            "last_login": user.last_login,
        },
        "log_ins": [
            {"at": log.attempt_time, "logged_out": log.logout_time, "address": log.ip_address}
            for log in AccessLog.objects.filter(username=user.email).order_by("attempt_time")
        ],
        "failed_log_ins": [
            {"at": log.attempt_time, "address": log.ip_address}
            for log in AccessFailureLog.objects.filter(username=user.email).order_by("attempt_time")
        ],
        "lesson_completions": [
            {"activity": c.lesson.activity.title, "lesson": c.lesson.heading, "at": c.completed_at}
            for c in LessonCompletion.objects.filter(learner=user).select_related(
                "lesson__activity"
            )
        ],
        "poll_answers": [
            {
                "question": r.poll.question,
                "moment": r.get_moment_display(),
                "answer": r.option.text if r.option else "(skipped)",
                "at": r.created_at,
            }
            for r in PollResponse.objects.filter(learner=user).select_related("poll", "option")
        ],
        "comments": [
            {
                "activity": c.activity.title,
                "comment": c.body,
                "at": c.created_at,
                "hidden": c.is_hidden,
            }
            for c in Comment.objects.filter(learner=user).select_related("activity")
        ],
        "knowledge_check_attempts": [_attempt(a, passed) for a in _attempts(user)],
        "completions": [
            {
                "activity": c.activity.title,
                "at": c.completed_at,
                "certificate": c.certificate_number,
            }
            for c in ActivityCompletion.objects.filter(learner=user).select_related("activity")
        ],
        "evaluation_answers": [
            {
                "activity": a.evaluation.completion.activity.title,
                "question": a.question.prompt,
                "answer": a.value if a.value is not None else a.yes if a.yes is not None else "",
                "text": a.text,
            }
            for a in EvaluationAnswer.objects.filter(
                evaluation__completion__learner=user
            ).select_related("question", "evaluation__completion__activity")
        ],
        "credit_claims": [
            {
                "credit": claim.credit,
                "at": claim.claimed_at,
                "first_name": claim.first_name,
                "last_name": claim.last_name,
                "licence_or_board_id": claim.licence_id,
                "birth_month": claim.birth_month,
                "birth_day": claim.birth_day,
            }
            for claim in CreditClaim.objects.filter(
                evaluation__completion__learner=user
            ).select_related("designation")
        ],
    }


def _attempts(user):
    return (
        Attempt.objects.filter(learner=user)
        .select_related("activity")
        .prefetch_related("answers__question", "answers__choice")
    )


def _attempt(attempt, passed):
    """An attempt, with which answers were right only once the activity's check is passed."""
    shown = attempt.activity_id in passed
    return {
        "activity": attempt.activity.title,
        "number": attempt.number,
        "started": attempt.started_at,
        "submitted": attempt.submitted_at,
        "score": f"{attempt.score} of {attempt.total}",
        "passed": attempt.passed,
        "answers": [
            {"question": a.question.prompt, "answer": a.choice.text}
            | ({"correct": a.is_correct} if shown else {})
            for a in attempt.answers.all()
        ],
    }
