"""Your Thoughts: the activity's polls and its discussion, on one page.

The knowledge-check pages are in `celmod_course.cme.views`: submitting an attempt may complete
the activity, a rule that needs the lessons too.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from celmod_course.accounts.decorators import login_required_post
from lessons.models import Activity

from .forms import CommentForm, VoteForm
from .models import Comment, Poll, PollResponse

COMMENTS_PER_PAGE = 50


def _your_thoughts_url(slug):
    """Where an anonymous comment returns after log-in (an unknown activity: 404)."""
    return reverse("quiz:your_thoughts", args=[get_object_or_404(Activity, slug=slug).slug])


def _poll_url(slug, poll_slug):
    """Where an anonymous vote returns after log-in (an unknown poll: 404)."""
    get_object_or_404(Poll, activity__slug=slug, slug=poll_slug)
    return reverse("quiz:your_thoughts", args=[slug])


def _your_thoughts_page(request, activity, comment_form=None):
    polls = list(Poll.objects.for_activity(activity))
    tallies = PollResponse.objects.tally(polls)
    responses = {}
    if request.user.is_authenticated:
        mine = PollResponse.objects.filter(learner=request.user, poll__in=polls)
        responses = {response.poll_id: response for response in mine.select_related("option")}
    poll_blocks = [
        {
            "poll": poll,
            "response": responses.get(poll.pk),
            "tally": tallies[poll.pk],
            "form": VoteForm(poll=poll, options=tallies[poll.pk].rows),
        }
        for poll in polls
    ]
    comments = activity.comments.visible().select_related("learner")
    context = {
        "activity": activity,
        "poll_blocks": poll_blocks,
        "comments": Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page")),
        "comment_form": comment_form or CommentForm(),
    }
    return render(request, "quiz/your_thoughts.html", context)


def your_thoughts(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    return _your_thoughts_page(request, activity)


@login_required_post(back=_poll_url)
def vote(request, slug, poll_slug):
    poll = get_object_or_404(
        Poll.objects.select_related("activity"), activity__slug=slug, slug=poll_slug
    )
    back = reverse("quiz:your_thoughts", args=[slug]) + f"#poll-{poll.slug}"
    form = VoteForm(request.POST, poll=poll, options=poll.options.all())
    if not form.is_valid():
        messages.error(request, form.errors["option"][0])
    elif PollResponse.objects.record(learner=request.user, option=form.chosen_option()):
        messages.success(request, "Thank you. Your answer is recorded.")
    else:
        messages.info(
            request,
            "You have already answered this poll. Your answer is final and was not changed.",
        )
    return redirect(back)


@login_required_post(back=_your_thoughts_url)
def post_comment(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _your_thoughts_page(request, activity, comment_form=form)
    comment = Comment.objects.create(
        learner=request.user, activity=activity, body=form.cleaned_data["body"]
    )
    messages.success(request, "Your comment is posted.")
    position = activity.comments.visible().filter(pk__lte=comment.pk).count()
    page = (position - 1) // COMMENTS_PER_PAGE + 1
    page_url = reverse("quiz:your_thoughts", args=[slug])
    return redirect(f"{page_url}?page={page}#comment-{comment.pk}")
