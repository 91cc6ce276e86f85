import csv
from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from celmod_course.accounts.decorators import staff_required
from celmod_course.accounts.models import Profession
from lessons.models import Activity, Lesson
from lessons.progress import Progress

from . import results as results_data
from .forms import KnowledgeCheckForm, VoteForm
from .models import Attempt, Choice, Poll, PollResponse, Question
from .services import attempt_submit


def _questions(activity):
    return list(Question.objects.for_activity(activity).prefetch_related("choices"))


def _render_form(request, activity, form):
    attempts = activity.attempts.filter(learner=request.user)
    context = {
        "activity": activity,
        "form": form,
        "question_count": len(form.questions),
        "attempts": attempts,
    }
    return render(request, "quiz/knowledge_check.html", context)


@login_required
def knowledge_check(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    form = KnowledgeCheckForm(questions=_questions(activity))
    return _render_form(request, activity, form)


@require_POST
def submit(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("quiz:knowledge_check", args=[slug]))
    questions = _questions(activity)
    if not questions:
        messages.error(request, "This activity has no knowledge check yet.")
        return redirect(activity)
    form = KnowledgeCheckForm(request.POST, questions=questions)
    if not form.is_valid():
        return _render_form(request, activity, form)
    attempt = attempt_submit(
        learner=request.user,
        activity=activity,
        chosen=form.chosen(),
        started_at=form.cleaned_data["started"],
    )
    return redirect(attempt)


@login_required
def attempt_detail(request, slug, pk):
    attempt = get_object_or_404(
        Attempt.objects.select_related("activity"),
        pk=pk,
        activity__slug=slug,
        learner=request.user,
    )
    activity = attempt.activity
    answers = attempt.answers.select_related("question__lesson__activity", "choice").order_by(
        "question__order"
    )
    correct = {
        choice.question_id: choice
        for choice in Choice.objects.filter(question__activity=activity, is_correct=True)
    }
    lessons = list(Lesson.objects.for_activity(activity))
    progress = Progress.for_activity(request.user, activity, lessons)
    results = [(answer, correct.get(answer.question_id)) for answer in answers]
    context = {
        "activity": activity,
        "attempt": attempt,
        "results": results,
        "progress": progress,
    }
    return render(request, "quiz/attempt_detail.html", context)


@require_POST
def vote(request, slug, poll_slug):
    poll = get_object_or_404(
        Poll.objects.select_related("activity"), activity__slug=slug, slug=poll_slug
    )
    back = reverse("lessons:your_thoughts", args=[slug]) + f"#poll-{poll.slug}"
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("lessons:your_thoughts", args=[slug]))
    form = VoteForm(request.POST, poll=poll, options=poll.options.all())
    if not form.is_valid():
        messages.error(request, form.errors["option"][0])
        return redirect(back)
    if PollResponse.objects.record(learner=request.user, option=form.chosen_option()):
        messages.success(request, "Thank you. Your answer is recorded.")
    else:
        messages.info(
            request,
            "You have already answered this poll. Your answer is final and was not changed.",
        )
    return redirect(back)


@staff_required
def results(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    knowledge_check = results_data.knowledge_check_results(activity)
    context = {
        "activity": activity,
        "polls": results_data.poll_results(activity),
        "professions": Profession.labels,
        "knowledge_check": knowledge_check,
        "funnel": results_data.funnel(activity, passed=knowledge_check.passed),
        "discussion": results_data.discussion_counts(activity),
    }
    return render(request, "quiz/results.html", context)


class _Echo:
    """A file-like object that hands back what is written, for streaming csv.writer rows."""

    def write(self, value):
        return value


def _stream_csv(filename, header, rows):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in chain([header], rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def export_poll_responses(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    return _stream_csv(
        f"{activity.slug}-poll-responses.csv",
        results_data.POLL_CSV_HEADER,
        results_data.poll_csv_rows(activity),
    )


@staff_required
def export_answers(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    return _stream_csv(
        f"{activity.slug}-knowledge-check-answers.csv",
        results_data.ANSWERS_CSV_HEADER,
        results_data.answers_csv_rows(activity),
    )
