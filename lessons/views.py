from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .models import Activity, Lesson, LessonCompletion
from .progress import COMPLETED, Progress


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
    return render(
        request, "lessons/activity_detail.html", {"activity": activity, "progress": progress}
    )


def _get_lesson(activity_slug, lesson_slug):
    return get_object_or_404(
        Lesson.objects.select_related("activity"), activity__slug=activity_slug, slug=lesson_slug
    )


def lesson_detail(request, activity_slug, lesson_slug):
    lesson = _get_lesson(activity_slug, lesson_slug)
    activity = lesson.activity
    lessons = list(Lesson.objects.for_activity(activity))
    position = next(i for i, other in enumerate(lessons) if other.pk == lesson.pk)
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
    lesson = _get_lesson(activity_slug, lesson_slug)
    if not request.user.is_authenticated:
        # Back to the lesson after logging in, where the button can be pressed again.
        return redirect_to_login(lesson.get_absolute_url())
    LessonCompletion.objects.record(learner=request.user, lesson=lesson)
    activity = lesson.activity
    lessons = list(Lesson.objects.for_activity(activity))
    progress = Progress.for_activity(request.user, activity, lessons)
    later = [other for other in lessons if other.order > lesson.order]
    if later:
        return redirect(later[0])
    if progress.state == COMPLETED:
        messages.success(request, "You have completed every lesson of this activity.")
    elif progress.next_lesson:
        messages.info(
            request,
            f"Lesson {lessons.index(progress.next_lesson) + 1} is not complete yet.",
        )
    return redirect(activity)


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
