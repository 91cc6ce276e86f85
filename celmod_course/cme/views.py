"""The learner's pages of an activity, and the staff's results.

Every page here shows or changes where a learner stands in the whole activity (lessons and
knowledge check together), which is why they sit above `lessons` and `quiz`. Views are thin: they
look things up, validate a form, call one service or QuerySet method, and redirect after a POST.
"""

import csv
from itertools import chain

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from celmod_course.accounts.decorators import login_required_post, staff_required
from celmod_course.accounts.forms import DeleteAccountForm
from celmod_course.accounts.models import Profession
from celmod_course.accounts.throttling import count_wrong_password, wrong_password_limit_reached
from celmod_course.refusal import Refused
from lessons.caching import cached_page
from lessons.models import Activity, Lesson
from quiz.forms import KnowledgeCheckForm, VoteForm, attempt_seed
from quiz.models import Attempt, Poll, Question

from . import results as results_data
from .duration import estimates
from .forms import ClaimForm, EvaluationForm, VerifyForm
from .models import (
    ActivityCompletion,
    CreditDesignation,
    Evaluation,
    credit_offer,
    normalize_certificate_number,
)
from .personal_data import personal_data
from .progress import TRANSCRIPT_CSV_HEADER, Progress, State, Transcript
from .services import (
    account_delete,
    credit_claim,
    evaluation_submit,
    knowledge_check_submit,
    lesson_complete,
)


def catalog(request):
    activities = list(Activity.objects.published())
    progresses = Progress.for_activities(request.user, activities)
    entries = list(zip(progresses, estimates(activities), strict=True))
    return render(request, "cme/catalog.html", {"entries": entries})


@cached_page
def activity_detail(request, slug):
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).prefetch_related(
            "key_takeaways", "faculty", "designations"
        ),
        slug=slug,
    )
    lessons = list(Lesson.objects.for_activity(activity))
    context = {
        "activity": activity,
        "progress": Progress.for_activity(request.user, activity, lessons),
        "estimate": estimates([activity])[0],
    }
    return render(request, "cme/activity_detail.html", context)


def _lessons_around(user, activity_slug, lesson_slug):
    """The activity's lessons in order and the position of the one asked for, in one query."""
    lessons = list(
        Lesson.objects.filter(
            activity__in=Activity.objects.visible_to(user), activity__slug=activity_slug
        )
        .select_related("activity")
        .numbered()
    )
    for position, lesson in enumerate(lessons):
        if lesson.slug == lesson_slug:
            return lessons, position
    raise Http404("No such lesson.")


@cached_page
def lesson_detail(request, activity_slug, lesson_slug):
    lessons, position = _lessons_around(request.user, activity_slug, lesson_slug)
    lesson = lessons[position]
    progress = Progress.for_activity(request.user, lesson.activity, lessons)
    context = {
        "activity": lesson.activity,
        "lesson": lesson,
        "paragraphs": lesson.paragraphs.select_related("speaker"),
        "progress": progress,
        "previous_lesson": lessons[position - 1] if position else None,
        "next_lesson": lessons[position + 1] if position + 1 < len(lessons) else None,
        "before_forms": _before_forms(request.user, progress) if position == 0 else [],
    }
    return render(request, "cme/lesson_detail.html", context)


def _before_forms(learner, progress):
    """The polls asked before the first lesson, for a learner who has not started yet."""
    if progress.completed_count or not learner.is_authenticated:
        return []
    polls = Poll.objects.for_activity(progress.activity).to_ask_before(learner)
    return [VoteForm(poll=poll, options=poll.options.all()) for poll in polls]


def _lesson_url(activity_slug, lesson_slug):
    """Where an anonymous "Complete and continue" returns after log-in (an unknown lesson: 404)."""
    return get_object_or_404(
        Lesson,
        activity__in=Activity.objects.published(),
        activity__slug=activity_slug,
        slug=lesson_slug,
    ).get_absolute_url()


def _activity_page(name):
    """Where an anonymous POST to an activity returns after log-in: the page named `name` (an
    unknown activity: 404)."""
    return lambda slug: reverse(
        name, args=[get_object_or_404(Activity.objects.published(), slug=slug).slug]
    )


