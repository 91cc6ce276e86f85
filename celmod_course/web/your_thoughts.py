"""Your Thoughts: the activity's polls and its discussion, on one page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from celmod_course.accounts.decorators import login_required_post
from celmod_course.cme.tallies import poll_tallies
from celmod_course.refusal import Refused
from lessons.models import Activity, Lesson
from quiz.models import Moment, Poll, PollResponse
from quiz.services import comment_post, poll_answer, poll_answer_before

from .forms import CommentForm, VoteForm
from .lookups import activity_page, visible_activity
from .pagecache import cached_page

COMMENTS_PER_PAGE = 50


def _poll_url(slug, poll_slug):
    """Where an anonymous vote returns after log-in (an unknown poll: 404)."""
    get_object_or_404(
        Poll, activity__in=Activity.objects.published(), activity__slug=slug, slug=poll_slug
    )
    return reverse("quiz:your_thoughts", args=[slug])


def _poll_anchor(poll):
    """The id of the poll's box on Your Thoughts, where its vote returns."""
    return f"poll-{poll.slug}"


def _poll_blocks(request, activity):
    """Each poll with its form, the learners' tally, and this learner's answers."""
    polls = list(Poll.objects.for_activity(activity))
    tallies = poll_tallies(polls)
    mine = {}
    if request.user.is_authenticated:
        responses = PollResponse.objects.filter(learner=request.user, poll__in=polls)
        mine = {(r.poll_id, r.moment): r for r in responses.select_related("option")}
    return [
        {
            "poll": poll,
            "anchor": _poll_anchor(poll),
            "response": mine.get((poll.pk, Moment.AFTER)),
            "before": mine.get((poll.pk, Moment.BEFORE)),
            "tally": tallies[poll.pk],
            "form": VoteForm(poll=poll, options=tallies[poll.pk].rows),
        }
        for poll in polls
    ]


def _your_thoughts_page(request, activity, comments_page, comment_form=None):
    # What a vote says is shown in its poll's box, where the vote returns the learner (the
    # page's top is out of view there); any other message at the top of the page, as usual.
    poll_blocks = _poll_blocks(request, activity)
    pending = list(messages.get_messages(request))
    for block in poll_blocks:
        block["messages"] = [m for m in pending if m.extra_tags == block["anchor"]]
    anchors = {block["anchor"] for block in poll_blocks}
    context = {
        "activity": activity,
        "poll_blocks": poll_blocks,
        "messages": [m for m in pending if m.extra_tags not in anchors],
        "comments": comments_page,
        "comment_form": comment_form or CommentForm(),
    }
    return render(request, "quiz/your_thoughts.html", context)


def _comments_page(request, activity):
    # Learners read one another's comments; a visitor without an account is not one of them.
    comments = activity.comments.visible().select_related("learner")
    if not request.user.is_authenticated:
        comments = comments.none()
    return Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))


@cached_page(shared=True)
def your_thoughts(request, slug):
    activity = visible_activity(request.user, slug)
    page = _comments_page(request, activity)
    asked = request.GET.get("page", "")
    if asked and asked != str(page.number):
        # One address per page of comments: any other value goes to the page it means.
        return redirect(reverse("quiz:your_thoughts", args=[slug]) + f"?page={page.number}")
    return _your_thoughts_page(request, activity, page)


@login_required_post(back=_poll_url)
def vote(request, slug, poll_slug):
    poll = get_object_or_404(
        Poll.objects.select_related("activity"),
        activity__in=Activity.objects.visible_to(request.user),
        activity__slug=slug,
        slug=poll_slug,
    )
    anchor = _poll_anchor(poll)
    form = VoteForm(request.POST, poll=poll, options=poll.options.all())
    if not form.is_valid():
        messages.error(request, form.errors["option"][0], extra_tags=anchor)
    elif poll_answer(learner=request.user, option=form.chosen_option()):
        messages.success(request, "Thank you. Your answer is recorded.", extra_tags=anchor)
    else:
        messages.info(
            request,
            "You have already answered this poll. Your answer is final and was not changed.",
            extra_tags=anchor,
        )
    return redirect(reverse("quiz:your_thoughts", args=[slug]) + f"#{anchor}")


@login_required_post(back=activity_page("quiz:your_thoughts"))
def post_comment(request, slug):
    activity = visible_activity(request.user, slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        page = _comments_page(request, activity)
        return _your_thoughts_page(request, activity, page, comment_form=form)
    comment = comment_post(learner=request.user, activity=activity, body=form.cleaned_data["body"])
    messages.success(request, "Your comment is posted.")
    position = activity.comments.visible().filter(pk__lte=comment.pk).count()
    page = (position - 1) // COMMENTS_PER_PAGE + 1
    page_url = reverse("quiz:your_thoughts", args=[slug])
    return redirect(f"{page_url}?page={page}#comment-{comment.pk}")


@login_required_post(back=_poll_url)
def answer_before(request, slug, poll_slug):
    """The poll before the first lesson: an answer, or "Skip" (recorded, so it is not asked
    again). Back to the first lesson either way."""
    poll = get_object_or_404(
        Poll.objects.select_related("activity"),
        activity__in=Activity.objects.visible_to(request.user),
        activity__slug=slug,
        slug=poll_slug,
        asked_before=True,
    )
    form = VoteForm(request.POST, poll=poll, options=poll.options.all(), optional=True)
    skip = "skip" in request.POST
    if not skip and not form.is_valid():
        messages.error(request, form.errors["option"][0])
    elif not skip and form.chosen_option() is None:
        messages.error(request, "Choose one of the options, or skip the question.")
    else:
        try:
            option = None if skip else form.chosen_option()
            poll_answer_before(learner=request.user, poll=poll, option=option)
        except Refused as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(request, BEFORE_THANKS[skip])
    return redirect(Lesson.objects.for_activity(poll.activity).first() or poll.activity)


BEFORE_THANKS = {
    False: "Thank you. At Your Thoughts you will be asked again, and see how your answer changed.",
    True: "Skipped. You will not be asked this again.",
}
