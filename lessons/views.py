import re
import time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from celmod_course.accounts.throttling import client_address
from quiz.forms import VoteForm
from quiz.models import Poll, PollResponse

from .ask import ask
from .caching import content_version
from .forms import AskForm, CommentForm
from .models import Activity, ActivityCompletion, Comment, Lesson, LessonCompletion
from .progress import COMPLETED, Progress

COMMENTS_PER_PAGE = 50
READER_PAGE_SECONDS = 60
QUESTIONS_PER_MINUTE = 20  # per client and server process


def catalog(request):
    activities = list(Activity.objects.prefetch_related("lessons"))
    progresses = Progress.for_activities(request.user, activities)
    return render(request, "lessons/catalog.html", {"progresses": progresses})


def activity_detail(request, slug):
    activity = get_object_or_404(
        Activity.objects.prefetch_related("key_takeaways", "faculty"), slug=slug
    )
    lessons = list(Lesson.objects.for_activity(activity))
    progress = Progress.for_activity(request.user, activity, lessons)
    polls = list(Poll.objects.for_activity(activity).with_answered(request.user))
    context = {
        "activity": activity,
        "progress": progress,
        "polls": polls,
        "polls_answered": bool(polls) and all(poll.answered for poll in polls),
    }
    return render(request, "lessons/activity_detail.html", context)


def _lessons_around(activity_slug, lesson_slug):
    """The activity's lessons in order and the position of the one asked for, in one query."""
    lessons = list(
        Lesson.objects.filter(activity__slug=activity_slug)
        .select_related("activity")
        .order_by("order")
    )
    for position, lesson in enumerate(lessons):
        if lesson.slug == lesson_slug:
            return lessons, position
    raise Http404("No such lesson.")


def lesson_detail(request, activity_slug, lesson_slug):
    # Readers without an account all get the same page (it holds no form and no token), so
    # it is rendered once a minute per server process, and afresh once the content changes.
    reader = not request.user.is_authenticated and not len(messages.get_messages(request))
    key = f"reader-page:{content_version()}:{timezone.localdate()}:{request.get_full_path()}"
    if reader and (content := cache.get(key)) is not None:
        return HttpResponse(content)
    lessons, position = _lessons_around(activity_slug, lesson_slug)
    response = _render_lesson(request, lessons, position)
    if reader:
        cache.set(key, response.content, READER_PAGE_SECONDS)
    return response


def _render_lesson(request, lessons, position):
    lesson = lessons[position]
    activity = lesson.activity
    progress = Progress.for_activity(request.user, activity, lessons)
    context = {
        "activity": activity,
        "lesson": lesson,
        "paragraphs": lesson.paragraphs.select_related("speaker"),
        "progress": progress,
        "number": position + 1,
        "previous_lesson": lessons[position - 1] if position else None,
        "next_lesson": lessons[position + 1] if position + 1 < len(lessons) else None,
        "is_completed": progress.is_completed(lesson),
    }
    return render(request, "lessons/lesson_detail.html", context)


@require_POST
def complete_lesson(request, activity_slug, lesson_slug):
    lessons, position = _lessons_around(activity_slug, lesson_slug)
    lesson = lessons[position]
    activity = lesson.activity
    if not request.user.is_authenticated:
        # Back to the lesson after logging in, where the button can be pressed again.
        return redirect_to_login(lesson.get_absolute_url())
    with transaction.atomic():
        get_user_model().objects.lock(request.user)
        LessonCompletion.objects.record(learner=request.user, lesson=lesson)
        completion = ActivityCompletion.objects.record_if_complete(
            learner=request.user, activity=activity
        )
    if completion:
        messages.success(
            request, "You have completed the activity. Your certificate is ready below."
        )
        return redirect(activity)
    if position + 1 < len(lessons):
        return redirect(lessons[position + 1])
    progress = Progress.for_activity(request.user, activity, lessons)
    if progress.state == COMPLETED:
        return redirect(activity)
    if progress.next_lesson:
        messages.info(
            request,
            f"Lesson {lessons.index(progress.next_lesson) + 1} is not complete yet.",
        )
        return redirect(activity)
    messages.success(
        request,
        "You have completed every lesson. Share your thoughts here if you like; "
        "the knowledge check is the last step.",
    )
    return redirect("lessons:your_thoughts", slug=activity.slug)