@login_required_post(back=_lesson_url)
def complete_lesson(request, activity_slug, lesson_slug):
    lessons, position = _lessons_around(request.user, activity_slug, lesson_slug)
    activity = lessons[position].activity
    if lesson_complete(learner=request.user, lesson=lessons[position]):
        messages.success(
            request, "You have completed the activity. Your certificate is ready below."
        )
        return redirect(activity)
    if position + 1 < len(lessons):
        messages.success(request, f"Lesson {lessons[position].number} of {len(lessons)} complete.")
        return redirect(lessons[position + 1])
    return _after_the_last_lesson(request, activity, lessons)


def _after_the_last_lesson(request, activity, lessons):
    progress = Progress.for_activity(request.user, activity, lessons)
    if progress.completion:
        return redirect(activity)
    if progress.next_lesson:
        messages.info(request, f"Lesson {progress.next_lesson.number} is not complete yet.")
        return redirect(activity)
    messages.success(
        request,
        "You have completed every lesson. Share your thoughts here if you like; "
        "the knowledge check is the last step.",
    )
    return redirect("quiz:your_thoughts", slug=activity.slug)


@login_required
def my_progress(request):
    progresses = Progress.for_activities(request.user, list(Activity.objects.published()))
    completed_count = sum(1 for progress in progresses if progress.state == State.COMPLETED)
    transcript = Transcript.for_completions([p.completion for p in progresses if p.completion])
    context = {
        "progresses": progresses,
        "completed_count": completed_count,
        "transcript": transcript,
    }
    return render(request, "cme/my_progress.html", context)


@login_required
def transcript_csv(request):
    rows = Transcript.for_learner(request.user).csv_rows()
    return _stream_csv("cme-transcript.csv", TRANSCRIPT_CSV_HEADER, rows)


def _evaluation_page(request, activity, form=None):
    completion = ActivityCompletion.objects.filter(learner=request.user, activity=activity).first()
    if completion is None:
        messages.info(request, "The evaluation opens once you have completed the activity.")
        return redirect(activity)
    questions = list(activity.evaluation_questions.all())
    context = {
        "activity": activity,
        "completion": completion,
        "evaluation": Evaluation.objects.filter(completion=completion).first(),
        "form": form or EvaluationForm(questions=questions),
    }
    return render(request, "cme/evaluation.html", context)


@login_required
def evaluation(request, slug):
    return _evaluation_page(
        request, get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    )


@login_required_post(back=_activity_page("cme:evaluation"))
def submit_evaluation(request, slug):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    form = EvaluationForm(request.POST, questions=list(activity.evaluation_questions.all()))
    if not form.is_valid():
        return _evaluation_page(request, activity, form)
    try:
        evaluation_submit(learner=request.user, activity=activity, answers=form.answers())
    except Refused as refusal:
        messages.info(request, str(refusal))
        return redirect("cme:evaluation", slug=slug)
    messages.success(request, "Thank you: your evaluation is recorded.")
    return redirect("cme:claim", slug=slug)


def _claim_page(request, activity, form=None):
    context = {"activity": activity}
    try:
        context["offer"] = offer = credit_offer(learner=request.user, activity=activity)
    except Refused as refusal:
        context["refusal"] = refusal
    else:
        context["form"] = form or ClaimForm(designation=offer.designation, learner=request.user)
    return render(request, "cme/claim.html", context)


@login_required
def claim(request, slug):
    return _claim_page(
        request, get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    )


@login_required_post(back=_activity_page("cme:claim"))
def submit_claim(request, slug):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    designation = CreditDesignation.objects.for_learner(request.user, activity)
    if designation is None:
        return _claim_page(request, activity)
    form = ClaimForm(request.POST, designation=designation, learner=request.user)
    if not form.is_valid():
        return _claim_page(request, activity, form)
    try:
        claimed = credit_claim(learner=request.user, activity=activity, **form.claim())
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("cme:claim", slug=slug)
    messages.success(request, f"You have claimed {claimed.credit}. Your certificate states it.")
    return redirect(claimed.evaluation.completion)


def _knowledge_check_page(request, activity, form, attempts=None):
    """The questions; once the learner has passed, when they passed and their certificate
    instead, above their attempts."""
    if attempts is None:
        attempts = list(activity.attempts.filter(learner=request.user))
    passed = min((a for a in attempts if a.passed), key=lambda a: a.number, default=None)
    completion = None
    if passed:
        completion = ActivityCompletion.objects.filter(
            learner=request.user, activity=activity
        ).first()
    context = {
        "activity": activity,
        "form": form,
        "attempts": attempts,
        "passed": passed,
        "completion": completion,
    }
    return render(request, "cme/knowledge_check.html", context)


