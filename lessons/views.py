"""Ask the commentary: the one page of this app, since it needs nothing but the content.

The lesson pages, the overview and the catalog show the learner's progress through the whole
activity (knowledge check included), so they live a layer up, in `celmod_course.cme.views`.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from celmod_course.accounts.limits import hit
from celmod_course.accounts.throttling import client_address

from .ask import ask
from .forms import AskForm
from .models import Activity, Lesson

QUESTIONS_PER_MINUTE = 20  # per client address, over any minute


@require_GET
def ask_commentary(request, slug):
    """Answers quoted from the commentary. Questions are not stored, nor who asked them."""
    activity = get_object_or_404(Activity.objects.visible_to(request.user), slug=slug)
    form = AskForm(request.GET if "q" in request.GET else None)
    context = {"activity": activity, "form": form, "answers": None}
    if form.is_bound and hit("ask", client_address(request), seconds=60) > QUESTIONS_PER_MINUTE:
        context["too_often"] = True
        return render(request, "lessons/ask.html", context, status=429)
    if form.is_bound and form.is_valid():
        context["question"] = form.cleaned_data["q"]
        context["answers"] = ask(activity, form.cleaned_data["q"])
        if not context["answers"]:
            context["lessons"] = list(Lesson.objects.for_activity(activity))
    return render(request, "lessons/ask.html", context)