@login_required
def my_progress(request):
    activities = list(Activity.objects.prefetch_related("lessons"))
    progresses = Progress.for_activities(request.user, activities)
    completed_count = sum(1 for progress in progresses if progress.state == COMPLETED)
    return render(
        request,
        "lessons/my_progress.html",
        {"progresses": progresses, "completed_count": completed_count},
    )


def _normalize_number(number):
    """A certificate number as printed, whatever spaces, case or stray characters were typed."""
    return re.sub(r"[^A-Z0-9-]", "", number.upper())[:40]


@login_required
def certificate(request, number):
    """The learner's own certificate, fit to print; anyone else's is not found."""
    completion = get_object_or_404(
        ActivityCompletion.objects.select_related("activity", "learner"),
        certificate_number=_normalize_number(number),
        learner=request.user,
    )
    return render(request, "lessons/certificate.html", {"completion": completion})


def verify(request, number=None):
    """Public: name, activity, date and credit status of a certificate number, no more."""
    if number is None:
        typed = _normalize_number(request.GET.get("number", ""))
        if typed:
            return redirect("lessons:verify", number=typed)
        return render(request, "lessons/verify.html", {"asked": False})
    completion = (
        ActivityCompletion.objects.select_related("activity", "learner")
        .filter(certificate_number=_normalize_number(number))
        .first()
    )
    return render(
        request,
        "lessons/verify.html",
        {"asked": True, "number": number, "completion": completion},
        status=200 if completion else 404,
    )


def _your_thoughts_page(request, activity, comment_form=None):
    polls = list(Poll.objects.for_activity(activity))
    tallies = PollResponse.objects.tally(polls)
    responses = {}
    if request.user.is_authenticated:
        responses = {
            response.poll_id: response
            for response in PollResponse.objects.filter(learner=request.user, poll__in=polls)
        }
    poll_blocks = [
        {
            "poll": poll,
            "response": responses.get(poll.pk),
            "tally": tallies[poll.pk],
            "form": VoteForm(poll=poll, options=tallies[poll.pk].rows),
        }
        for poll in polls
    ]
    comments = Paginator(
        activity.comments.visible().select_related("learner"), COMMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "activity": activity,
        "poll_blocks": poll_blocks,
        "comments": comments,
        "comment_form": comment_form or CommentForm(),
    }
    return render(request, "lessons/your_thoughts.html", context)


def your_thoughts(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    return _your_thoughts_page(request, activity)


@require_POST
def post_comment(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    page_url = reverse("lessons:your_thoughts", args=[slug])
    if not request.user.is_authenticated:
        return redirect_to_login(page_url)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _your_thoughts_page(request, activity, comment_form=form)
    comment = Comment.objects.create(
        learner=request.user, activity=activity, body=form.cleaned_data["body"]
    )
    messages.success(request, "Your comment is posted.")
    position = activity.comments.visible().filter(pk__lte=comment.pk).count()
    page = (position - 1) // COMMENTS_PER_PAGE + 1
    return redirect(f"{page_url}?page={page}#comment-{comment.pk}")


def _asked_too_often(request):
    """Count the client's questions in the current minute; True once over the limit."""
    key = f"ask-rate:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, 60)
    try:
        return cache.incr(key) > QUESTIONS_PER_MINUTE
    except ValueError:  # the count expired between add and incr
        return False


@require_GET
def ask_commentary(request, slug):
    """Answers quoted from the commentary. Questions are not stored, nor who asked them."""
    activity = get_object_or_404(Activity, slug=slug)
    form = AskForm(request.GET if "q" in request.GET else None)
    context = {"activity": activity, "form": form, "answers": None}
    if form.is_bound and _asked_too_often(request):
        context["too_often"] = True
        return render(request, "lessons/ask.html", context, status=429)
    if form.is_bound and form.is_valid():
        context["question"] = form.cleaned_data["q"]
        context["answers"] = ask(activity, form.cleaned_data["q"])
        if not context["answers"]:
            context["lessons"] = list(Lesson.objects.for_activity(activity))
    return render(request, "lessons/ask.html", context)