def _questions(activity):
    return list(Question.objects.for_activity(activity).prefetch_related("choices"))


@login_required
@cached_page
def knowledge_check(request, slug):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    attempts = list(activity.attempts.filter(learner=request.user))
    seed = attempt_seed(request.user, activity, len(attempts) + 1)
    form = KnowledgeCheckForm(questions=_questions(activity), seed=seed)
    return _knowledge_check_page(request, activity, form, attempts)


@login_required_post(back=_activity_page("cme:knowledge_check"))
def submit(request, slug):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    form = KnowledgeCheckForm(request.POST, questions=_questions(activity))
    if not form.questions:
        messages.error(request, "This activity has no knowledge check yet.")
        return redirect(activity)
    if not form.is_valid():
        return _knowledge_check_page(request, activity, form)
    attempt = knowledge_check_submit(
        learner=request.user,
        activity=activity,
        chosen=form.chosen(),
        started_at=form.cleaned_data["started"],
        shuffle_seed=form.seed,
    )
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
    context = {"activity": activity, "attempt": attempt, "progress": progress}
    if progress.passed:
        context["review"] = attempt.review(lessons=lessons, show_key=True)
    else:
        context["to_review"] = attempt.lessons_to_review(lessons=lessons)
    return render(request, "cme/attempt_detail.html", context)


@login_required
def certificate(request, number):
    """The learner's own certificate, fit to print; anyone else's is not found."""
    completion = get_object_or_404(
        ActivityCompletion.objects.select_related("activity", "learner"),
        certificate_number=normalize_certificate_number(number),
        learner=request.user,
    )
    return render(request, "cme/certificate.html", {"completion": completion})


def verify(request, number=None):
    """Public: name, activity, date and credit status of a certificate number, no more."""
    if number is None:
        form = VerifyForm(request.GET or None)
        if form.is_valid():
            return redirect("cme:verify", number=form.cleaned_data["number"])
        return render(request, "cme/verify.html", {"form": form})
    completion = (
        ActivityCompletion.objects.select_related("activity", "learner")
        .filter(certificate_number=normalize_certificate_number(number), learner__is_active=True)
        .first()
    )
    context = {"form": VerifyForm(), "asked": True, "number": number, "completion": completion}
    return render(request, "cme/verify.html", context, status=200 if completion else 404)


@staff_required
def results(request, slug):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    knowledge_check = results_data.knowledge_check_results(activity)
    context = {
        "activity": activity,
        "polls": results_data.poll_results(activity),
        "professions": Profession.labels,
        "knowledge_check": knowledge_check,
        "funnel": results_data.funnel(activity, passed=knowledge_check.passed),
        "discussion": results_data.discussion_counts(activity),
        "credit": results_data.credit_totals(activity),
        "evaluation": results_data.evaluation_results(activity),
        "outcomes": results_data.outcomes(activity),
        "first_scores": results_data.first_attempt_scores(activity),
    }
    return render(request, "cme/results.html", context)


class _Echo:
    """A file-like object that hands back what is written, for streaming csv.writer rows."""

    def write(self, value):
        return value


def _cell(value):
    """A text a spreadsheet would run as a formula (= + - @, or a tab or return before one) is
    kept as text, with an apostrophe in front."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _stream_csv(filename, header, rows):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in chain([header], rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def export(request, slug, name):
    """One of the results' CSV files (`results.EXPORTS`), streamed row by row."""
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    header, rows = results_data.EXPORTS[name]
    return _stream_csv(f"{slug}-{name}.csv", header, rows(activity))


@login_required
def my_data(request):
    """Everything the site holds about the learner, as a JSON download."""
    response = JsonResponse(
        personal_data(request.user), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-cme-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Delete the account after the password is typed again; say first what stays and why."""
    if request.method == "POST" and wrong_password_limit_reached(request.user):
        return render(request, "registration/too_many.html", status=429)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            account_delete(user=request.user)
            logout(request)
            messages.success(request, "Your account is deleted.")
            return redirect("cme:catalog")
        if form.has_error("password", "password_incorrect"):
            count_wrong_password(request.user)
    return render(request, "cme/delete_account.html", {"form": form})
