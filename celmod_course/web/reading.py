"""Reading: the catalog, an activity's overview, its lessons (and completing one), and Ask."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from celmod_course.accounts.decorators import login_required_post
from celmod_course.accounts.limits import CACHE, hit
from celmod_course.accounts.throttling import client_address
from celmod_course.cme.duration import estimates
from celmod_course.cme.progress import Progress
from celmod_course.cme.services import lesson_complete
from lessons.ask import ask
from lessons.models import Activity, Lesson
from quiz.models import Poll

from .forms import AskForm, VoteForm
from .lookups import visible_activity
from .pagecache import cached_page, content_memo, content_version, read_served_token

QUESTIONS_PER_MINUTE = 20  # Ask, per client address, over any minute


def _estimates(activities):
    ids = ",".join(str(activity.pk) for activity in activities)
    return content_memo(f"estimates:{ids}", lambda: estimates(activities))


def catalog(request):
    activities = list(Activity.objects.published().prefetch_related("designations"))
    progresses = Progress.for_activities(request.user, activities)
    entries = list(zip(progresses, _estimates(activities), strict=True))
    return render(request, "cme/catalog.html", {"entries": entries})


@cached_page
def activity_detail(request, slug):
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).prefetch_related(
            "key_takeaways", "faculty", "designations", "objectives"
        ),
        slug=slug,
    )
    lessons = list(Lesson.objects.for_activity(activity))
    context = {
        "activity": activity,
        "progress": Progress.for_activity(request.user, activity, lessons),
        "estimate": _estimates([activity])[0],
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
    return [VoteForm(poll=poll, options=poll.options.all(), optional=True) for poll in polls]


def _lesson_url(activity_slug, lesson_slug):
    """Where an anonymous "Complete and continue" returns after log-in (an unknown lesson: 404)."""
    return get_object_or_404(
        Lesson,
        activity__in=Activity.objects.published(),
        activity__slug=activity_slug,
        slug=lesson_slug,
    ).get_absolute_url()


@login_required_post(back=_lesson_url)
def complete_lesson(request, activity_slug, lesson_slug):
    lessons, position = _lessons_around(request.user, activity_slug, lesson_slug)
    activity = lessons[position].activity
    opened_at = read_served_token(request.POST.get("opened"))
    if lesson_complete(learner=request.user, lesson=lessons[position], opened_at=opened_at):
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


@require_GET
def ask_commentary(request, slug):
    """Answers quoted from the commentary. Questions are not stored, nor who asked them."""
    activity = visible_activity(request.user, slug)
    form = AskForm(request.GET if "q" in request.GET else None)
    context = {"activity": activity, "form": form, "answer": None}
    if (
        form.is_bound
        and hit("ask", client_address(request), seconds=60, store=CACHE) > QUESTIONS_PER_MINUTE
    ):
        context["too_often"] = True
        return render(request, "lessons/ask.html", context, status=429)
    if form.is_bound and form.is_valid():
        question = form.cleaned_data["q"]
        context["question"] = question
        context["answer"] = ask(activity, question, version=content_version())
        if not context["answer"].covered:
            context["lessons"] = list(Lesson.objects.for_activity(activity))
    return render(request, "lessons/ask.html", context)
