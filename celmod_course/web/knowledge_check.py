"""The knowledge check: the questions, a submitted attempt, and an attempt's result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from celmod_course.accounts.decorators import login_required_post
from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.progress import Progress
from celmod_course.cme.services import knowledge_check_submit
from celmod_course.refusal import Refused
from lessons.models import Lesson
from quiz.models import Attempt, Question

from .credit import credit_follows
from .forms import KnowledgeCheckForm, attempt_seed
from .lookups import activity_page, visible_activity
from .pagecache import cached_page


def _knowledge_check_page(request, activity, form, attempts=None):
    """The questions; once the learner has passed, when they passed and their certificate
    instead, above their attempts."""
    if attempts is None:
        attempts = list(activity.attempts.filter(learner=request.user))
    passed = activity.attempts.filter(learner=request.user).first_passed()
    completion = ActivityCompletion.objects.of(request.user, activity) if passed else None
    context = {
        "activity": activity,
        "form": form,
        "attempts": attempts,
        "passed": passed,
        "completion": completion,
        "opens_at": Attempt.objects.next_opens_at(request.user, activity),
    }
    return render(request, "cme/knowledge_check.html", context)


def _questions(activity):
    return list(Question.objects.for_activity(activity).prefetch_related("choices"))


@login_required
@cached_page
def knowledge_check(request, slug):
    activity = visible_activity(request.user, slug)
    attempts = list(activity.attempts.filter(learner=request.user))
    seed = attempt_seed(request.user, activity, len(attempts) + 1)
    form = KnowledgeCheckForm(questions=_questions(activity), seed=seed)
    return _knowledge_check_page(request, activity, form, attempts)


@login_required_post(back=activity_page("cme:knowledge_check"))
def submit(request, slug):
    activity = visible_activity(request.user, slug)
    form = KnowledgeCheckForm(request.POST, questions=_questions(activity))
    if not form.questions:
        messages.error(request, "This activity has no knowledge check yet.")
        return redirect(activity)
    if not form.is_valid():
        return _knowledge_check_page(request, activity, form)
    try:
        attempt = knowledge_check_submit(
            learner=request.user,
            activity=activity,
            chosen=form.chosen(),
            started_at=form.cleaned_data["started"],
            shuffle_seed=form.seed,
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("cme:knowledge_check", slug=slug)
    return redirect(attempt)


@login_required
def attempt_detail(request, slug, pk):
    """An attempt's score; before the learner has passed, the lessons to review, and once they
    have, the full review with the correct answers."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("activity"), pk=pk, activity__slug=slug, learner=request.user
    )
    activity = attempt.activity
    lessons = list(Lesson.objects.for_activity(activity))
    progress = Progress.for_activity(request.user, activity, lessons)
    context = {
        "activity": activity,
        "attempt": attempt,
        "progress": progress,
        "credit_follows": progress.completion and credit_follows(request.user, activity),
    }
    if progress.passed:
        context["review"] = attempt.review(lessons=lessons, show_key=True)
    else:
        context["to_review"] = attempt.lessons_to_review(lessons=lessons)
    return render(request, "cme/attempt_detail.html", context)
